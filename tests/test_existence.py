"""Under /centres, no answer tells someone who may not know whether a
patient (or a panel of a patient) exists (traversal.py): an unknown name
is refused exactly like an existing one, in pages and in the REST API;
the patient's centre, who may know, gets a 404."""

from ern.cpms.demo import DEMO_PASSWORD
from plone import api
from urllib.parse import unquote

import pytest
import requests
import transaction


MISSING = "ern-zzzz-9999-zzzz"


def _open_panel(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    return brain.getPath().split("/")[2:]  # centres, centre, patient, panel


@pytest.fixture
def paths(functional_portal):
    transaction.commit()
    _centres, centre, patient, panel = _open_panel(functional_portal)
    return {
        "patient": f"centres/{centre}/{patient}",
        "missing patient": f"centres/{centre}/{MISSING}",
        "panel": f"centres/{centre}/{patient}/{panel}",
        "missing panel": f"centres/{centre}/{patient}/ern-eye-treatment-9",
        "missing under missing": f"centres/{centre}/{MISSING}/{panel}",
    }


def _get(portal, logins, path, userid, rest, method="GET"):
    headers = {"Accept": "application/json"} if rest else {}
    if userid:
        headers.update(logins.authorization(userid, DEMO_PASSWORD))
    response = requests.request(
        method,
        f"{portal.absolute_url()}/{path}",
        headers=headers,
        allow_redirects=False,
    )
    return response


def _shape(response, path):
    """What the caller learns: the status, where it is sent, the body —
    with the asked-for address (which the caller knows) taken out."""
    text = response.text.replace(path, "<path>")
    location = unquote(response.headers.get("Location", "")).replace(path, "<path>")
    return response.status_code, location, text


OUTSIDERS = [None, "dr.martin", "coordinator.eye"]
CHANNELS = pytest.mark.parametrize("rest", [False, True], ids=["html", "rest"])


@CHANNELS
@pytest.mark.parametrize("userid", OUTSIDERS)
@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ("patient", "missing patient"),
        ("patient", "missing under missing"),
        ("panel", "missing panel"),
    ],
)
def test_unknown_names_answer_like_existing_ones(
    functional_portal, logins, paths, userid, rest, known, unknown
):
    """Anonymous (sent to the login form), another centre's expert (who
    may be invited to one panel of the patient, not to this one) and a
    coordinator learn the same of an existing and of a missing pseudonym."""
    if userid == "dr.martin" and known == "panel":
        # He is invited to this panel: compare with one he is not on.
        known = "missing panel"
    first = _get(functional_portal, logins, paths[known], userid, rest)
    second = _get(functional_portal, logins, paths[unknown], userid, rest)
    assert first.status_code in (302, 401)
    assert _shape(first, paths[known]) == _shape(second, paths[unknown])


# What may follow a name: a view, a REST service, a private name, an add
# form, nothing.
SUFFIXES = ["/@@edit", "/@@nope", "/@nope", "/@workflow/open", "/_x", "/++add++Panel"]


@CHANNELS
@pytest.mark.parametrize("userid", [None, "dr.martin"])
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_what_follows_the_name_tells_nothing(
    functional_portal, logins, paths, userid, rest, suffix
):
    for known, unknown in (("patient", "missing patient"), ("panel", "missing panel")):
        if userid == "dr.martin" and known == "panel":
            continue  # he is invited to this panel: it opens to him
        first_path = paths[known] + suffix
        second_path = paths[unknown] + suffix
        first = _get(functional_portal, logins, first_path, userid, rest)
        second = _get(functional_portal, logins, second_path, userid, rest)
        assert first.status_code in (302, 401), (first_path, first.status_code)
        assert _shape(first, first_path) == _shape(second, second_path)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PROPFIND", "DELETE"])
def test_other_methods_tell_nothing(functional_portal, logins, paths, method):
    """WebDAV answers a missing name with a null resource, not a KeyError."""
    for userid in (None, "dr.martin"):
        first = _get(functional_portal, logins, paths["patient"], userid, False, method)
        second = _get(
            functional_portal, logins, paths["missing patient"], userid, False, method
        )
        assert first.status_code == second.status_code, (method, userid)
        assert first.status_code in (302, 401, 403, 405), (method, userid)


@CHANNELS
def test_the_centre_learns_what_is_missing(functional_portal, logins, paths, rest):
    """Who may list the centre's patients gets a plain 404."""
    for name in ("patient", "panel"):
        assert _get(functional_portal, logins, paths[name], "dr.dekker", rest).ok
    for name in ("missing patient", "missing panel", "missing under missing"):
        response = _get(functional_portal, logins, paths[name], "dr.dekker", rest)
        assert response.status_code == 404, name


def test_the_member_of_a_panel_learns_nothing_of_the_others(
    functional_portal, logins, paths
):
    """expert.rossi sits on the open panel: it opens; a panel of the same
    patient he is not on, existing or not, is refused alike."""
    patient = functional_portal.unrestrictedTraverse(paths["patient"])
    with api.env.adopt_user(username="dr.dekker"):
        other = api.content.create(
            container=patient,
            type="Panel",
            id="ern-eye-treatment",
            ern="ERN-EYE",
            panel_type="treatment",
            reason="A second question.",
            panel_lead="dr.dekker",
        )
    transaction.commit()
    other_path = f"{paths['patient']}/{other.getId()}"
    for rest in (False, True):
        own = _get(functional_portal, logins, paths["panel"], "expert.rossi", rest)
        assert own.status_code == 200
        existing = _get(functional_portal, logins, other_path, "expert.rossi", rest)
        missing = _get(
            functional_portal, logins, paths["missing panel"], "expert.rossi", rest
        )
        assert existing.status_code in (302, 401)
        assert _shape(existing, other_path) == _shape(missing, paths["missing panel"])


def test_code_that_traverses_paths_still_finds_nothing(functional_portal, paths):
    """Only the publisher's traversal is changed."""
    assert api.content.get(path="/" + paths["missing patient"]) is None
    with pytest.raises(KeyError):
        functional_portal.unrestrictedTraverse(paths["missing patient"])
