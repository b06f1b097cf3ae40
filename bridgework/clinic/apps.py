from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "bridgework.clinic"
    label = "clinic"
