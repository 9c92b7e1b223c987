"""What the site knows of a person, read without building the user."""

from plone import api
from Products.PluggableAuthService.interfaces.plugins import IPropertiesPlugin
from Products.PluggableAuthService.PropertiedUser import PropertiedUser


def user_property(userid, name):
    """A user property from the site's property sheets (PAS's properties
    plugins, in PAS's order), without building the whole user: a name on a
    page or an address for a notification needs no roles, groups or
    second-factor gate (building the user was a tenth of making a panel)."""
    if not userid:
        return None
    users = api.portal.get_tool("acl_users")
    stand_in = PropertiedUser(userid)
    for _id, plugin in users.plugins.listPlugins(IPropertiesPlugin):
        sheet = plugin.getPropertiesForUser(stand_in, None)
        if hasattr(sheet, "getProperty"):
            value = sheet.getProperty(name, None)
        else:
            value = (sheet or {}).get(name)
        if value:
            return value
    return None
