"""Issue 9 in the tests: the network generator (small plans), listings that
read the catalog instead of waking objects, and concurrent writers that
lose and duplicate nothing. Nothing here times anything: speed is measured
by `make bench` (docs/performance.md), as ratios against plain Plone."""

from concurrent.futures import ThreadPoolExecutor
from ern.cpms import generator
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.groups import group_id
from panels import as_user
from panels import make_panel
from pathlib import Path
from patients import rest_payload
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContentInContainer
from Products.ZCatalog.CatalogBrains import AbstractCatalogBrain
from ZODB.POSException import ConflictError
from ZPublisher import pubevents

import json
import pytest
import random
import re
import requests
import threading
import time
import transaction


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# A network small enough for a test: three centres, a dozen users.
SMALL = {"centres": 3, "users": 12, "patients": 24, "panels": 10}


def small_plan(seed=7, scale=0.000123):
    return generator.Plan(scale=scale, seed=seed, **SMALL)


def generate(portal, plan):
    """Run the generator as `make demo-data` does: as the system."""
    with api.env.adopt_roles(["Manager"]):
        return generator.generate(portal, plan=plan)


def generated(portal, kind):
    catalog = api.portal.get_tool("portal_catalog")
    path = "/".join(portal["centres"].getPhysicalPath())
    return catalog.unrestrictedSearchResults(portal_type=kind, path=path)


def pseudonym_of(portal, person):
    """The id a patient of this identity has in its centre."""
    from ern.cpms import pseudonym

    digest = pseudonym.identity_hash(
        pseudonym.site_secret(portal),
        person["family_name"],
        person["given_names"],
        person["date_of_birth"],
        person["sex"],
    )
    return pseudonym.code_from_hash(digest).lower()


def expected_pseudonyms(portal, plan):
    """The pseudonyms the plan's patients must have, from their identities."""
    return {
        (
            generator.centre_id(generator.patient_centre(plan, number)),
            pseudonym_of(portal, generator.person(plan, number)),
        )
        for number in range(plan.patients)
    }


def present_pseudonyms(portal):
    return {
        (brain.getPath().split("/")[-2], brain.getId)
        for brain in generated(portal, "Patient")
        if brain.getPath().split("/")[-2].startswith("gen-centre-")
    }


# -- the generator --------------------------------------------------------


def test_the_generator_makes_a_whole_network(functional_portal):
    portal = functional_portal
    plan = small_plan()
    generate(portal, plan)
    # Every ERN of the vocabulary, the plan's centres in several countries.
    assert len(portal["erns"].objectIds()) >= 24
    centres = [portal["centres"][generator.centre_id(n)] for n in range(3)]
    assert len({centre.country for centre in centres}) == 3
    # Users are health professionals of their centres.
    members = api.user.get_users(groupname=group_id(centres[0], "health-professionals"))
    assert {u.getId() for u in members} >= {generator.user_id(0)}
    # The patients, under their pseudonyms, each exactly once.
    assert present_pseudonyms(portal) == expected_pseudonyms(portal, plan)
    # Panels in several states, with their items.
    panels = [b for b in generated(portal, "Panel") if "gen-centre-" in b.getPath()]
    assert len(panels) == plan.panels
    assert len({brain.review_state for brain in panels}) >= 3
    for kind in (
        "Invitation",
        "Comment",
        "DataRequest",
        "Meeting",
        "Contribution",
        "OutcomeDocument",
    ):
        assert generated(portal, kind), kind
    assert generator.made(portal, plan, "patients") == plan.patients
    assert generator.made(portal, plan, "panels") == plan.panels


def test_a_person_drawn_twice_for_one_centre_is_replaced(
    functional_portal, monkeypatch
):
    """The duplicate check refuses the same person twice at one centre; the
    generator then draws another person for that number, so the plan's
    count of patients is made."""
    portal = functional_portal
    plan = generator.Plan(scale=0.000127, seed=7, **{**SMALL, "panels": 0})
    first, again = next(
        (a, b)
        for b in range(plan.patients)
        for a in range(b)
        if generator.patient_centre(plan, a) == generator.patient_centre(plan, b)
        and b % 100 != 99
    )
    real = generator.person

    def drawn_twice(plan, number, attempt=0):
        if attempt:
            return real(plan, number, attempt)
        return real(plan, first if number == again else number)

    monkeypatch.setattr(generator, "person", drawn_twice)
    generate(portal, plan)
    assert generator.made(portal, plan, "patients") == plan.patients
    assert len(present_pseudonyms(portal)) == plan.patients
    code = pseudonym_of(portal, real(plan, again, 1))
    centre = generator.centre_id(generator.patient_centre(plan, again))
    assert (centre, code) in present_pseudonyms(portal)
    # Panels about that number's patient find the replacement.
    patient, _centre = generator.patient_numbered(plan, portal, again)
    assert patient.getId() == code
    earlier, _centre = generator.patient_numbered(plan, portal, first)
    assert earlier.getId() != code


