"""ERN publishing: resources, webinars, the publication workflow, members."""

from datetime import datetime
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.publishing import member_groups
from ern.cpms.publishing import webinars
from plone import api
from plone.namedfile.file import NamedBlobFile
from Products.CMFCore.indexing import processQueue
from zExceptions import Unauthorized
from zope.event import notify
from zope.interface import Invalid
from zope.lifecycleevent import ObjectModifiedEvent
from zope.schema import ValidationError

import pytest
import transaction


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def resources(portal, code="ern-eye"):
    return portal["erns"][code]["resources"]


def test_every_ern_has_public_resources_with_the_policy(portal):
    for code in ("ern-eye", "euro-nmd"):
        folder = resources(portal, code)
        assert api.content.get_state(folder) == "public"
    workflow = portal.portal_workflow
    manual = resources(portal)["user-manual"]
    assert workflow.getChainFor(manual) == ("cpms_publication_workflow",)
    # Outside ERNs, Plone's pages keep Plone's workflow.
    assert workflow.getChainFor("Document") != ("cpms_publication_workflow",)


def test_the_demo_publishes_the_user_manual_from_docs(portal):
    manual = resources(portal)["user-manual"]
    assert api.content.get_state(manual) == "public"
    html = manual.text.output
    assert "<h1" in html or "<h2" in html
    assert "panel" in html.lower()


def test_the_members_of_an_ern_are_its_member_centres_professionals(portal):
    groups = member_groups(portal["erns"]["ern-eye"])
    assert "erasmus-mc-health-professionals" in groups
    assert "charite-health-professionals" in groups


def test_who_sees_a_webinar_in_each_state(portal):
    past = resources(portal)["inherited-retinal-dystrophies-2026"]
    assert api.content.get_state(past) == "members"
    for userid, sees in (
        ("dr.dekker", True),  # Erasmus MC is an ERN-EYE member
        ("editor.eye", True),
        ("coordinator.eye", True),
    ):
        with api.env.adopt_user(username=userid):
            assert api.user.has_permission("View", obj=past) is sees, userid
    with api.env.adopt_roles(["Anonymous"]):
        assert api.user.has_permission("View", obj=past) is False


def add_karolinska(portal, networks):
    with api.env.adopt_roles(["Manager"]):
        centre = api.content.create(
            container=portal["centres"],
            type="Centre",
            id="karolinska",
            title="Karolinska",
            country="SE",
            city="Stockholm",
            ern_memberships=networks,
        )
    api.user.create(email="s@example.org", username="dr.svensson", password="x" * 12)
    api.group.add_user(
        groupname="karolinska-health-professionals", username="dr.svensson"
    )
    return centre


def visible_webinars(userid):
    with api.env.adopt_user(username=userid):
        return [b.getId for b in api.content.find(portal_type="Webinar")]


PAST = "inherited-retinal-dystrophies-2026"


def test_a_centre_outside_the_ern_does_not_see_member_resources(portal):
    add_karolinska(portal, ["ERKNet"])
    past = resources(portal)[PAST]
    with api.env.adopt_user(username="dr.svensson"):
        assert api.user.has_permission("View", obj=past) is False
    assert PAST not in visible_webinars("dr.svensson")
    assert "cpms-for-panel-leads" in visible_webinars("dr.svensson")


def test_a_centre_that_joins_the_ern_sees_them(portal):
    add_karolinska(portal, ["ERKNet", "ERN-EYE"])
    past = resources(portal)[PAST]
    with api.env.adopt_user(username="dr.svensson"):
        assert api.user.has_permission("View", obj=past) is True
    assert PAST in visible_webinars("dr.svensson")


def test_joining_an_ern_updates_the_catalog_security(portal):
    centre = add_karolinska(portal, ["ERKNet"])
    catalog = portal.portal_catalog
    index = catalog._catalog.getIndex("allowedRolesAndUsers")
    (brain,) = catalog.unrestrictedSearchResults(getId=PAST)
    principal = "user:karolinska-health-professionals"
    assert principal not in index.getEntryForObject(brain.getRID())
    centre.ern_memberships = ["ERKNet", "ERN-EYE"]
    centre.reindexObject()
    notify(ObjectModifiedEvent(centre))
    processQueue()
    assert principal in index.getEntryForObject(brain.getRID())


