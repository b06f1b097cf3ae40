from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "bridgework.practice"
    label = "practice"
