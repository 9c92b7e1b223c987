"""Finding a centre's patients by name or pseudonym without names in the catalog.

The patient list of a centre must find "Jans" among thousands of patients
at once, and catalog indexes and metadata must never hold identifying data
(docs/architecture.md). Each patient is therefore indexed under *search
keys*: keyed hashes (HMAC-SHA256 under the site's pseudonym secret, cut to
64 bits) of every prefix of every word of its folded names (two letters and
more), and of every prefix of its pseudonym's code. A typed query is folded
and hashed the same way, so the catalog's KeywordIndex finds the patients
whose words start with every typed word, and holds nothing a reader of the
database could turn back into a name without the secret.

The catalog's security filter does the rest: a user only ever finds the
patients they may see, that is those of their own centres.
"""

from Acquisition import aq_parent
from ern.cpms import pseudonym
from ern.cpms.content.panel import PANEL_AT_WORK
from plone import api
from Products.CMFCore.utils import getToolByName
from zope.lifecycleevent.interfaces import IObjectRemovedEvent

import hmac


INDEX = "patient_search_keys"
# Shorter words match too much to be worth a key (and say little).
MINIMUM_PREFIX = 2


def _key(secret, text):
    digest = hmac.new(secret, b"search\x1f" + text.encode("utf-8"), "sha256")
    return digest.hexdigest()[:16]


def _code_characters(code):
    """`ERN-7K3F-9QD2-MX4A` → `7K3F9QD2MX4A`."""
    return code.upper().replace("-", "")[len(pseudonym.PREFIX) :]


def words(text):
    """The folded words of a name or a query (case, accents, punctuation)."""
    return pseudonym.fold(text).split()


def search_keys(patient, secret=None):
    """The keys a patient is found under."""
    # From the patient, not the request's site: indexing also runs at commit.
    portal = getToolByName(patient, "portal_url").getPortalObject()
    secret = secret or pseudonym.site_secret(portal)
    prefixes = set()
    family, given = words(patient.family_name), words(patient.given_names)
    # Each word, and each name written as one ("de Vries" as "devries",
    # "Jansen-Smit" as "jansensmit"), so a name typed with its dash is found.
    for word in family + given + ["".join(family), "".join(given)]:
        for end in range(MINIMUM_PREFIX, len(word) + 1):
            prefixes.add(word[:end])
    if patient.pseudonym:
        code = _code_characters(patient.pseudonym)
        for end in range(MINIMUM_PREFIX, len(code) + 1):
            prefixes.add("#" + code[:end])
    return sorted(_key(secret, prefix) for prefix in prefixes)


def _could_be_code(word):
    upper = word.upper().translate(pseudonym._CONFUSABLE)
    return all(c in pseudonym.ALPHABET for c in upper)


def search_query(text, secret=None):
    """The query of the search-key index for what someone typed, or None
    when nothing searchable was typed.

    A whole pseudonym (any case, with or without dashes, I/L/O typed for
    1/1/0), or its beginning written ``ERN-7K3F``, is read as a code.
    Text with a dash is a name written with it or a piece of a code
    (``Jansen-Smit``, ``7K3F-9QD2``): either matches. Several words are
    name beginnings, all of which must match. One word is a name's
    beginning or a code's (``7K3F``, ``dzms``): either matches.
    """
    secret = secret or pseudonym.site_secret(api.portal.get())

    def code_key(characters):
        upper = characters.upper().translate(pseudonym._CONFUSABLE)
        return _key(secret, "#" + upper)

    code = pseudonym.canonical_code(text)
    if code is not None:
        return {"query": [_key(secret, "#" + _code_characters(code))]}
    typed = (text or "").strip()
    compact = typed.upper().replace("-", "").replace(" ", "")
    if typed.upper().startswith(pseudonym.PREFIX + "-"):
        compact = compact[len(pseudonym.PREFIX) :]
        if compact:
            return {"query": [code_key(compact)]}
    if "-" in typed:
        # A name written with its dash, or a piece of a code as written
        # (``7K3F-9QD2``): either matches.
        joined = "".join(words(typed))
        keys = [_key(secret, joined)]
        if _could_be_code(compact):
            keys.append(code_key(compact))
        return {"query": keys, "operator": "or"}
    typed_words = [word for word in words(typed) if len(word) >= MINIMUM_PREFIX]
    if not typed_words:
        return None
    if len(typed_words) == 1:
        (word,) = typed_words
        keys = [_key(secret, word)]
        if _could_be_code(word):
            keys.append(code_key(word))
        return {"query": keys, "operator": "or"}
    return {"query": [_key(secret, word) for word in typed_words], "operator": "and"}


def active_panels(patient):
    """How many of the patient's panels are still at work."""
    workflow = getToolByName(patient, "portal_workflow")
    states = [
        workflow.getInfoFor(panel, "review_state", None)
        for panel in patient.objectValues()
        if panel.portal_type == "Panel"
    ]
    return sum(1 for state in states if state in PANEL_AT_WORK)


def reindex_patient_of(panel, event=None):
    """A panel changed state, came or went: its patient's count follows."""
    if IObjectRemovedEvent.providedBy(event):
        patient = event.oldParent
    else:
        patient = aq_parent(panel)
    if patient is not None and getattr(patient, "portal_type", None) == "Patient":
        patient.reindexObject(idxs=["active_panels"])
