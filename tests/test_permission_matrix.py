"""docs/permissions.md is the permission matrix; each cell is a test here."""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.SpecialUsers import nobody
from contextlib import contextmanager
from datetime import date
from datetime import datetime
from datetime import UTC
from ern.cpms import invitations
from ern.cpms.panel_content import outcome_of
from ern.cpms.panel_content import set_state
from panels import write_outcome
from pathlib import Path
from patients import enrol_as
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContentInContainer

import pytest
import re


MATRIX = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"

ACTIONS = {
    "view": "View",
    "view identity": "ern.cpms: View patient identity",
    "view clinical data": "ern.cpms: View clinical data",
    "edit": "Modify portal content",
    "add panel": "ern.cpms: Add Panel",
    "invite": "ern.cpms: Add Invitation",
    "comment": "ern.cpms: Add Comment",
    "contribute": "ern.cpms: Add Contribution",
    "write outcome": "ern.cpms: Add OutcomeDocument",
    "ask for data": "ern.cpms: Add DataRequest",
    "attach": "ern.cpms: Add Attachment",
    "schedule meeting": "ern.cpms: Add Meeting",
    "delete": "Delete objects",
}

# Who each column is, for each type (see docs/permissions.md).
USERS = {
    "Patient": {
        "own centre": "dr.dekker",
        "other centre": "dr.martin",
        "coordinator": "coordinator.eye",
        "editor": "editor.eye",
        "anonymous": None,
    },
    "Panel": {
        "lead": "dr.dekker",
        "own centre": "dr.bakker",
        "member": "expert.rossi",
        "invited": "dr.weber",
        "other centre": "dr.martin",
        "coordinator": "coordinator.eye",
        "anonymous": None,
    },
    "Invitation": {
        "lead": "dr.dekker",
        "own centre": "dr.bakker",
        "member": "expert.rossi",
        "invitee": "dr.weber",
        "other invitee": "dr.lang",
        "other centre": "dr.martin",
        "anonymous": None,
    },
    "Comment": {
        "lead": "dr.dekker",
        "own centre": "dr.bakker",
        "author": "expert.rossi",
        "invited": "dr.weber",
        "other centre": "dr.martin",
        "anonymous": None,
    },
    "DataRequest": {
        "lead": "dr.dekker",
        "own centre": "dr.bakker",
        "requester": "expert.rossi",
        "invited": "dr.weber",
        "other centre": "dr.martin",
        "anonymous": None,
    },
    "OutcomeDocument": {
        "lead": "dr.dekker",
        "own centre": "dr.bakker",
        "member": "expert.rossi",
        "invited": "dr.weber",
        "other centre": "dr.martin",
        "anonymous": None,
    },
    "Webinar": {
        "editor": "editor.eye",
        "coordinator": "coordinator.eye",
        "ERN member": "dr.dekker",
        "not a member": "guest.expert",
        "anonymous": None,
    },
}
USERS["AccessRequest"] = {
    "requester": "anna.visser",
    "coordinator": "coordinator.eye",
    "other ERN's coordinator": "coordinator.nmd",
    "own centre": "dr.dekker",
    "anonymous": None,
}
TYPES = tuple(USERS)


def read_matrix():
    """(type, state, column, action, expected) for every cell of the file."""
    cells = []
    heading = re.compile(r"^### (\w+), state `(\w+)`$")
    portal_type = state = columns = None
    for line in MATRIX.read_text().splitlines():
        if match := heading.match(line):
            portal_type, state = match.groups()
            columns = None
            continue
        if not line.startswith("|") or state is None or set(line) <= set("|-"):
            continue
        row = [cell.strip() for cell in line.strip("|").split("|")]
        if row[0] == "action":
            columns = row[1:]
            continue
        for column, value in zip(columns, row[1:], strict=True):
            cells.append((portal_type, state, column, row[0], value == "yes"))
    return cells


CELLS = read_matrix()


def test_matrix_covers_every_state_of_every_workflow(portal):
    covered = {(cell[0], cell[1]) for cell in CELLS}
    workflows = api.portal.get_tool("portal_workflow")
    for portal_type in TYPES:
        (workflow,) = workflows.getWorkflowsFor(portal_type)
        assert {(portal_type, s) for s in workflow.states.objectIds()} <= covered


@contextmanager
def acting_as(userid):
    """Run as a user (or as anonymous for None), whatever the local roles."""
    previous = getSecurityManager()
    acl_users = api.portal.get_tool("acl_users")
    user = nobody if userid is None else acl_users.getUserById(userid)
    newSecurityManager(None, user if userid is None else user.__of__(acl_users))
    try:
        yield
    finally:
        setSecurityManager(previous)


def put_in_state(obj, state):
    """Set the workflow state directly: test set-up, not a transition."""
    set_state(obj, state)


