from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "bridgework.practice"
    label = "practice"

    def ready(self) -> None:
        from bridgework.plans.hooks import practice_of, worksheet_fields
        from bridgework.practice import seeding, summaries

        # The layers below ask practice through these (STYLE.md, "Layers").
        practice_of.answer_with(summaries.for_review)
        worksheet_fields.answer_with(seeding.fields_of)