def test_the_network_is_the_same_for_a_seed():
    plan, again, other = small_plan(), small_plan(), small_plan(seed=8)
    people = [generator.person(plan, n) for n in range(20)]
    assert people == [generator.person(again, n) for n in range(20)]
    assert people != [generator.person(other, n) for n in range(20)]
    assert [generator.centre_erns(plan, n) for n in range(3)] == [
        generator.centre_erns(again, n) for n in range(3)
    ]


def test_an_interrupted_run_goes_on_where_it_stopped(functional_portal, monkeypatch):
    portal = functional_portal
    plan = small_plan(scale=0.000124)
    monkeypatch.setitem(generator.BATCH, "patients", 5)
    real = generator.make_patient

    def interrupted(plan, portal, number):
        if number == 12:
            raise KeyboardInterrupt
        return real(plan, portal, number)

    monkeypatch.setitem(generator.MAKERS, "patients", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate(portal, plan)
    transaction.abort()
    # Two batches of five were committed; the third was not.
    assert generator.made(portal, plan, "patients") == 10
    assert len(present_pseudonyms(portal)) == 10
    monkeypatch.setitem(generator.MAKERS, "patients", real)
    # A later version with other batch sizes goes on in the site's own.
    monkeypatch.setitem(generator.BATCH, "patients", 7)
    assert generator.made(portal, plan, "patients") == 10
    generate(portal, plan)
    assert present_pseudonyms(portal) == expected_pseudonyms(portal, plan)
    assert generator.made(portal, plan, "patients") == plan.patients


def test_a_site_begun_before_batch_sizes_were_kept_counts_in_the_first_ones(
    functional_portal,
):
    portal = functional_portal
    plan = generator.Plan(scale=0.01, seed=7, **{**SMALL, "patients": 2500})
    done = generator.progress_of(portal, plan)
    generator.batches_done(portal, plan, "patients").insert(0)
    done.pop("batch sizes", None)  # as such a site has its progress
    assert generator.made(portal, plan, "patients") == 100  # not 1,000


def test_another_plan_on_the_same_site_is_refused(functional_portal):
    portal = functional_portal
    generator.progress_of(portal, small_plan(scale=0.000125))
    with pytest.raises(ValueError, match=r"SCALE=0\.000125 SEED=7"):
        generate(portal, small_plan(scale=0.000126))


def test_scale_must_be_sensible():
    with pytest.raises(ValueError, match="SCALE"):
        generator.Plan.of(0)
    full = generator.Plan.of(1)
    assert (full.patients, full.panels, full.users, full.centres) == (
        100_000,
        20_000,
        10_000,
        320,
    )


# -- listings read the catalog --------------------------------------------


@pytest.fixture
def wakeups(monkeypatch):
    """How many catalog rows were turned into their objects."""
    counted = []
    for name in ("getObject", "_unrestrictedGetObject"):
        real = getattr(AbstractCatalogBrain, name)

        def counting(self, *args, real=real, **kwargs):
            counted.append(self.getPath())
            return real(self, *args, **kwargs)

        monkeypatch.setattr(AbstractCatalogBrain, name, counting)
    return counted


def test_my_work_wakes_no_panel(portal, wakeups):
    for number in range(4):
        make_panel(portal, ("Work", f"Load {number}"), members=["dr.martin"])
    from ern.cpms.work import my_work

    catalog = api.portal.get_tool("portal_catalog")
    panels = {
        b.getPath() for b in catalog.unrestrictedSearchResults(portal_type="Panel")
    }
    del wakeups[:]
    work = my_work("dr.martin")
    # The four panels wait for his contribution; none was woken for it.
    assert len(work["contributions"]) >= 4
    assert len(work["panels"]["open"]) >= 4
    assert set(wakeups) & panels == set()


def test_the_benchmark_starts_from_the_site_as_generated(portal):
    """`make bench` removes what its earlier runs wrote (enrolments and
    Documents), and nothing else, so that repeated runs measure one site."""
    from patients import enrol_as

    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "bench_site.py"
    spec = importlib.util.spec_from_file_location("bench_site", path)
    bench_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_site)
    centre = portal["centres"]["erasmus-mc"]
    kept = enrol_as("dr.dekker", centre, given_names="Bench", family_name="Jansen")
    earlier = enrol_as(
        "dr.dekker", centre, given_names="Bench", family_name="Enrolment 3 7"
    )
    # The benchmark's sites publish with Plone's default workflow.
    api.portal.get_tool("portal_workflow").setDefaultChain(
        "simple_publication_workflow"
    )
    # As prepare does it: as the system (scripts/site_job.py).
    from AccessControl.SecurityManagement import getSecurityManager
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SecurityManagement import setSecurityManager
    from AccessControl.SpecialUsers import system

    manager = getSecurityManager()
    newSecurityManager(None, system)
    try:
        folder = bench_site._plain_plone(portal, 120, "dr.dekker")
        api.content.create(container=folder, type="Document", title="Bench 3 7")
        before = len(centre)
        removed = bench_site._undo_earlier_runs(portal, [centre], folder)
    finally:
        setSecurityManager(manager)
    assert removed == {"patients": 1, "documents": 1}
    assert earlier.getId() not in centre
    assert kept.getId() in centre
    assert len(centre) == before - 1
    assert sorted(folder.objectIds()) == [
        bench_site._document(number) for number in range(bench_site.DOCUMENTS)
    ]
    catalog = api.portal.get_tool("portal_catalog")
    assert not catalog.unrestrictedSearchResults(UID=earlier.UID())


