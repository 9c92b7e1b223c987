"""A network at scale, for benchmarks and load tests: `make demo-data`.

SCALE 1 is ten times today's CPMS as issue 9 sizes it: the 24 ERNs, 320
centres in the 27 member states, 10,000 users in their groups, 100,000
patients and 20,000 panels in every state, with their invitations,
comments, data requests, meetings, contributions and outcomes. SCALE 0.01
is a hundredth of it (27 centres, 1,000 patients, 200 panels, 108 users).

Everything is made through the functions the forms and the REST API use
(enrolment with its duplicate check and pseudonym, invitations with their
rules, workflow transitions as the person who may take them), so the
indexes, local roles, audit entries and histories are those of real use.

Deterministic: entity number *n* of a kind is drawn from its own random
generator seeded with (seed, kind, n), so a run gives the same network
wherever it was interrupted. Resumable: the number of each batch is kept
in the site with the batch it commits, and a new run makes only the
batches missing (a run with another seed or scale is refused). The only
things not fixed by the seed are the times: creation dates are those of
the run, and reply-by and due dates lie after today, as the rules ask.
"""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from BTrees.IIBTree import IITreeSet
from datetime import date
from datetime import datetime
from datetime import timedelta
from ern.cpms import data_requests
from ern.cpms import enrolment
from ern.cpms import invitations
from ern.cpms import pseudonym
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.demo_panels import acting_as
from ern.cpms.demo_panels import add_as
from ern.cpms.demo_panels import transition_as
from ern.cpms.groups import group_id
from ern.cpms.panel_content import outcome_of
from ern.cpms.setuphandlers import ensure_root_folders
from ern.cpms.vocabularies.networks import NETWORKS
from persistent.mapping import PersistentMapping
from plone import api
from plone.app.textfield.value import RichTextValue
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest

import contextlib
import dataclasses
import functools
import math
import random
import time
import transaction


PROGRESS = "ern.cpms.generator"

# At SCALE 1.
FULL = {"centres": 320, "users": 10_000, "patients": 100_000, "panels": 20_000}

# Per batch committed (a crash loses at most one batch, which the next run
# makes again). A site keeps the sizes it was begun with (batch_size).
# Patients come in thousands: the commit writes each catalog bucket a batch
# touches once, and a batch of 1,000 touches many buckets more than once
# (measured at SCALE=1: about 76 patients a second over the first 15,000,
# against 59 with batches of 100).
BATCH = {"centres": 50, "users": 250, "patients": 1000, "panels": 10}
# The sizes of sites begun before the sizes were kept with their progress.
FIRST_BATCH = {"centres": 50, "users": 250, "patients": 100, "panels": 10}

