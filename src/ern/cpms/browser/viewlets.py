"""Viewlets of ern.cpms."""

from ern.cpms.panels import refusals_for_user
from plone.app.layout.viewlets.common import ViewletBase


class PanelRefusalsViewlet(ViewletBase):
    """Tells the panel lead why a step (open, close) is not offered yet."""

    def update(self):
        super().update()
        self.refusals = [message for _, message in refusals_for_user(self.context)]

    def available(self):
        return bool(self.refusals)