def test_a_folder_listing_through_rest_wakes_no_item(
    functional_portal, request_factory, wakeups
):
    panel = make_panel(functional_portal, ("Rest", "Items"), members=["dr.martin"])
    for number in range(5):
        as_user(
            "dr.dekker",
            createContentInContainer,
            panel,
            "Comment",
            text=RichTextValue(f"<p>Comment {number}</p>", "text/html", "text/html"),
        )
    transaction.commit()
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD))
    del wakeups[:]
    response = session.get(panel.absolute_url(), timeout=30)
    assert response.status_code == 200
    assert len(response.json()["items"]) >= 6
    assert [p for p in wakeups if p.startswith(panel.absolute_url_path() + "/")] == []


# -- concurrent writers -----------------------------------------------------


@pytest.fixture
def conflicts(monkeypatch):
    """Conflict errors the publisher met (and retried) during the test.

    Recorded where the publisher makes its "before abort" event, not by a
    handler registered now: a change to the component registry while the
    server runs makes its threads look the site's persistent registry up
    again after their connections are closed."""
    seen = []
    real = pubevents.PubBeforeAbort

    class Recording(real):
        def __init__(self, request, exc_info, retry):
            super().__init__(request, exc_info, retry)
            if exc_info and issubclass(exc_info[0], ConflictError):
                seen.append((str(exc_info[1]), request.retry_count))

    monkeypatch.setattr(pubevents, "PubBeforeAbort", Recording)
    return seen


def _users(portal, centre, prefix, count):
    """`count` new health professionals of `centre` (its id), committed."""
    group = group_id(portal["centres"][centre], "health-professionals")
    userids = []
    for number in range(count):
        userid = f"{prefix}{number}"
        api.user.create(
            username=userid, email=f"{userid}@example.org", password=DEMO_PASSWORD
        )
        api.group.add_user(groupname=group, username=userid)
        userids.append(userid)
    transaction.commit()
    return userids


def _client(token):
    """A REST client of the test server with a second-factor token."""
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    return session


def _status(response):
    """The status, and what went wrong with it if it is not a success."""
    if response.status_code < 300:
        return response.status_code
    return response.status_code, response.text[:1200]


def _conflicting(error):
    """The class of the object two writers changed (from the message)."""
    if "read conflict" in error:
        return "read conflict"
    found = re.search(r"class ([\w.]+)", error)
    return found.group(1) if found else error[:120]


def _report(name, writes, retried):
    ARTIFACTS.mkdir(exist_ok=True)
    rate = len(retried) / max(writes, 1)
    path = ARTIFACTS / "concurrency.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = {
        "writes": writes,
        "conflicts": len(retried),
        "rate": rate,
        "objects": sorted({_conflicting(error) for error, _attempt in retried}),
        # How many requests met a conflict at their first, second… attempt.
        "attempts": [
            sum(1 for _error, attempt in retried if attempt == number)
            for number in range(1 + max((a for _e, a in retried), default=-1))
        ],
    }
    path.write_text(json.dumps(known, indent=2))


