"""The written summary as a PDF: what the client takes home, nothing internal.

fpdf2 is pure Python; DejaVu Sans (vendored in plans/fonts, free licence) covers the quotes,
dashes and accented letters that clients' own words contain.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from bridgework.plans import details, imagery
from bridgework.plans.hooks import reminders_in_words
from bridgework.plans.models import ActionPlan

FONTS = Path(__file__).parent / "fonts"
INK, MUTED, ACCENT = (29, 36, 51), (74, 85, 104), (31, 95, 139)


def specifics(plan: ActionPlan) -> list[tuple[str, str]]:
    rows = [
        (_("What"), plan.what),
        (_("When"), plan.when),
        (_("Where"), plan.where),
        (_("How long"), plan.how_long),
        (_("How often"), plan.how_often),
        (_("With whom"), plan.with_whom),
    ]
    return [(label, value) for label, value in rows if value.strip()]


class SummaryPDF(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_creator("Bridgework")
        self.add_page()

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def paragraph(self, text: str) -> None:
        self.set_font("DejaVu", "", 11)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def render(plan: ActionPlan) -> bytes:
    """In the client's language, whoever downloads it: it is the client's own sheet (as the
    imagery script is), in their words and voice."""
    client = plan.client
    language = client.user.language if client.user else client.clinic.default_language
    with translation.override(language):
        return build(plan)


def build(plan: ActionPlan) -> bytes:
    clinic = plan.client.clinic
    doc = SummaryPDF()
    doc.set_title(clinic.plan_word.capitalize())
    doc.set_font("DejaVu", "", 10)
    doc.set_text_color(*MUTED)
    doc.cell(
        0,
        6,
        f"{clinic.name} · {clinic.plan_word.capitalize()}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("DejaVu", "B", 18)
    doc.set_text_color(*INK)
    doc.multi_cell(0, 9, plan.title, new_x="LMARGIN", new_y="NEXT")
    tested = details.as_agreed(plan.details or {}, voice="client")
    if tested:
        doc.heading(_("What I am testing"))
        for label, value in tested:
            doc.paragraph(f"{label}: {value}")
    for heading, text in (
        (_("Why this matters"), plan.rationale),
        (_("What to do"), plan.instructions),
    ):
        if text.strip():
            doc.heading(heading)
            doc.paragraph(text)
    if specifics(plan):
        doc.heading(_("The details"))
        for label, value in specifics(plan):
            doc.paragraph(f"{label}: {value}")
    obstacles = list(plan.obstacles.all())
    if obstacles:
        doc.heading(_("If something gets in the way"))
        for obstacle in obstacles:
            doc.paragraph(f"• {obstacle.description}")
            if obstacle.coping_plan:
                doc.paragraph(f"   {_('Then')}: {obstacle.coping_plan}")
    if plan.cues.strip() or plan.reminders:
        doc.heading(_("What will remind me"))
        if plan.cues.strip():
            doc.paragraph(plan.cues)
        if plan.reminders:
            doc.paragraph(f"{_('Reminders as agreed:')} {reminders_in_words(plan.reminders)}")
    recap = imagery.recap_for(plan)
    if recap:
        doc.heading(_("Picture it first"))
        doc.paragraph(
            _(
                "In the session you went through this plan in your mind. Before you start, "
                "you can do it again in a minute:"
            )
        )
        for line in recap:
            doc.paragraph(f"• {line}")
    doc.ln(4)
    doc.set_font("DejaVu", "", 9)
    doc.set_text_color(*MUTED)
    agreed = timezone.localtime(plan.agreed_at) if plan.agreed_at else None
    if agreed:
        doc.paragraph(_("Agreed on %(date)s.") % {"date": date_format(agreed, _("j F Y"))})
    doc.paragraph(
        _(
            "Not doing it is information, not failure: we will look at what happened "
            "together at the next session."
        )
    )
    return bytes(doc.output())
