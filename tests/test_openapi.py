"""The OpenAPI description of the named services, checked against the
running test site with schemathesis: for every documented operation, as
several roles, no 5xx and every response as described."""

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from pathlib import Path

import base64
import pytest
import requests
import schemathesis
import transaction
import yaml


ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "ern" / "cpms" / "restapi" / "openapi.yaml"
# Who calls every generated request: a lead and health professional, a
# member and other centre's expert, a coordinator, an editor, nobody.
ROLES = ("dr.dekker", "dr.martin", "coordinator.eye", "editor.eye", None)


def test_docs_keep_the_served_description():
    assert (ROOT / "docs" / "openapi.yaml").read_text() == SOURCE.read_text()


def test_the_site_serves_it_with_its_own_address(functional_portal):
    transaction.commit()
    url = functional_portal.absolute_url()
    served = requests.get(f"{url}/@openapi", headers={"Accept": "application/json"})
    assert served.status_code == 200
    body = served.json()
    assert body["openapi"] == "3.1.0"
    assert body["servers"] == [{"url": url}]
    assert body["paths"] == yaml.safe_load(SOURCE.read_text())["paths"]


def _demo_paths(portal):
    """Real objects for the path parameters: the demo's open panel,
    dr.martin's pending invitation to it, guest.visser's access request."""
    catalog = portal.portal_catalog
    (brain,) = catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    _empty, _plone, _centres, centre, patient, panel = brain.getPath().split("/")
    invitation = next(
        item.getId()
        for item in brain._unrestrictedGetObject().objectValues()
        if item.portal_type == "Invitation" and item.invitee == "dr.martin"
    )
    return {
        "centre": centre,
        "patient": patient,
        "panel": panel,
        "invitation": invitation,
        "ern": "ern-eye",
        # guest.visser's pending request (demo.py).
        "request": "request-ern-eye",
        # The open panel's data request (demo_panels.py) and a published
        # webinar of ERN-EYE (demo_resources.py).
        "item": "data-request",
        "publication": "cpms-for-panel-leads",
    }


OPERATIONS = [
    operation["operationId"]
    for path in yaml.safe_load(SOURCE.read_text())["paths"].values()
    for method, operation in path.items()
    if method in ("get", "post", "put", "patch", "delete")
]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_operation_as_every_role(functional_portal, operation_id, logins):
    """Generated requests (valid and not) for one operation, each sent as
    every role (and once with the credentials schemathesis makes up from
    the security schemes); every other one names the demo's real objects."""
    transaction.commit()
    url = functional_portal.absolute_url()
    demo = _demo_paths(functional_portal)
    # Each role logged in with a second factor (tests/logins.py), once.
    credentials = {
        userid: logins.authorization(userid) if userid else {} for userid in ROLES
    }
    schema = schemathesis.openapi.from_url(
        f"{url}/@openapi", headers={"Accept": "application/json"}
    )
    operation = schema.find_operation_by_id(operation_id)
    calls = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case):
        # Every other example names the demo's real objects (the rest are
        # generated names: 404s and refusals).
        calls.append(case)
        if case.path_parameters and len(calls) % 2 == 0:
            for name in case.path_parameters:
                # The transition stays as generated (one of its enum).
                if name in demo:
                    case.path_parameters[name] = demo[name]
        # Credentials are ours: not those generated from the security schemes.
        case.headers = {
            k: v
            for k, v in (case.headers or {}).items()
            if k.lower() != "authorization"
        }
        excluded = [schemathesis.checks.positive_data_acceptance]
        if case.method == "DELETE":
            # After a DELETE that worked, schemathesis replays it without
            # credentials and expects 401/403: the object is gone, so 404.
            excluded.append(schemathesis.checks.ignored_auth)
        # As generated: its own Authorization header, if it made one up.
        case.call_and_validate(
            headers={"Accept": "application/json"}, excluded_checks=excluded
        )
        case.headers = {
            k: v
            for k, v in (case.headers or {}).items()
            if k.lower() != "authorization"
        }
        for userid in ROLES:
            case.call_and_validate(
                headers={"Accept": "application/json", **credentials[userid]},
                # Business rules refuse some schema-valid input (a reply-by
                # date in the past, an expert who is not of the ERN): a
                # documented 400, not a failure.
                excluded_checks=excluded,
            )

    check()


@pytest.mark.parametrize(
    "token",
    [
        "Basic " + base64.b64encode(b"\xec\x80:\xbc").decode(),  # not UTF-8
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
    ],
)
def test_malformed_basic_credentials_are_no_credentials(functional_portal, token):
    """Zope answered 500 here (patches.py): now anonymous, so 401."""
    transaction.commit()
    response = requests.get(
        f"{functional_portal.absolute_url()}/@my-work",
        headers={"Accept": "application/json", "Authorization": token},
    )
    assert response.status_code == 401
