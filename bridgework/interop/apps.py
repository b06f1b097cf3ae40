from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "bridgework.interop"
    label = "interop"
