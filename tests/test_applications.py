"""The Centre application (patient list) and the ERN application (my work)."""

from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.patient_search import search_query
from panels import make_panel
from patients import enrol_as
from plone import api

import pytest
import re
import transaction


def patients_page(portal, http_request, userid, centre="erasmus-mc", **form):
    """The patient list as `userid` asks for it: as the page's forms do,
    by POST (a name typed to search never stands in a URL)."""
    http_request.form.update(form)
    http_request.environ["REQUEST_METHOD"] = "POST"
    http_request.other["method"] = "POST"
    with api.env.adopt_user(username=userid):
        view = api.content.get_view("patients", portal["centres"][centre], http_request)
        return view, view()


def listed(html):
    """The pseudonyms in the page's table, in order."""
    return re.findall(r">(ERN-[0-9A-Z-]+)</a></td>", html)


def test_lists_every_patient_of_the_centre_whoever_enrolled_them(portal, http_request):
    api.user.create(email="k@example.org", username="dr.kok", password="x" * 12)
    api.group.add_user(groupname="erasmus-mc-health-professionals", username="dr.kok")
    other = enrol_as("dr.kok", portal["centres"]["erasmus-mc"], family_name="Kok")
    view, html = patients_page(portal, http_request, "dr.dekker")
    assert other.pseudonym in listed(html)
    assert "Jansen, Lotte" in html
    assert "de Vries, Daan" in html
    # Nobody of another centre.
    assert "Moreau" not in html
    assert view.total() == 3


def test_search_finds_by_name_prefix_and_by_pseudonym(portal, http_request):
    patients = portal["centres"]["erasmus-mc"].objectValues()
    jansen = next(p for p in patients if p.family_name == "Jansen")
    for query in ("jans", "JANSEN lot", "Jänsen", "lotte"):
        _view, html = patients_page(portal, http_request, "dr.dekker", q=query)
        assert listed(html) == [jansen.pseudonym], query
        http_request.form.clear()
    code = jansen.pseudonym
    for query in (
        code,
        code.lower().replace("-", ""),
        code[:8],
        code[4:8],
        code[4:8].lower(),
        code[4:13],
    ):
        _view, html = patients_page(portal, http_request, "dr.dekker", q=query)
        assert listed(html) == [jansen.pseudonym], query
        http_request.form.clear()
    _view, html = patients_page(portal, http_request, "dr.dekker", q="smith")
    assert listed(html) == []
    assert "No patient matches." in html


def test_a_name_in_the_url_searches_nothing_and_stays_out_of_links(
    functional_portal, request_factory
):
    transaction.commit()
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    page = session.get("/centres/erasmus-mc/@@patients", params={"q": "jansen"}).text
    # Both patients: the GET's q is not read.
    assert len(listed(page)) == 2
    searched = session.post(
        "/centres/erasmus-mc/@@patients", data={"q": "jansen", "sort": "pseudonym"}
    ).text
    assert len(listed(searched)) == 1
    assert 'method="post"' in searched
    # The typed name is in the search box, never in a link.
    assert not re.search(r'href="[^"]*jansen', searched, re.IGNORECASE)


