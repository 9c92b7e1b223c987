"""The demo network: a believable small CPMS for trying the site out.

Installed by the ``ern.cpms:demo`` profile (and by the CPMS distribution when
"Create example content" is ticked). Running it again changes nothing that is
already there. Never install it on a production site: its accounts have
passwords that are written in the README.
"""

from datetime import date
from ern.cpms import enrolment
from ern.cpms import logger
from ern.cpms import second_factor
from ern.cpms.demo_panels import STORIES
from ern.cpms.demo_resources import ensure_resources
from ern.cpms.groups import group_id
from ern.cpms.notifications import outbox
from ern.cpms.setuphandlers import ensure_root_folders
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContentInContainer

import pyotp
import typing


# Every demo account shares this password; it is printed by `make start`.
DEMO_PASSWORD = "cpms-demo-2026"  # noqa: S105 - public by design, demo only


class DemoERN(typing.NamedTuple):
    code: str
    title: str
    helpdesk_email: str
    thematic_areas: tuple


class DemoCentre(typing.NamedTuple):
    id: str
    title: str
    country: str
    city: str
    latitude: float
    longitude: float
    ern_memberships: tuple


class DemoAccount(typing.NamedTuple):
    userid: str
    fullname: str
    role: str
    # (object path below the site, group suffix)
    memberships: tuple
    # The member field "Areas of expertise", searched when inviting.
    expertise: str = ""
    # Global roles (the data protection officer's).
    roles: tuple = ()


ERNS = (
    DemoERN(
        "ERN-EYE",
        "European Reference Network for Rare Eye Diseases",
        "helpdesk@ern-eye.example.org",
        (
            "Retinal rare eye diseases",
            "Neuro-ophthalmology",
            "Paediatric ophthalmology",
            "Rare anterior segment diseases",
        ),
    ),
    DemoERN(
        "EURO-NMD",
        "European Reference Network for Rare Neuromuscular Diseases",
        "helpdesk@euro-nmd.example.org",
        (
            "Muscle diseases",
            "Neuromuscular junction disorders",
            "Peripheral nerve disorders",
            "Motor neuron diseases",
        ),
    ),
)

CENTRES = (
    DemoCentre(
        "erasmus-mc",
        "Erasmus MC",
        "NL",
        "Rotterdam",
        51.9107,
        4.4690,
        ("ERN-EYE", "EURO-NMD"),
    ),
    DemoCentre(
        "necker",
        "Hôpital Necker-Enfants malades",
        "FR",
        "Paris",
        48.8463,
        2.3155,
        ("ERN-EYE", "EURO-NMD"),
    ),
    DemoCentre(
        "charite",
        "Charité – Universitätsmedizin Berlin",
        "DE",
        "Berlin",
        52.5263,
        13.3772,
        ("EURO-NMD", "ERN-EYE"),
    ),
)

ACCOUNTS = (
    DemoAccount(
        "dr.dekker",
        "Anna Dekker",
        "Health professional at Erasmus MC (Rotterdam)",
        (("centres/erasmus-mc", "health-professionals"),),
        "Inherited retinal dystrophies, Stargardt disease",
    ),
    DemoAccount(
        "dr.martin",
        "Luc Martin",
        "Health professional at Hôpital Necker (Paris)",
        (("centres/necker", "health-professionals"),),
        "Paediatric neuromuscular disorders, spinal muscular atrophy",
    ),
    DemoAccount(
        "dr.weber",
        "Jonas Weber",
        "Health professional at Charité (Berlin)",
        (("centres/charite", "health-professionals"),),
        "Gene therapy, RPE65 retinopathy",
    ),
    DemoAccount(
        "expert.rossi",
        "Marco Rossi",
        "Neuromuscular expert at Charité, to be invited to other centres' panels",
        (("centres/charite", "health-professionals"),),
        "Muscle diseases, ABCA4 retinopathy",
    ),
    DemoAccount(
        "coordinator.eye",
        "Sophie Laurent",
        "ERN coordinator of ERN-EYE",
        (("erns/ern-eye", "coordinators"),),
    ),
    DemoAccount(
        "editor.eye",
        "Eva Novak",
        "ERN editor of ERN-EYE",
        (("erns/ern-eye", "editors"),),
    ),
    DemoAccount(
        "guest.visser",
        "Ingrid Visser",
        "Ophthalmologist outside the networks, asking ERN-EYE for guest access",
        (),
    ),
    DemoAccount(
        "privacy.officer",
        "Nadia Haddad",
        "Data protection officer: reads the audit trail",
        (),
        roles=("DataProtectionOfficer",),
    ),
)