def test_eight_clients_on_one_panel_lose_and_duplicate_nothing(
    functional_portal, logins, conflicts
):
    from ern.cpms import invitations

    portal = functional_portal
    # Charité's health professionals are experts of ERN-EYE.
    experts = _users(portal, "charite", "load.expert", 8)
    panel = make_panel(portal, ("Busy", "Panel"))
    made = as_user("dr.dekker", invitations.invite, panel, experts)
    invitation_of = {i.invitee: i.absolute_url() for i in made}
    transaction.commit()
    url = panel.absolute_url()
    tokens = {userid: logins.token(userid) for userid in experts}
    acknowledged = []
    lock = threading.Lock()

    def client(userid):
        s = _client(tokens[userid])
        # People do not all click "accept" in the same instant: each client
        # waits up to a second first (the accepts still overlap). At the
        # same instant every accept rewrites the security entries of all
        # the panel's items in the catalog, and they queue up on conflict
        # retries (docs/performance.md).
        time.sleep(random.Random(userid).uniform(0, 1))
        answer = s.post(f"{invitation_of[userid]}/@workflow/accept", timeout=60)
        done = [("accept", _status(answer))]
        for number in range(4):
            response = s.post(
                url,
                json={"@type": "Comment", "text": f"Comment {number} by {userid}"},
                timeout=60,
            )
            done.append((f"Comment {number} by {userid}", _status(response)))
        response = s.post(
            url,
            json={"@type": "DataRequest", "question": f"Data for {userid}?"},
            timeout=60,
        )
        done.append((f"Data for {userid}?", _status(response)))
        response = s.post(
            url,
            json={
                "@type": "Contribution",
                "assessment": f"Assessment of {userid}",
                "recommendation": "Follow-up.",
            },
            timeout=60,
        )
        done.append((f"Assessment of {userid}", _status(response)))
        with lock:
            acknowledged.extend(done)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(client, experts))
    transaction.begin()  # see what the server committed
    _report("one panel, 8 clients", len(acknowledged), conflicts)
    failed = [item for item in acknowledged if item[1] not in (200, 201)]
    assert failed == []
    texts = []
    for item in panel.objectValues():
        if item.portal_type == "Comment":
            texts.append(item.text.raw)
        elif item.portal_type == "DataRequest":
            texts.append(item.question)
        elif item.portal_type == "Contribution":
            texts.append(item.assessment)
    for what, _code in acknowledged:
        if what == "accept":
            continue
        assert sum(what in text for text in texts) == 1, what
    accepted = [
        i for i in invitations.invitations_of(panel, ("accepted",)) if i.invitee
    ]
    assert len(accepted) == 8


def test_eight_clients_enrolling_at_one_centre_lose_and_duplicate_nothing(
    functional_portal, logins, conflicts
):
    portal = functional_portal
    centre = portal["centres"]["erasmus-mc"]
    clinicians = _users(portal, "erasmus-mc", "load.clinician", 8)
    tokens = {userid: logins.token(userid) for userid in clinicians}
    acknowledged = []
    lock = threading.Lock()

    def client(userid):
        s = _client(tokens[userid])
        done = []
        for number in range(5):
            family = f"Concurrent {userid[-1]}{number}"
            response = s.post(
                centre.absolute_url(),
                json=rest_payload(given_names="Load", family_name=family),
                timeout=60,
            )
            done.append((family, _status(response)))
        with lock:
            acknowledged.extend(done)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(client, clinicians))
    transaction.begin()
    _report("one centre, 8 clients enrolling", len(acknowledged), conflicts)
    assert [item for item in acknowledged if item[1] != 201] == []
    families = [
        patient.family_name
        for patient in centre.objectValues()
        if (patient.family_name or "").startswith("Concurrent ")
    ]
    assert sorted(families) == sorted(family for family, _s in acknowledged)
    assert len(families) == 40
    # The catalog agrees: each of them is found once.
    catalog = api.portal.get_tool("portal_catalog")
    path = "/".join(centre.getPhysicalPath())
    assert len(catalog.unrestrictedSearchResults(portal_type="Patient", path=path)) == (
        len(centre.objectIds())
    )


def test_the_server_retries_conflicts_as_the_tests_do():
    from ern.cpms.testing import CONFLICT_RETRIES

    template = Path(__file__).resolve().parent.parent / "scripts" / "templates"
    text = (template / "zope.conf.in").read_text()
    assert f"max-conflict-retries {CONFLICT_RETRIES}\n" in text


def test_a_request_ends_without_the_site_registry_of_its_closed_connection(
    functional_portal, anonymous, monkeypatch
):
    """Zope closes a request's ZODB connection before it announces the end
    of the request, and that announcement looks its subscribers up in the
    component registry of the site traversed (a persistent object). If the
    connection's cache let go of the registry meanwhile (the cache's garbage
    collection when it is full; a schema or registration changed in
    another thread), that lookup loads from a closed connection: a 500
    for a request that had committed. Here the cache lets go of everything
    as the connection closes, as a full cache would."""
    real = pubevents.PubSuccess
    emptied = []

    class EmptyingTheCache(real):
        def __init__(self, request):
            super().__init__(request)
            connection = api.portal.get()._p_jar
            connection.onCloseCallback(connection.cacheMinimize)
            emptied.append(connection)

    transaction.commit()
    monkeypatch.setattr(pubevents, "PubSuccess", EmptyingTheCache)
    response = anonymous.get(functional_portal.absolute_url())
    assert emptied, "the request did not reach the end of its transaction"
    assert response.status_code == 200