def test_pages_carry_the_search_in_a_form(portal, http_request):
    centre = portal["centres"]["erasmus-mc"]
    for number in range(27):
        enrol_as("dr.dekker", centre, family_name=f"Smitsen {number}")
    _view, html = patients_page(portal, http_request, "dr.dekker", q="smitsen")
    assert len(listed(html)) == 25
    pager = html.split('class="cpms-pager', 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in pager
    assert 'name="q"' in pager
    assert 'value="smitsen"' in pager
    assert 'value="25"' in pager
    assert "Page" in pager
    http_request.form.clear()
    _view, html = patients_page(
        portal, http_request, "dr.dekker", q="smitsen", b_start="25"
    )
    assert len(listed(html)) == 2


@pytest.mark.parametrize("name", ["q", "sort", "consent", "panels", "b_start"])
def test_a_repeated_parameter_is_not_an_error(portal, http_request, name):
    http_request.form[name] = ["a", "b"]
    _view, html = patients_page(portal, http_request, "dr.dekker")
    assert len(listed(html)) == 2


def test_names_with_a_dash_or_in_several_words(portal, http_request):
    centre = portal["centres"]["erasmus-mc"]
    smit = enrol_as("dr.dekker", centre, family_name="Jansen-Smit", given_names="Eva")
    for query in ("Jansen-Smit", "jansen-sm", "jansensmit", "smit eva", "de vries"):
        http_request.form.clear()
        _view, html = patients_page(portal, http_request, "dr.dekker", q=query)
        found = listed(html)
        assert found, query
        if "vries" not in query:
            assert found == [smit.pseudonym], query


def test_a_one_letter_search_says_what_to_type(portal, http_request):
    _view, html = patients_page(portal, http_request, "dr.dekker", q="j")
    assert "Type at least two letters or digits to search." in html
    assert listed(html) == []


def test_the_index_holds_no_name(portal):
    catalog = portal.portal_catalog
    index = catalog._catalog.indexes["patient_search_keys"]
    keys = set(index.uniqueValues())
    assert keys, "patients are indexed"
    for name in ("jansen", "jans", "lotte", "vries"):
        assert name not in keys
        # (Not a hex digit in these names: no key can contain them by chance.)
        assert not any(name in key for key in keys)
    # A typed prefix is looked up under a key, not as text.
    assert search_query("jans")["query"][0] in keys


def test_another_centre_finds_nothing_of_ours(portal, http_request):
    _view, html = patients_page(
        portal, http_request, "dr.martin", centre="necker", q="jansen"
    )
    assert listed(html) == []


def test_other_centres_may_not_open_our_list(functional_portal, request_factory):
    transaction.commit()
    session = request_factory(basic_auth=("dr.martin", DEMO_PASSWORD), api=False)
    response = session.get("/centres/erasmus-mc/@@patients")
    assert "Jansen" not in response.text
    assert "insufficient-privileges" in response.url or response.status_code in (
        401,
        403,
    )


def test_filter_by_panels_at_work_and_consent(portal, http_request):
    panel = make_panel(portal, ("Noor", "Bakker"))
    bakker = panel.__parent__
    _view, html = patients_page(portal, http_request, "dr.dekker", panels="active")
    # The demo's draft (Jansen) and open (de Vries) panels and this one.
    assert bakker.pseudonym in listed(html)
    assert len(listed(html)) == 3
    http_request.form.clear()
    _view, html = patients_page(portal, http_request, "dr.dekker", panels="none")
    assert bakker.pseudonym not in listed(html)
    http_request.form.clear()
    with api.env.adopt_user(username="dr.dekker"):
        api.content.transition(obj=panel, transition="cancel")
    _view, html = patients_page(portal, http_request, "dr.dekker", panels="none")
    assert bakker.pseudonym in listed(html), "a cancelled panel is not at work"
    http_request.form.clear()
    _view, html = patients_page(
        portal, http_request, "dr.dekker", consent="consent_withdrawn"
    )
    assert listed(html) == []


@pytest.mark.parametrize(
    "form",
    [
        {"sort": "nonsense"},
        {"consent": "<script>"},
        {"panels": "all'"},
        {"b_start": "minus-one"},
        {"b_start": "-5"},
    ],
)
def test_bad_parameters_fall_back_to_the_defaults(portal, http_request, form):
    _view, html = patients_page(portal, http_request, "dr.dekker", **form)
    assert len(listed(html)) == 2
    assert "<script>" not in html


def test_pages_of_25_sorted_by_pseudonym(portal, http_request):
    centre = portal["centres"]["erasmus-mc"]
    for number in range(30):
        enrol_as("dr.dekker", centre, family_name=f"Test {number}")
    view, html = patients_page(portal, http_request, "dr.dekker", sort="pseudonym")
    first = listed(html)
    assert len(first) == 25
    assert first == sorted(first)
    assert view.total() == 32
    http_request.form.clear()
    _view, html = patients_page(
        portal, http_request, "dr.dekker", sort="pseudonym", b_start="25"
    )
    second = listed(html)
    assert len(second) == 7
    assert not set(first) & set(second)
    assert max(first) < min(second)


def test_a_doctor_of_two_centres_switches_between_them(portal, http_request):
    api.group.add_user(groupname="necker-health-professionals", username="dr.dekker")
    _view, html = patients_page(portal, http_request, "dr.dekker")
    assert "Your other centres:" in html
    assert "/centres/necker/@@patients" in html
    with api.env.adopt_user(username="dr.dekker"):
        page = api.content.get_view("my-centre", portal, http_request)()
    assert "/centres/erasmus-mc/@@patients" in page
    assert "/centres/necker/@@patients" in page


def test_my_centre_leads_a_doctor_of_one_centre_to_the_list(portal, http_request):
    with api.env.adopt_user(username="dr.dekker"):
        api.content.get_view("my-centre", portal, http_request)()
    assert http_request.response.getHeader("Location").endswith(
        "/centres/erasmus-mc/@@patients"
    )


def test_my_centre_tells_who_has_none_what_to_do(portal, http_request):
    with api.env.adopt_user(username="coordinator.eye"):
        page = api.content.get_view("my-centre", portal, http_request)()
    assert "You are not a health professional of any centre yet." in page


def test_the_count_of_panels_follows_the_panels(portal):
    panel = make_panel(portal, ("Sem", "Visser"), state="draft")
    patient = panel.__parent__
    search = portal.portal_catalog.unrestrictedSearchResults
    assert search(UID=patient.UID())[0].active_panels == 1
    # (Panels are never deleted by people; an administrator's script may.)
    patient._delObject(panel.getId())
    assert search(UID=patient.UID())[0].active_panels == 0


# The ERN application.


def my_ern(portal, http_request, userid):
    with api.env.adopt_user(username=userid):
        return api.content.get_view("my-ern", portal, http_request)()


def test_the_expert_sees_the_pending_invitation_with_its_buttons(portal, http_request):
    html = my_ern(portal, http_request, "dr.martin")
    section = html.split("cpms-my-invitations", 1)[1].split("</section>", 1)[0]
    assert "@@invitation-action" in section
    assert 'value="accept"' in section
    assert 'value="decline"' in section
    assert "Urgent" in section
    # Identity never shows on the ERN side.
    assert "de Vries" not in html
    assert "Daan" not in html


def invitation_form(request_factory):
    """dr.martin's session, and where and what his first invitation's
    buttons on My ERN work post (the hidden fields)."""
    transaction.commit()
    session = request_factory(basic_auth=("dr.martin", DEMO_PASSWORD), api=False)
    page = session.get("/@@my-ern").text
    form = re.search(
        r'<form class="d-inline"\s+action="([^"]+)".*?</form>', page, re.DOTALL
    )
    fields = re.findall(r'name="(\w+)"\s+type="hidden"\s+value="([^"]*)"', form[0])
    return session, form[1], dict(fields)


def test_accepting_in_place_comes_back_to_my_ern(functional_portal, request_factory):
    session, action, fields = invitation_form(request_factory)
    assert set(fields) == {"_authenticator", "invitation", "came_from"}
    response = session.post(action, data={**fields, "action": "accept"})
    assert response.url.endswith("/@@my-ern")
    assert "Welcome to the panel." in response.text
    section = response.text.split("cpms-my-invitations", 1)[1].split("</section>")[0]
    assert "No invitation waits for you." in section
    assert "cpms-panels-open" in response.text


def test_came_from_never_leads_off_the_site(functional_portal, request_factory):
    session, action, fields = invitation_form(request_factory)
    fields["came_from"] = "https://evil.example.org/phish"
    response = session.post(
        action, data={**fields, "action": "decline"}, allow_redirects=False
    )
    assert "evil.example.org" not in response.headers["Location"]


def test_the_member_sees_panels_work_and_meetings(portal, http_request):
    html = my_ern(portal, http_request, "expert.rossi")
    assert "cpms-panels-open" in html
    assert "Upcoming meetings" in html
    meetings = html.split("cpms-my-meetings", 1)[1].split("</section>", 1)[0]
    assert "Join" in meetings
    assert "@@my-calendar" in meetings
    assert "My ERNs" in html
    networks = html.split("cpms-my-networks", 1)[1].split("</section>", 1)[0]
    assert "/erns/ern-eye/resources" in networks
    assert "/erns/ern-eye/@@webinars" in networks
    assert "CPMS for panel leads" in networks


def test_the_lead_sees_the_data_request_to_answer(portal, http_request):
    html = my_ern(portal, http_request, "dr.dekker")
    section = html.split("cpms-waiting-requests", 1)[1].split("</ul>", 1)[0]
    assert "full-field ERG" in section
    assert "needed by" in section
    assert "de Vries" not in html


def test_a_coordinator_sees_the_ern_panels_without_identity(portal, http_request):
    html = my_ern(portal, http_request, "coordinator.eye")
    section = html.split("cpms-coordinated", 1)[1]
    assert "Panels of" in section
    assert "@@statistics" in section
    search = portal.portal_catalog.unrestrictedSearchResults
    eye = [brain.Title for brain in search(portal_type="Panel", ern_code="ERN-EYE")]
    nmd = [brain.Title for brain in search(portal_type="Panel", ern_code="EURO-NMD")]
    assert eye
    assert nmd
    assert all(title in section for title in eye)
    assert not any(title in section for title in nmd)
    for name in ("Jansen", "Lotte", "de Vries", "Daan"):
        assert name not in html


def test_an_expert_who_coordinates_nothing_sees_no_ern_panels(portal, http_request):
    html = my_ern(portal, http_request, "dr.weber")
    assert "cpms-coordinated" not in html


def test_anonymous_is_asked_to_log_in(functional_portal, request_factory):
    transaction.commit()
    session = request_factory(api=False)
    for page in ("/@@my-ern", "/@@my-centre"):
        response = session.get(page)
        assert "login" in response.url or response.status_code == 401


def test_the_patient_page_groups_panels_by_state_and_opens_new_ones(
    portal, http_request
):
    panel = make_panel(portal, ("Bram", "Mulder"))
    patient = panel.__parent__
    with api.env.adopt_user(username="dr.dekker"):
        html = api.content.get_view("view", patient, http_request)()
    assert f"{patient.absolute_url()}/++add++Panel" in html
    section = html.split("cpms-patient-panels-open", 1)[1].split("</ul>", 1)[0]
    assert panel.absolute_url() in section
    with api.env.adopt_user(username="expert.rossi"):
        assert api.user.has_permission("View", obj=patient) is False


def test_the_centre_page_leads_its_own_doctors_to_the_patients(portal, http_request):
    centre = portal["centres"]["erasmus-mc"]
    with api.env.adopt_user(username="dr.dekker"):
        own = api.content.get_view("view", centre, http_request)()
    with api.env.adopt_user(username="dr.martin"):
        other = api.content.get_view("view", centre, http_request)()
    assert "erasmus-mc/@@patients" in own
    assert "@@patients" not in other
