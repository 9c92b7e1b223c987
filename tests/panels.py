"""Helpers for the panel tests: acting as someone, writing an outcome."""

from plone import api
from plone.dexterity.utils import createContentInContainer


def as_user(userid, function, *args, **kwargs):
    with api.env.adopt_user(username=userid):
        return function(*args, **kwargs)


def write_outcome(panel, user="dr.dekker"):
    """The lead drafts the outcome document (the panel must be open)."""
    return as_user(
        user,
        createContentInContainer,
        panel,
        "OutcomeDocument",
        checkConstraints=True,
        conclusions="Retinitis pigmentosa, X-linked.",
        recommendations="Genetic testing of RPGR; follow-up in 12 months.",
    )
