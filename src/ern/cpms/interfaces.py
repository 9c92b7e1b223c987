"""Marker interfaces of ern.cpms."""

from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IBrowserLayer(IDefaultBrowserLayer):
    """Browser layer active on sites where ern.cpms is installed."""