@pytest.fixture
def patient(portal):
    api.user.create(username="dr.bakker", email="b@example.org", password="x" * 12)
    api.group.add_user(
        groupname="erasmus-mc-health-professionals", username="dr.bakker"
    )
    return enrol_as(
        "dr.dekker",
        portal["centres"]["erasmus-mc"],
        given_names="Noor",
        family_name="Visser",
        date_of_birth=date(2014, 8, 8),
    )


@pytest.fixture
def panel(patient):
    """A panel with a member, two pending invitees and a draft outcome."""
    api.user.create(username="dr.lang", email="l@example.org", password="x" * 12)
    api.group.add_user(groupname="charite-health-professionals", username="dr.lang")
    with acting_as("dr.dekker"):
        panel = createContentInContainer(
            patient,
            "Panel",
            ern="ERN-EYE",
            panel_type="second_opinion",
            reason="Second opinion on a treatment plan.",
        )
        put_in_state(panel, "open")
        member, *_pending = invitations.invite(
            panel, ["expert.rossi", "dr.weber", "dr.lang"]
        )
    with acting_as("expert.rossi"):
        invitations.answer(member, accept=True)
    write_outcome(panel)
    put_in_state(panel, "draft")
    return panel


@pytest.fixture
def invitation(panel):
    """dr.weber's pending invitation, in an open panel."""
    put_in_state(panel, "open")
    (found,) = [i for i in invitations.invitations_of(panel) if i.invitee == "dr.weber"]
    return found


@pytest.fixture
def comment(panel):
    """expert.rossi's comment, in an open panel."""
    put_in_state(panel, "open")
    with acting_as("expert.rossi"):
        return createContentInContainer(
            panel,
            "Comment",
            text=RichTextValue("<p>Seen before.</p>", "text/html", "text/x-html-safe"),
        )


@pytest.fixture
def datarequest(panel):
    """expert.rossi's data request, in an open panel, with an answer
    written (so that only permissions decide who may send it)."""
    put_in_state(panel, "open")
    with acting_as("expert.rossi"):
        request = createContentInContainer(
            panel, "DataRequest", question="The latest OCT, please."
        )
    request.answer = "Attached."
    return request


@pytest.fixture
def outcomedocument(panel):
    """The outcome document, its panel in outcome review."""
    put_in_state(panel, "outcome_review")
    return outcome_of(panel)


@pytest.fixture
def webinar(portal):
    """A webinar an ERN-EYE editor wrote in the ERN's resources."""
    api.user.create(username="guest.expert", email="g@example.org", password="x" * 12)
    with acting_as("editor.eye"):
        return api.content.create(
            container=portal["erns"]["ern-eye"]["resources"],
            type="Webinar",
            title="Matrix webinar",
            start=datetime(2027, 1, 5, 15, 0),
            end=datetime(2027, 1, 5, 16, 0),
        )


@pytest.fixture
def accessrequest(portal):
    """A guest's request for ERN-EYE, with a reason written (so that the
    reject guard leaves the decision to the permission) and a time already
    over (so that the expire guard does)."""
    for userid in ("anna.visser", "coordinator.nmd"):
        api.user.create(
            username=userid, email=f"{userid}@example.org", password="x" * 12
        )
    api.group.add_user(groupname="euro-nmd-coordinators", username="coordinator.nmd")
    with acting_as("anna.visser"):
        request = api.content.create(
            container=portal["access-requests"],
            type="AccessRequest",
            id="matrix-request",
            ern="ERN-EYE",
            requested_role="guest-expert",
            centre="guest",
            guest_institution="Rigshospitalet",
            guest_country="DK",
            job_title="Consultant",
            motivation="Two families with Stargardt disease.",
        )
    request.decision_reason = "Given for the matrix."
    request.access_until = datetime(2020, 1, 1, tzinfo=UTC)
    return request


def allowed(obj, userid, action):
    with acting_as(userid):
        if action in ACTIONS:
            return bool(getSecurityManager().checkPermission(ACTIONS[action], obj))
        workflows = api.portal.get_tool("portal_workflow")
        return action in {t["id"] for t in workflows.getTransitionsFor(obj)}


TABLES = list(dict.fromkeys((cell[0], cell[1]) for cell in CELLS))


def _cells_of(portal_type, state):
    return [cell[2:] for cell in CELLS if cell[:2] == (portal_type, state)]


@pytest.mark.parametrize(
    ("portal_type", "state"), TABLES, ids=[f"{t}-{s}" for t, s in TABLES]
)
def test_table(request, portal_type, state):
    """One table of the file: every cell, with one set-up of the content."""
    obj = request.getfixturevalue(portal_type.lower())
    put_in_state(obj, state)
    wrong = [
        f"{action} by {column}: expected {'yes' if expected else 'no'}"
        for column, action, expected in _cells_of(portal_type, state)
        if allowed(obj, USERS[portal_type][column], action) is not expected
    ]
    assert not wrong, "\n".join(wrong)