# guest.visser's request, waiting for coordinator.eye.
GUEST_REQUEST = {
    "ern": "ERN-EYE",
    "requested_role": "guest-expert",
    "centre": "guest",
    "guest_institution": "Rigshospitalet, Copenhagen",
    "guest_country": "DK",
    "job_title": "Consultant ophthalmologist",
    "thematic_areas": ["Retinal dystrophies"],
    "motivation": "I follow two families with Stargardt disease and would like "
    "to take part in ERN-EYE's panels on inherited retinal dystrophies.",
}


class DemoPatient(typing.NamedTuple):
    centre: str
    enrolled_by: str
    given_names: str
    family_name: str
    date_of_birth: date
    sex: str


# Made-up people: any likeness to a real patient is a coincidence.
PATIENTS = (
    DemoPatient(
        "erasmus-mc", "dr.dekker", "Lotte", "Jansen", date(2012, 4, 17), "female"
    ),
    DemoPatient(
        "erasmus-mc", "dr.dekker", "Daan", "de Vries", date(2008, 9, 3), "male"
    ),
    DemoPatient(
        "necker", "dr.martin", "Camille", "Moreau", date(2015, 1, 22), "female"
    ),
    DemoPatient("necker", "dr.martin", "Hugo", "Lefebvre", date(2010, 7, 30), "male"),
    DemoPatient("charite", "dr.weber", "Mia", "Schneider", date(2013, 11, 5), "female"),
    DemoPatient("charite", "dr.weber", "Leon", "Fischer", date(2006, 2, 14), "male"),
)

# One panel in draft, for the first patient.
DRAFT_PANEL = {
    "ern": "ERN-EYE",
    "panel_type": "diagnosis",
    "reason": (
        "Progressive loss of night vision since the age of eight and a narrowing "
        "visual field; an inherited retinal dystrophy is suspected. Which genetic "
        "tests, and which treatment or trial options, would the panel advise?"
    ),
}


def _ensure_erns(portal):
    erns = portal["erns"]
    for ern in ERNS:
        if ern.code.lower() in erns.objectIds():
            continue
        api.content.create(
            container=erns,
            type="ERN",
            id=ern.code.lower(),
            code=ern.code,
            title=ern.title,
            helpdesk_email=ern.helpdesk_email,
            thematic_areas=list(ern.thematic_areas),
        )


def _ensure_centres(portal):
    centres = portal["centres"]
    for centre in CENTRES:
        if centre.id in centres.objectIds():
            continue
        api.content.create(
            container=centres,
            type="Centre",
            id=centre.id,
            title=centre.title,
            country=centre.country,
            city=centre.city,
            latitude=centre.latitude,
            longitude=centre.longitude,
            ern_memberships=list(centre.ern_memberships),
        )


def _ensure_accounts(portal):
    for account in ACCOUNTS:
        if api.user.get(userid=account.userid) is None:
            api.user.create(
                username=account.userid,
                email=f"{account.userid}@example.org",
                password=DEMO_PASSWORD,
                properties={
                    "fullname": account.fullname,
                    "expertise": account.expertise,
                },
            )
        for path, suffix in account.memberships:
            groupname = group_id(portal.unrestrictedTraverse(path), suffix)
            api.group.add_user(groupname=groupname, username=account.userid)
        roles = portal.acl_users.portal_role_manager
        for role in account.roles:
            roles.assignRoleToPrincipal(role, account.userid)
        ensure_second_factor(account.userid)


