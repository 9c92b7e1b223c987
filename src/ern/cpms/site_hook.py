"""The site hook is let go when a request's ZODB connection closes.

Zope closes a request's connection (``load_app``) before it announces the
end of the request (``request.close()`` → ``EndRequestEvent``), and looks
that event's subscribers up through the site hook, which still holds the
Plone site's persistent component registry. The registry's lookup is
cached on the object, so this mostly works; but when the connection's cache
let go of the registry meanwhile (its garbage collection when full, or an
interface or registration changed by another thread, e.g. Dexterity
re-synchronising a schema edited through the web), the lookup loads from
the closed connection: ``ConnectionStateError`` and a 500 for a request
that had committed. Letting the site go as the connection closes makes the
end of the request a lookup in the global registry only, where the one
subscriber Zope registers for it (clearing the site hook) lives.
"""

from zope.component.hooks import setSite


def _forget_site():
    setSite(None)


def forget_site_on_close(site, event):
    """(IPloneSiteRoot, IBeforeTraverseEvent): the publisher enters the site."""
    connection = getattr(site, "_p_jar", None)
    if connection is not None:
        connection.onCloseCallback(_forget_site)
