"""Plone's toolbar inside a patient's record: the State menu only.

A patient's page and its panels offer their own way to every step a
clinician takes (open a panel, add a comment, a data request, a meeting, a
contribution, the outcome; each link carries the rules of the step). The
toolbar's other menus there are a CMS's: "Add new…" repeats those links
without their context, "Actions" offers Copy, URL management and the folder
contents of clinical items, "Display" lets a panel lead make a comment the
panel's default page (the panel page would no longer show). Inside a
patient's record these three menus are not offered (the site's
administrators never see clinical data: DESIGN.md); the State menu stays
for everyone who may take a step. Elsewhere Plone's menus are unchanged.
They also cost a fifth of a member's panel page (docs/performance.md).
"""

from ern.cpms.content.patient import within_record
from plone.app.contentmenu.menu import ActionsSubMenuItem
from plone.app.contentmenu.menu import DisplaySubMenuItem
from plone.app.contentmenu.menu import FactoriesSubMenuItem


class _NotInRecords:
    def available(self):
        return not within_record(self.context) and super().available()


class Actions(_NotInRecords, ActionsSubMenuItem):
    """Plone's Actions menu, not inside a patient's record."""


class Display(_NotInRecords, DisplaySubMenuItem):
    """Plone's Display menu, not inside a patient's record."""


class Factories(_NotInRecords, FactoriesSubMenuItem):
    """Plone's Add new… menu, not inside a patient's record."""
