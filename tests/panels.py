"""Helpers for the panel tests: acting as someone, writing an outcome,
reading the e-mails sent."""

from plone import api
from plone.dexterity.utils import createContentInContainer

import email
import email.header


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


def messages(mailhost):
    """Each sent message as text: its headers, then its decoded body."""
    texts = []
    for raw in mailhost.messages:
        message = email.message_from_bytes(
            raw if isinstance(raw, bytes) else raw.encode()
        )
        headers = "".join(
            f"{name}: {email.header.make_header(email.header.decode_header(value))}\n"
            for name, value in message.items()
        )
        texts.append(headers + message.get_payload(decode=True).decode())
    return texts
