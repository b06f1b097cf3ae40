from __future__ import annotations

from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "bridgework.research"
    label = "research"
