from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "bridgework.care"
    label = "care"
