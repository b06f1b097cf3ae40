from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo clinic (`manage.py seed_demo`): the top floor, which nothing imports."""

    name = "bridgework.demo"
    label = "demo"
