"""Pseudonyms: the only name a patient has outside its own centre.

A pseudonym is minted from a keyed hash (HMAC-SHA256) of the patient's
normalised identity — family name, given names, date of birth and sex, with
case, accents and white space folded — under a secret of the site. Without
the secret, nobody can compute a pseudonym from an identity or test a guess;
with it, two centres that enrol the same person get the same identity hash,
so a match can be detected without either centre seeing the other's data.

The pseudonym is shown as a short code for people to read aloud and type,
``ERN-7K3F-9QD2-MX4A``: eleven characters of Crockford's base 32 (no I, L,
O or U, so nothing is mistaken for 1 or 0) taken from the hash, and a check
character (Luhn mod 32) that catches every single mistyped character and
every swap of two neighbouring characters but ``0Z``/``Z0``.

docs/architecture.md describes the threat model and how the secret rotates.
"""

from datetime import date
from zope.annotation.interfaces import IAnnotations

import hmac
import secrets
import unicodedata


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "ERN"
DATA_LENGTH = 11
GROUP = 4
# The annotation key, not the secret.
SECRET_ANNOTATION = "ern.cpms.pseudonym_secret"  # noqa: S105
SECRET_BYTES = 32

# What people type by mistake, read as what they meant (Crockford).
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def fold(text):
    """Case, accents and white space folded; punctuation kept as a space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    spaced = "".join(c if c.isalnum() else " " for c in without_marks.casefold())
    return " ".join(spaced.split())


def normalise_identity(family_name, given_names, date_of_birth, sex):
    """The canonical text of an identity, the input of the keyed hash.

    ``Müller-Lüdenscheidt`` and ``muller  ludenscheidt`` are the same person
    here; a different date of birth or sex is another person.
    """
    if not isinstance(date_of_birth, date):
        raise TypeError("date_of_birth must be a date")
    parts = (
        fold(family_name),
        fold(given_names),
        date_of_birth.isoformat(),
        fold(sex),
    )
    return "\x1f".join(parts)


def identity_hash(secret, family_name, given_names, date_of_birth, sex):
    """HMAC-SHA256 of the normalised identity under the site secret (hex)."""
    message = normalise_identity(family_name, given_names, date_of_birth, sex)
    return hmac.new(secret, message.encode("utf-8"), "sha256").hexdigest()


def check_character(data):
    """The Luhn mod 32 check character of a string of ALPHABET characters."""
    base = len(ALPHABET)
    total = 0
    factor = 2
    for character in reversed(data):
        addend = factor * ALPHABET.index(character)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def code_from_hash(hex_digest):
    """The human-friendly pseudonym minted from an identity hash."""
    number = int(hex_digest, 16)
    data = ""
    for _ in range(DATA_LENGTH):
        number, remainder = divmod(number, len(ALPHABET))
        data += ALPHABET[remainder]
    body = data + check_character(data)
    groups = [body[i : i + GROUP] for i in range(0, len(body), GROUP)]
    return "-".join([PREFIX, *groups])


def canonical_code(text):
    """A typed pseudonym as the canonical code, or None if it is not one.

    Case, spaces and dashes do not matter, and I, L and O are read as 1, 1
    and 0; a code whose check character does not match is refused.
    """
    compact = "".join((text or "").upper().split()).replace("-", "")
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_CONFUSABLE)
    if len(compact) != DATA_LENGTH + 1 or any(c not in ALPHABET for c in compact):
        return None
    data, check = compact[:-1], compact[-1]
    if check_character(data) != check:
        return None
    groups = [compact[i : i + GROUP] for i in range(0, len(compact), GROUP)]
    return "-".join([PREFIX, *groups])


def site_secret(portal, create=False):
    """The pseudonym secret of the site (bytes), kept in a site annotation.

    Annotations are not traversable, not indexed and not serialised by
    plone.restapi, so the secret never leaves the database.
    """
    annotations = IAnnotations(portal)
    secret = annotations.get(SECRET_ANNOTATION)
    if secret is None and create:
        secret = annotations[SECRET_ANNOTATION] = secrets.token_bytes(SECRET_BYTES)
    if secret is None:
        raise LookupError("the site has no pseudonym secret: install ern.cpms")
    return secret


def replace_secret(portal):
    """Give the site a new secret; see content.patient.rotate_pseudonym_secret."""
    IAnnotations(portal)[SECRET_ANNOTATION] = secrets.token_bytes(SECRET_BYTES)
