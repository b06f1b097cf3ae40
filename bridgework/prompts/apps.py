from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "bridgework.prompts"
    label = "prompts"
