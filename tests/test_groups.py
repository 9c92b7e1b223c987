"""A centre or an ERN gets its groups; group members hold the local roles."""

from ern.cpms.groups import group_id
from plone import api
from zExceptions import BadRequest
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent

import pytest


@pytest.fixture
def manager(portal):
    with api.env.adopt_roles(["Manager"]):
        yield


@pytest.fixture
def new_centre(portal, manager):
    return api.content.create(
        container=portal["centres"],
        type="Centre",
        title="Hospital Universitari Vall d'Hebron",
        country="ES",
        city="Barcelona",
        ern_memberships=["ERN-EYE"],
    )


def test_creating_a_centre_creates_its_group(new_centre):
    group = api.group.get(groupname=f"{new_centre.getId()}-health-professionals")
    assert group is not None
    assert "Vall d'Hebron" in group.getProperty("title")


def test_centre_group_holds_health_professional_role(new_centre):
    groupname = f"{new_centre.getId()}-health-professionals"
    assert "HealthProfessional" in dict(new_centre.get_local_roles())[groupname]


def test_adding_a_user_to_the_group_makes_a_health_professional(portal, new_centre):
    api.user.create(username="dr.garcia", email="garcia@example.org", password="x" * 12)
    api.group.add_user(
        groupname=f"{new_centre.getId()}-health-professionals", username="dr.garcia"
    )
    assert "HealthProfessional" in api.user.get_roles(
        username="dr.garcia", obj=new_centre
    )
    assert "HealthProfessional" not in api.user.get_roles(
        username="dr.garcia", obj=portal["centres"]["necker"]
    )


def test_renamed_centre_keeps_its_group_and_members(portal, new_centre):
    old_group = f"{new_centre.getId()}-health-professionals"
    api.group.add_user(groupname=old_group, username="dr.martin")
    renamed = api.content.rename(obj=new_centre, new_id="vall-hebron")
    assert group_id(renamed, "health-professionals") == old_group
    assert "HealthProfessional" in api.user.get_roles(username="dr.martin", obj=renamed)


def test_temporary_id_leaves_no_stray_group(new_centre):
    # plone.api adds under a temporary id, then renames.
    groups = {g.getId() for g in api.group.get_groups()}
    assert {g for g in groups if g.endswith("-health-professionals")} == {
        "charite-health-professionals",
        "erasmus-mc-health-professionals",
        "necker-health-professionals",
        f"{new_centre.getId()}-health-professionals",
    }
    group_principals = {
        principal
        for principal in dict(new_centre.get_local_roles())
        if principal.endswith("-health-professionals")
    }
    assert group_principals == {f"{new_centre.getId()}-health-professionals"}


def test_copied_centre_gets_groups_of_its_own(portal, new_centre):
    copy = api.content.copy(source=new_centre, target=portal["centres"], id="copy")
    assert group_id(copy, "health-professionals") == "copy-health-professionals"
    assert group_id(new_centre, "health-professionals") != group_id(
        copy, "health-professionals"
    )


def test_ern_gets_coordinator_and_editor_groups(portal, manager):
    ern = api.content.create(
        container=portal["erns"], type="ERN", code="ERKNet", title="ERKNet"
    )
    assert ern.getId() == "erknet"
    local_roles = dict(ern.get_local_roles())
    assert local_roles["erknet-coordinators"] == ("ERNCoordinator",)
    assert local_roles["erknet-editors"] == ("ERNEditor",)


def test_centres_do_not_keep_an_order_list(portal):
    # Concurrent enrolments must not conflict on a shared order list.
    assert portal["centres"].getOrdering().__class__.__name__ == "UnorderedOrdering"
    assert (
        portal["centres"]["necker"].getOrdering().__class__.__name__
        == "UnorderedOrdering"
    )


def test_a_second_ern_of_the_same_network_is_refused(portal, manager):
    with pytest.raises(BadRequest, match="There is already an ERN for ERN-EYE"):
        api.content.create(
            container=portal["erns"], type="ERN", code="ERN-EYE", title="Again"
        )
    assert [ern.code for ern in portal["erns"].objectValues()].count("ERN-EYE") == 1


def test_changing_an_ern_code_to_a_taken_one_is_refused(portal, manager):
    ern = portal["erns"]["euro-nmd"]
    ern.code = "ERN-EYE"
    with pytest.raises(BadRequest, match="There is already an ERN for ERN-EYE"):
        notify(ObjectModifiedEvent(ern))
