"""The demo's ERN resources: the user manual and webinars, as an ERN
editor publishes them."""

from datetime import datetime
from datetime import timedelta
from ern.cpms import logger
from ern.cpms.publishing import RESOURCES
from pathlib import Path
from plone import api
from plone.app.textfield.value import RichTextValue


# The project's user manual (docs/manual), present where ern.cpms runs from
# its source tree (make start installs it so).
MANUAL = Path(__file__).resolve().parents[3] / "docs" / "manual" / "index.md"

WEBINARS = (
    # (id, title, description, days from today, state, recording link)
    (
        "cpms-for-panel-leads",
        "CPMS for panel leads: from enrolment to the outcome document",
        "A live walk through a consultation panel, with questions.",
        14,
        "publish",
        None,
    ),
    (
        "inherited-retinal-dystrophies-2026",
        "Inherited retinal dystrophies: what changed in 2026",
        "Gene therapy eligibility and the new genetic testing guidance.",
        -30,
        "publish_to_members",
        "https://webinars.example.org/ern-eye/ird-2026",
    ),
)


def _at(days, hour):
    day = datetime.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return day + timedelta(days=days)


def ensure_resources(portal, code="ern-eye", editor="editor.eye"):
    """The manual and two webinars in one ERN's resources (once)."""
    resources = portal["erns"][code][RESOURCES]
    with api.env.adopt_user(username=editor):
        if "user-manual" not in resources.objectIds() and MANUAL.exists():
            manual = api.content.create(
                container=resources,
                type="Document",
                id="user-manual",
                title="CPMS user manual",
                description="How to enrol patients, run panels and publish.",
                text=RichTextValue(
                    MANUAL.read_text(), "text/x-web-markdown", "text/x-html-safe"
                ),
            )
            api.content.transition(obj=manual, transition="publish")
        elif not MANUAL.exists():
            logger.info("No docs/manual beside the code: demo manual left out")
        for webinar_id, title, description, days, step, link in WEBINARS:
            if webinar_id in resources.objectIds():
                continue
            webinar = api.content.create(
                container=resources,
                type="Webinar",
                id=webinar_id,
                title=title,
                description=description,
                start=_at(days, 14),
                end=_at(days, 15),
                timezone="Europe/Brussels",
                speakers=["Dr Eva Novak, ERN-EYE", "Dr Anna Dekker, Erasmus MC"],
                recording_link=link,
            )
            api.content.transition(obj=webinar, transition=step)