def _ensure_access_request(portal):
    from ern.cpms.access_requests import requests_of

    if requests_of("guest.visser"):
        return
    with api.env.adopt_user(username="guest.visser"):
        api.content.create(
            container=portal["access-requests"],
            type="AccessRequest",
            id="request-ern-eye",
            **GUEST_REQUEST,
        )


def ensure_second_factor(userid):
    """A demo account's TOTP key (made at random once per site, printed by
    `make start`): the demo asks for the second factor like any site."""
    key = second_factor.secret_of(userid)
    if key is None:
        key = pyotp.random_base32()
        second_factor.enrol_with_secret(userid, key)
    return key


WELCOME = """
<p>This is a <strong>demo</strong> of the Clinical Patient Management System of
the European Reference Networks. Everything here is made up: never enter real
patient data.</p>
<ul>
  <li><a href="erns">European Reference Networks</a>: the networks and their
  member centres.</li>
  <li><a href="centres">Healthcare providers</a>: the centres whose health
  professionals enrol patients and open consultation panels.</li>
</ul>
<p>Log in with a demo account (password <code>{password}</code>; the
second factor's keys are printed by <code>make start</code>):
<code>dr.dekker</code>, <code>dr.martin</code> or <code>dr.weber</code>
(health professionals), <code>expert.rossi</code> (an expert),
<code>coordinator.eye</code> (ERN coordinator), <code>editor.eye</code>
(ERN editor) or <code>guest.visser</code> (a guest expert whose access
request waits for the coordinator).</p>
"""


def _ensure_welcome(portal):
    if getattr(portal, "text", None) is None:
        portal.text = RichTextValue(
            WELCOME.format(password=DEMO_PASSWORD), "text/html", "text/x-html-safe"
        )


def _ensure_patients(portal):
    """Enrol the demo patients that are missing; return the new ones, None
    in the place of those enrolled by an earlier run."""
    enrolled = []
    for person in PATIENTS:
        centre = portal["centres"][person.centre]
        with api.env.adopt_user(username=person.enrolled_by):
            try:
                patient = enrolment.enrol(
                    centre,
                    given_names=person.given_names,
                    family_name=person.family_name,
                    date_of_birth=person.date_of_birth,
                    sex=person.sex,
                    enrolment_date=date(2026, 10, 1),
                    consent_care=True,
                    consent_care_date=date(2026, 9, 28),
                    consent_care_form_kept_by_centre=True,
                    consent_registries=True,
                )
            except enrolment.EnrolmentRefused:
                # Enrolled by an earlier run: the duplicate rule says so.
                patient = None
        enrolled.append(patient)
    return enrolled


def _ensure_panels(new_patients):
    """The demo panels of the patients enrolled just now."""
    for index, patient in enumerate(new_patients):
        if patient is None or patient.objectIds():
            continue
        if index == 0:
            with api.env.adopt_user(username="dr.dekker"):
                createContentInContainer(patient, "Panel", **DRAFT_PANEL)
        elif index in STORIES:
            STORIES[index](patient)


def create_demo_network(context=None):
    """Create the demo ERNs, centres and accounts that are missing."""
    portal = api.portal.get()
    ensure_root_folders(portal)
    _ensure_erns(portal)
    _ensure_centres(portal)
    _ensure_accounts(portal)
    _ensure_panels(_ensure_patients(portal))
    _ensure_access_request(portal)
    # The demo's stories notify people in the site, never by e-mail: the
    # demo accounts' addresses are made up.
    outbox().clear()
    _ensure_welcome(portal)
    ensure_resources(portal)
    logger.info("Demo network ready: %d accounts", len(ACCOUNTS))