def test_upcoming_and_past_listings(portal, http_request):
    ern = portal["erns"]["ern-eye"]
    with api.env.adopt_user(username="dr.dekker"):
        upcoming = [b.getId for b in webinars(ern, upcoming=True)]
        past = [b.getId for b in webinars(ern, upcoming=False)]
        html = api.content.get_view("webinars", ern, http_request)()
    assert upcoming == ["cpms-for-panel-leads"]
    assert past == ["inherited-retinal-dystrophies-2026"]
    assert "Upcoming webinars" in html
    assert "Past webinars" in html


def test_anonymous_sees_public_webinars_only(functional_portal, request_factory):
    transaction.commit()
    session = request_factory(api=False)
    page = session.get("/erns/ern-eye/@@webinars").text
    assert "CPMS for panel leads" in page
    assert "Inherited retinal dystrophies" not in page
    member = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    assert (
        "Inherited retinal dystrophies" in member.get("/erns/ern-eye/@@webinars").text
    )


def test_an_editor_writes_and_publishes_a_webinar_with_a_video(portal, http_request):
    with api.env.adopt_user(username="editor.eye"):
        webinar = api.content.create(
            container=resources(portal),
            type="Webinar",
            title="Stargardt disease update",
            start=datetime(2026, 12, 10, 16, 0),
            end=datetime(2026, 12, 10, 17, 0),
            timezone="Europe/Rome",
            recording=NamedBlobFile(MP4, filename="talk.mp4"),
            captions=NamedBlobFile(
                b"WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome.\n", filename="talk.vtt"
            ),
            slides=NamedBlobFile(b"%PDF-1.4 slides", filename="slides.pdf"),
        )
        assert api.content.get_state(webinar) == "draft"
        html = api.content.get_view("view", webinar, http_request)()
        api.content.transition(obj=webinar, transition="publish_to_members")
    assert "<video" in html
    assert 'type="video/mp4"' in html
    assert 'kind="captions"' in html
    assert "@@download/captions" in html
    assert "@@download/slides" in html
    assert "Europe/Rome" in html
    with api.env.adopt_user(username="dr.weber"):
        assert api.user.has_permission("View", obj=webinar)
    # A coordinator reads drafts but does not publish.
    with api.env.adopt_user(username="coordinator.eye"):
        assert not api.user.has_permission(
            "ern.cpms: Publish ERN resources", obj=webinar
        )


def test_a_health_professional_cannot_publish_in_the_ern(portal):
    with (
        api.env.adopt_user(username="dr.dekker"),
        pytest.raises(Unauthorized),
    ):
        api.content.create(
            container=resources(portal), type="Webinar", title="Not mine"
        )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("recording", (b"not a video at all", "talk.mp4"), "NotAVideo"),
        ("slides", (b"MZ\x90\x00", "slides.exe"), "NotSlides"),
        (
            "captions",
            (b"1\n00:00:00,000 --> 00:00:02,000\n", "talk.srt"),
            "NotCaptions",
        ),
        ("recording_link", "http://insecure.example.org/video", "NotHTTPS"),
    ],
)
def test_bad_files_and_links_are_refused(portal, field, value, reason):
    from ern.cpms.content.webinar import IWebinar

    if isinstance(value, tuple):
        value = NamedBlobFile(value[0], filename=value[1])
    with pytest.raises(ValidationError) as refused:
        IWebinar[field].validate(value)
    assert type(refused.value).__name__ == reason


def test_a_video_and_a_link_together_are_refused(portal):
    from ern.cpms.content.webinar import IWebinar

    class Data:
        recording = NamedBlobFile(MP4, filename="talk.mp4")
        recording_link = "https://example.org/video"

    with pytest.raises(Invalid):
        IWebinar.validateInvariants(Data())