# The 27 member states: a city each (latitude, longitude) and names that
# sound local. The people are made up; any likeness is a coincidence.
COUNTRIES = {
    "AT": (
        "Wien",
        48.21,
        16.37,
        ("Lukas", "Anna", "Felix", "Lena"),
        ("Gruber", "Huber", "Wagner", "Pichler"),
    ),
    "BE": (
        "Leuven",
        50.88,
        4.70,
        ("Lucas", "Emma", "Arthur", "Louise"),
        ("Peeters", "Janssens", "Maes", "Claes"),
    ),
    "BG": (
        "Sofia",
        42.70,
        23.32,
        ("Georgi", "Maria", "Ivan", "Elena"),
        ("Ivanov", "Petrova", "Dimitrov", "Georgieva"),
    ),
    "HR": (
        "Zagreb",
        45.81,
        15.98,
        ("Luka", "Mia", "Ivan", "Ana"),
        ("Horvat", "Kovačević", "Babić", "Marić"),
    ),
    "CY": (
        "Nicosia",
        35.17,
        33.36,
        ("Andreas", "Maria", "Giorgos", "Eleni"),
        ("Georgiou", "Christodoulou", "Ioannou", "Charalambous"),
    ),
    "CZ": (
        "Praha",
        50.08,
        14.44,
        ("Jakub", "Eliška", "Jan", "Tereza"),
        ("Novák", "Svobodová", "Dvořák", "Černá"),
    ),
    "DK": (
        "København",
        55.68,
        12.57,
        ("William", "Ida", "Noah", "Freja"),
        ("Nielsen", "Jensen", "Hansen", "Pedersen"),
    ),
    "EE": (
        "Tartu",
        58.38,
        26.72,
        ("Rasmus", "Sofia", "Robin", "Eliise"),
        ("Tamm", "Saar", "Sepp", "Mägi"),
    ),
    "FI": (
        "Helsinki",
        60.17,
        24.94,
        ("Eino", "Aino", "Onni", "Helmi"),
        ("Korhonen", "Virtanen", "Mäkinen", "Nieminen"),
    ),
    "FR": (
        "Lyon",
        45.76,
        4.84,
        ("Gabriel", "Jade", "Louis", "Louise"),
        ("Martin", "Bernard", "Dubois", "Thomas"),
    ),
    "DE": (
        "München",
        48.14,
        11.58,
        ("Noah", "Emilia", "Paul", "Sophia"),
        ("Müller", "Schmidt", "Schneider", "Fischer"),
    ),
    "GR": (
        "Athina",
        37.98,
        23.73,
        ("Georgios", "Eleni", "Dimitrios", "Maria"),
        ("Papadopoulos", "Pappas", "Oikonomou", "Georgiou"),
    ),
    "HU": (
        "Budapest",
        47.50,
        19.04,
        ("Bence", "Hanna", "Máté", "Anna"),
        ("Nagy", "Kovács", "Tóth", "Szabó"),
    ),
    "IE": (
        "Dublin",
        53.35,
        -6.26,
        ("Jack", "Grace", "Noah", "Emily"),
        ("Murphy", "Kelly", "O'Sullivan", "Walsh"),
    ),
    "IT": (
        "Padova",
        45.41,
        11.88,
        ("Leonardo", "Sofia", "Francesco", "Giulia"),
        ("Rossi", "Russo", "Ferrari", "Esposito"),
    ),
    "LV": (
        "Rīga",
        56.95,
        24.11,
        ("Roberts", "Sofija", "Markuss", "Alise"),
        ("Bērziņš", "Kalniņa", "Ozols", "Liepiņa"),
    ),
    "LT": (
        "Vilnius",
        54.69,
        25.28,
        ("Matas", "Emilija", "Lukas", "Austėja"),
        ("Kazlauskas", "Jankauskienė", "Petrauskas", "Stankevičiūtė"),
    ),
    "LU": (
        "Luxembourg",
        49.61,
        6.13,
        ("Gabriel", "Emma", "Luca", "Mia"),
        ("Schmit", "Muller", "Weber", "Hoffmann"),
    ),
    "MT": (
        "Msida",
        35.90,
        14.48,
        ("Luke", "Emma", "Matthew", "Julia"),
        ("Borg", "Camilleri", "Vella", "Farrugia"),
    ),
    "NL": (
        "Utrecht",
        52.09,
        5.12,
        ("Noah", "Emma", "Sem", "Julia"),
        ("de Jong", "Jansen", "de Vries", "van den Berg"),
    ),
    "PL": (
        "Warszawa",
        52.23,
        21.01,
        ("Antoni", "Zuzanna", "Jan", "Julia"),
        ("Nowak", "Kowalska", "Wiśniewski", "Wójcik"),
    ),
    "PT": (
        "Porto",
        41.15,
        -8.61,
        ("Francisco", "Maria", "Santiago", "Leonor"),
        ("Silva", "Santos", "Ferreira", "Pereira"),
    ),
    "RO": (
        "Cluj-Napoca",
        46.77,
        23.59,
        ("Andrei", "Maria", "David", "Ioana"),
        ("Popescu", "Ionescu", "Popa", "Stan"),
    ),
    "SK": (
        "Bratislava",
        48.15,
        17.11,
        ("Jakub", "Sofia", "Samuel", "Ema"),
        ("Horváth", "Kováčová", "Varga", "Tóthová"),
    ),
    "SI": (
        "Ljubljana",
        46.06,
        14.51,
        ("Luka", "Zala", "Filip", "Eva"),
        ("Novak", "Horvat", "Krajnc", "Zupančič"),
    ),
    "ES": (
        "Barcelona",
        41.39,
        2.17,
        ("Hugo", "Lucía", "Martín", "Sofía"),
        ("García", "Fernández", "González", "Rodríguez"),
    ),
    "SE": (
        "Göteborg",
        57.71,
        11.97,
        ("William", "Alice", "Liam", "Maja"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson"),
    ),
}

KINDS_OF_HOSPITAL = ("University Hospital", "Children's Hospital", "Medical Centre")

LAST_ENROLMENT = date(2026, 6, 30)

SEXES = ("female", "male", "female", "male", "other", "unknown")

# How many panels of a hundred are in each state.
STATE_MIX = (
    ("draft", 8),
    ("open", 30),
    ("outcome_review", 7),
    ("closed", 35),
    ("archived", 15),
    ("cancelled", 5),
)

REASONS = (
    "Progressive weakness since early childhood; which diagnosis and which "
    "genetic tests would the panel advise?",
    "Treatment options after the failure of first-line therapy.",
    "Second opinion on the indication for surgery.",
    "Unexplained multisystem findings; is a known syndrome compatible?",
    "Which follow-up and which trials would the panel recommend?",
)
COMMENTS = (
    "The imaging fits the suspected diagnosis.",
    "Is there a family history?",
    "I would order a gene panel first.",
    "We have seen two similar cases this year.",
    "Agree; let us discuss it at the meeting.",
    "The laboratory values were sent last week.",
)


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a SCALE makes."""

    scale: float
    seed: int
    centres: int
    users: int
    patients: int
    panels: int

    @classmethod
    def of(cls, scale, seed=2026):
        if not 0 < scale <= 10:
            raise ValueError("SCALE must lie above 0 and at most 10.")
        return cls(
            scale=scale,
            seed=seed,
            centres=max(len(COUNTRIES), round(FULL["centres"] * scale)),
            users=max(4 * len(COUNTRIES), round(FULL["users"] * scale)),
            patients=round(FULL["patients"] * scale),
            panels=round(FULL["panels"] * scale),
        )


def rng(plan, kind, number):
    """The random generator of entity `number` of `kind`."""
    # Not for secrets: a reproducible network is the point.
    return random.Random(f"{plan.seed}:{kind}:{number}")  # noqa: S311


# -- the network (names fixed by number, so every function can find them) --


def centre_id(number):
    return f"gen-centre-{number:04d}"


def user_id(number):
    return f"gen.user{number:05d}"


def centre_country(number):
    return sorted(COUNTRIES)[number % len(COUNTRIES)]


@functools.cache
def centre_erns(plan, number):
    """The ERN codes a centre is a member of: 1 to 6 of them, every ERN in
    at least a few centres."""
    random_ = rng(plan, "centre", number)
    codes = [network.code for network in NETWORKS]
    chosen = {codes[number % len(codes)]}
    chosen.update(random_.sample(codes, random_.randint(0, 5)))
    return tuple(sorted(chosen))


def user_centre(plan, number):
    """Users are spread over the centres in turn."""
    return number % plan.centres


def person(plan, number, attempt=0):
    """A patient's identity. One in a hundred is the person of the number
    before, enrolled at another centre too (the duplicate check's "also
    enrolled at"). A later `attempt` draws another person for the number
    (see make_patient)."""
    if number % 100 == 99 and not attempt:
        return person(plan, number - 1)
    if attempt:
        random_ = rng(plan, "patient-again", f"{number}:{attempt}")
    else:
        random_ = rng(plan, "patient", number)
    country = centre_country(patient_centre(plan, number))
    _city, _lat, _lon, given, family = COUNTRIES[country]
    born = date(1940, 1, 1) + timedelta(days=random_.randrange(84 * 365))
    return {
        "given_names": f"{random_.choice(given)} {random_.choice(given)}",
        "family_name": f"{random_.choice(family)}-{random_.choice(family)}",
        "date_of_birth": born,
        "sex": random_.choice(SEXES),
    }


def patient_centre(plan, number):
    if number % 100 == 99:
        return (patient_centre(plan, number - 1) + 1) % plan.centres
    return rng(plan, "patient-centre", number).randrange(plan.centres)


def clinicians_of(plan, centre_number):
    """The user numbers of a centre's health professionals."""
    return range(centre_number, plan.users, plan.centres)


# -- progress ---------------------------------------------------------------


def progress_of(portal, plan):
    """What is made so far, kept in the site: the plan, and per kind the
    numbers of the batches committed. Refuses another plan."""
    annotations = IAnnotations(portal)
    done = annotations.get(PROGRESS)
    if done is None:
        done = annotations[PROGRESS] = PersistentMapping(
            {"seed": plan.seed, "scale": plan.scale}
        )
    if (done["seed"], done["scale"]) != (plan.seed, plan.scale):
        raise ValueError(
            f"This site holds a network of SCALE={done['scale']} SEED={done['seed']}"
            f"; run with those to go on, or use another VAR for another network."
        )
    return done


def batches_done(portal, plan, kind):
    """The committed batches of `kind` (a tree set of batch numbers)."""
    done = progress_of(portal, plan)
    key = f"{kind}:batches"
    if key not in done:
        done[key] = IITreeSet()
    return done[key]


def batch_size(portal, plan, kind):
    """How many of `kind` a batch holds on this site: the size the site was
    begun with, so that a run resumed by a later version counts the
    committed batches right."""
    done = progress_of(portal, plan)
    sizes = done.get("batch sizes")
    if sizes is None:
        begun = any(f"{name}:batches" in done for name in BATCH)
        sizes = done["batch sizes"] = PersistentMapping(FIRST_BATCH if begun else BATCH)
    return sizes[kind]


def made(portal, plan, kind):
    """How many of `kind` the committed batches hold."""
    total, size = getattr(plan, kind), batch_size(portal, plan, kind)
    return sum(
        min(size, total - number * size) for number in batches_done(portal, plan, kind)
    )


class Report:
    """A progress bar with the rate and the time left, on one line."""

    def __init__(self, kind, total, done, out):
        self.kind, self.total, self.start_at, self.out = kind, total, done, out
        self.began = time.monotonic()

    def __call__(self, done):
        if self.out is None or not self.total:
            return
        elapsed = max(time.monotonic() - self.began, 1e-6)
        rate = (done - self.start_at) / elapsed
        left = (self.total - done) / rate if rate else math.inf
        width = 30
        filled = int(width * done / self.total)
        eta = "--:--"
        if not math.isinf(left):
            eta = f"{int(left) // 60:02d}:{int(left) % 60:02d}"
        self.out.write(
            f"\r{self.kind:<9} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done:>7,}/{self.total:,}  {rate:6.1f}/s  left {eta}"
        )
        if done >= self.total:
            self.out.write(f"  ({elapsed:.0f} s)\n")
        self.out.flush()


def _in_batches(portal, plan, kind, make, out):
    """Make every batch of `kind` not committed yet; each batch commits
    with its number in the site's progress."""
    total, size = getattr(plan, kind), batch_size(portal, plan, kind)
    committed = batches_done(portal, plan, kind)
    done = made(portal, plan, kind)
    report = Report(kind, total, done, out)
    report(done)
    for batch in range(-(-total // size)):
        if batch in committed:
            continue
        numbers = range(batch * size, min(total, (batch + 1) * size))
        for number in numbers:
            make(number)
        committed.insert(batch)
        transaction.commit()
        done += len(numbers)
        report(done)


# -- makers -----------------------------------------------------------------


def _ensure_erns(portal):
    erns = portal["erns"]
    for network in NETWORKS:
        if network.code.lower() not in erns.objectIds():
            api.content.create(
                container=erns,
                type="ERN",
                id=network.code.lower(),
                code=network.code,
                title=f"European Reference Network {network.code}",
                helpdesk_email=f"helpdesk@{network.code.lower()}.example.org",
                thematic_areas=[api.portal.translate(network.thematic_area)],
            )


def make_centre(plan, portal, number):
    centres = portal["centres"]
    if centre_id(number) in centres.objectIds():
        return
    random_ = rng(plan, "centre", number)
    country = centre_country(number)
    city, latitude, longitude, _given, _family = COUNTRIES[country]
    hospital = random_.choice(KINDS_OF_HOSPITAL)
    api.content.create(
        container=centres,
        type="Centre",
        id=centre_id(number),
        title=f"{hospital} {city} {number // len(COUNTRIES) + 1}",
        country=country,
        city=city,
        latitude=latitude + random_.uniform(-0.05, 0.05),
        longitude=longitude + random_.uniform(-0.05, 0.05),
        ern_memberships=list(centre_erns(plan, number)),
    )


def make_user(plan, portal, number):
    userid = user_id(number)
    centre = portal["centres"][centre_id(user_centre(plan, number))]
    random_ = rng(plan, "user", number)
    _city, _lat, _lon, given, family = COUNTRIES[centre.country]
    if api.user.get(userid=userid) is None:
        api.user.create(
            username=userid,
            email=f"{userid}@example.org",
            password=DEMO_PASSWORD,
            properties={
                "fullname": f"{random_.choice(given)} {random_.choice(family)}",
                "expertise": random_.choice(COMMENTS[:3]),
            },
        )
    api.group.add_user(
        groupname=group_id(centre, "health-professionals"), username=userid
    )
    # The first users of each ERN's member centres coordinate or edit it.
    erns = portal["erns"]
    for code in centre.ern_memberships:
        if number < 2 * plan.centres and random_.random() < 0.05:
            suffix = "coordinators" if number < plan.centres else "editors"
            api.group.add_user(
                groupname=group_id(erns[code.lower()], suffix), username=userid
            )


# Identities tried for one patient number before the run stops.
ATTEMPTS = 5


def make_patient(plan, portal, number):
    centre_number = patient_centre(plan, number)
    centre = portal["centres"][centre_id(centre_number)]
    random_ = rng(plan, "enrolment", number)
    clinician = user_id(random_.choice(clinicians_of(plan, centre_number)))
    # The same person drawn twice for one centre is refused by the
    # duplicate check, as it would be in use (about once in 100,000): the
    # number then gets another person, so the plan's count is made.
    for attempt in range(ATTEMPTS):
        identity = person(plan, number, attempt)
        # Enrolled after birth, between 2019 and the middle of 2026.
        first = max(identity["date_of_birth"] + timedelta(days=1), date(2019, 1, 1))
        span = max((LAST_ENROLMENT - first).days, 0)
        enrolled = first + timedelta(days=random_.randrange(span + 1))
        try:
            with _as_clinician(portal, clinician):
                patient = enrolment.enrol(
                    centre,
                    **identity,
                    enrolment_date=enrolled,
                    consent_care=True,
                    consent_care_date=enrolled,
                    consent_care_form_kept_by_centre=True,
                    consent_registries=random_.random() < 0.7,
                )
        except enrolment.EnrolmentRefused:
            continue
        if attempt:
            # So that panels find this number's patient (patient_numbered).
            done = progress_of(portal, plan)
            if "replaced" not in done:
                done["replaced"] = PersistentMapping()
            done["replaced"][number] = attempt
        return patient
    raise RuntimeError(f"Patient {number} was refused {ATTEMPTS} times.")


# The clinicians who enrol, looked up once a run (generate() forgets those
# of an earlier run).
_CLINICIANS = {}


@contextlib.contextmanager
def _as_clinician(portal, userid):
    """Act as a clinician of the network, each looked up once a run: PAS
    builds a user from its plugins, properties and groups at each lookup (a
    thirtieth of an enrolment). Their groups are made before the patients
    and do not change while they enrol."""
    acl_users = portal.acl_users
    user = _CLINICIANS.get(userid)
    if user is None:
        user = _CLINICIANS[userid] = acl_users.getUserById(userid)
    before = getSecurityManager()
    newSecurityManager(getRequest(), user.__of__(acl_users))
    try:
        yield
    finally:
        setSecurityManager(before)


def _patient_of(plan, portal, number):
    """The patient a panel is about (panels spread over the patients) and
    its centre's number; found by its pseudonym, as the site mints it."""
    patient_number = number * plan.patients // max(plan.panels, 1)
    return patient_numbered(plan, portal, patient_number)


def patient_numbered(plan, portal, number):
    """Patient `number` of the plan and its centre's number (None for the
    patient when it is not made yet)."""
    centre_number = patient_centre(plan, number)
    centre = portal["centres"][centre_id(centre_number)]
    attempt = progress_of(portal, plan).get("replaced", {}).get(number, 0)
    identity = person(plan, number, attempt)
    digest = pseudonym.identity_hash(
        pseudonym.site_secret(portal),
        identity["family_name"],
        identity["given_names"],
        identity["date_of_birth"],
        identity["sex"],
    )
    return centre.get(pseudonym.code_from_hash(digest).lower()), centre_number


def _state(random_):
    roll = random_.randrange(100)
    for state, share in STATE_MIX:
        if roll < share:
            return state
        roll -= share
    return STATE_MIX[-1][0]


@functools.cache
def _ern_experts(plan, ern_code):
    """The user ids of the ERN's member centres' health professionals
    (the same for every panel of the ERN: worked out once)."""
    return tuple(
        user_id(number)
        for centre_number in range(plan.centres)
        if ern_code in centre_erns(plan, centre_number)
        for number in clinicians_of(plan, centre_number)
    )


def _experts(plan, ern_code, lead):
    """Whom the lead may invite: the ERN's experts but themselves."""
    return [userid for userid in _ern_experts(plan, ern_code) if userid != lead]


def make_panel(plan, portal, number):
    patient, centre_number = _patient_of(plan, portal, number)
    if patient is None:
        return
    random_ = rng(plan, "panel", number)
    lead = user_id(random_.choice(clinicians_of(plan, centre_number)))
    ern = random_.choice(centre_erns(plan, centre_number))
    state = _state(random_)
    panel = add_as(
        lead,
        patient,
        "Panel",
        ern=ern,
        panel_type=random_.choice(("diagnosis", "treatment", "second_opinion")),
        urgent=random_.random() < 0.1,
        reason=random_.choice(REASONS),
        questions=[random_.choice(REASONS)],
        examination=random_.choice(COMMENTS),
    )
    if state == "draft":
        return
    if state == "cancelled":
        transition_as(lead, panel, "cancel")
        return
    transition_as(lead, panel, "open")
    experts = _experts(plan, ern, lead)
    chosen = random_.sample(experts, min(len(experts), random_.randint(2, 6)))
    made = acting_as(
        lead,
        invitations.invite,
        panel,
        chosen,
        "Your expertise would help this panel.",
        date.today() + timedelta(days=14),
    )
    members = []
    for invitation in made:
        roll = random_.random()
        if roll < 0.7 or state != "open":
            acting_as(invitation.invitee, invitations.answer, invitation, True)
            members.append(invitation.invitee)
        elif roll < 0.8:
            acting_as(
                invitation.invitee, invitations.answer, invitation, False, "Away."
            )
    speakers = [lead, *members]
    for _n in range(random_.randint(1, 6)):
        add_as(
            random_.choice(speakers),
            panel,
            "Comment",
            text=RichTextValue(
                f"<p>{random_.choice(COMMENTS)}</p>", "text/html", "text/x-html-safe"
            ),
        )
    if members and random_.random() < 0.4:
        request = add_as(
            random_.choice(members),
            panel,
            "DataRequest",
            question="Please share the latest laboratory results.",
            due_date=date.today() + timedelta(days=14),
        )
        if state != "open" or random_.random() < 0.5:
            acting_as(
                lead, data_requests.answer_request, request, "Sent as attachment."
            )
    if random_.random() < 0.3:
        start = datetime.combine(date.today() + timedelta(days=7), datetime.min.time())
        add_as(
            lead,
            panel,
            "Meeting",
            start=start.replace(hour=16),
            end=start.replace(hour=17),
            timezone="Europe/Brussels",
            video_link="https://meet.example.org/cpms",
            agenda="Agree on the recommendations.",
        )
    contributing = state != "open" or random_.random() < 0.5
    for member in members if contributing else ():
        add_as(
            member,
            panel,
            "Contribution",
            assessment=random_.choice(COMMENTS),
            recommendation=random_.choice(REASONS),
        )
    if state == "open":
        return
    add_as(
        lead,
        panel,
        "OutcomeDocument",
        conclusions="The panel agrees on the diagnosis.",
        recommendations="Follow-up at the patient's centre in six months.",
    )
    transition_as(lead, panel, "submit_outcome")
    if state == "outcome_review":
        return
    transition_as(lead, outcome_of(panel), "finalise")
    transition_as(lead, panel, "close")
    if state == "archived":
        transition_as(lead, panel, "archive")


MAKERS = {
    "centres": make_centre,
    "users": make_user,
    "patients": make_patient,
    "panels": make_panel,
}


def generate(portal, scale=None, seed=2026, out=None, plan=None):
    """Make (or go on making) the network of `scale` (or of `plan`); commits
    in batches; returns the plan.

    One process: two worker processes on a ZEO server made patients more
    slowly on two cores (33 a second against 46: the server's own work,
    and batches made again after conflicts in the catalog), and panels
    cannot share at all (a closed panel's outcome is versioned, and each
    version's history id comes from CMF's one counter)."""
    plan = plan or Plan.of(scale, seed)
    # Users looked up by an earlier run (their groups may have differed).
    _CLINICIANS.clear()
    ensure_root_folders(portal)
    progress_of(portal, plan)
    _ensure_erns(portal)
    transaction.commit()
    for kind, make in MAKERS.items():
        _in_batches(portal, plan, kind, lambda n, make=make: make(plan, portal, n), out)
    return plan
