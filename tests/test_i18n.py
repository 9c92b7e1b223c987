"""Every message of the add-on is in the catalogue and translated."""

from pathlib import Path
from plone import api
from zope.i18n import translate

import pytest
import re
import subprocess
import sys


LOCALES = Path(__file__).resolve().parent.parent / "src" / "ern" / "cpms" / "locales"
LANGUAGES = ("de", "fr", "it", "es")


def msgids(path):
    """The msgids of a .po or .pot file (single-line msgids, as i18ndude writes)."""
    return set(re.findall(r'^msgid "(.+)"$', path.read_text(), re.MULTILINE))


def untranslated(path):
    return re.findall(r'^msgid "(.+)"\nmsgstr ""$', path.read_text(), re.MULTILINE)


def test_catalogue_is_up_to_date(tmp_path):
    fresh = tmp_path / "ern.cpms.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "i18ndude",
            "rebuild-pot",
            "--pot",
            str(fresh),
            "--exclude",
            "tests",
            "--create",
            "ern.cpms",
            str(LOCALES.parent),
        ],
        check=True,
        capture_output=True,
    )
    assert msgids(fresh) == msgids(LOCALES / "ern.cpms.pot"), "run make i18n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = LOCALES / language / "LC_MESSAGES" / "ern.cpms.po"
    assert msgids(po) == msgids(LOCALES / "ern.cpms.pot"), "run make i18n"
    assert untranslated(po) == []


def test_messages_are_translated_at_run_time(portal):
    ern = portal["erns"]["euro-nmd"]
    assert (
        translate(ern.thematic_area_or_default(), target_language="de")
        == "Seltene neuromuskuläre Erkrankungen"
    )
    assert api.portal.translate("Member centres", "ern.cpms", "fr") == "Centres membres"
