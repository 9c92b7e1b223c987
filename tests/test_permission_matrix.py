"""docs/permissions.md is the permission matrix; each cell is a test here."""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.SpecialUsers import nobody
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from patients import enrol_as
from plone import api
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
}


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


def test_matrix_covers_every_state_of_both_workflows(portal):
    covered = {(cell[0], cell[1]) for cell in CELLS}
    workflows = api.portal.get_tool("portal_workflow")
    for portal_type in ("Patient", "Panel"):
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
    workflows = api.portal.get_tool("portal_workflow")
    (workflow,) = workflows.getWorkflowsFor(obj)
    status = workflows.getStatusOf(workflow.getId(), obj)
    workflows.setStatusOf(workflow.getId(), obj, {**status, "review_state": state})
    workflow.updateRoleMappingsFor(obj)


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
    with acting_as("dr.dekker"):
        panel = createContentInContainer(
            patient,
            "Panel",
            ern="ERN-EYE",
            panel_type="second_opinion",
            reason="Second opinion on a treatment plan.",
        )
    panel.manage_setLocalRoles("expert.rossi", ["PanelMember"])
    panel.manage_setLocalRoles("dr.weber", ["InvitedExpert"])
    return panel


def allowed(obj, userid, action):
    with acting_as(userid):
        if action in ACTIONS:
            return bool(getSecurityManager().checkPermission(ACTIONS[action], obj))
        workflows = api.portal.get_tool("portal_workflow")
        return action in {t["id"] for t in workflows.getTransitionsFor(obj)}


@pytest.mark.parametrize(
    ("portal_type", "state", "column", "action", "expected"),
    CELLS,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}".replace(" ", "_") for c in CELLS],
)
def test_cell(request, portal_type, state, column, action, expected):
    obj = request.getfixturevalue(portal_type.lower())
    put_in_state(obj, state)
    userid = USERS[portal_type][column]
    assert allowed(obj, userid, action) is expected
