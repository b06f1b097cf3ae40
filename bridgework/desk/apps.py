from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "bridgework.desk"
    label = "desk"
