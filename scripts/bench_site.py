"""The in-process half of `make bench` (scripts/bench.py runs it).

    bench_site.py prepare   print, as JSON, what the benchmark asks for
    bench_site.py profile   profile the requests named on stdin (JSON)

`prepare` opens the site in CPMS_VAR (the server must be stopped), adds
the plain-Plone side of each comparison once (a published folder of
Documents whose text is as long as the chosen panel's), chooses a panel
member, a health professional of the panel's centre, and gives both a
second-factor key the benchmark knows. `profile` sends requests through
the WSGI application in this process under cProfile and prints where the
time goes.
"""

from pathlib import Path

import io
import json
import os
import sys
import time


sys.path.insert(0, str(Path(__file__).resolve().parent))

FOLDER = "bench-plone"
DOCUMENTS = 30


def _open():
    from Zope2.Startup.run import make_wsgi_app

    var = Path(os.environ.get("CPMS_VAR", "var")).resolve()
    return make_wsgi_app({}, str(var / "instance" / "etc" / "zope.conf"))


def _text_size(panel):
    """Characters of text a member reads on the panel's page."""
    from ern.cpms.panel_content import children

    size = 0
    for name in ("reason", "history", "examination", "genetics", "laboratory"):
        size += len(getattr(panel, name, None) or "")
    size += sum(len(q) for q in panel.questions or ())
    for kind in ("Comment", "Contribution", "DataRequest", "Meeting"):
        for item in children(panel, kind):
            text = getattr(item, "text", None)
            size += len(text.raw) if text is not None else 0
            for name in ("assessment", "recommendation", "question", "agenda"):
                size += len(getattr(item, name, None) or "")
    return size


def _choose_panel(portal):
    """The open panel with the most items among the first hundred."""
    from plone import api

    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open", sort_on="path", sort_limit=100
    )[:100]
    best = None
    for brain in brains:
        panel = brain._unrestrictedGetObject()
        members = [
            principal
            for principal, roles in panel.get_local_roles()
            if "PanelMember" in roles
        ]
        if members and (best is None or len(panel) > len(best[0])):
            best = (panel, sorted(members)[0])
    if best is None:
        sys.exit("No open panel with a member: generate data first (make demo-data).")
    return best


def _plain_plone(portal, text_size, contributor):
    """The plain-Plone side: a published folder of published Documents."""
    from plone import api
    from plone.app.textfield.value import RichTextValue

    folder = portal.get(FOLDER)
    if folder is None:
        folder = api.content.create(
            container=portal, type="Folder", id=FOLDER, title="Benchmark: plain Plone"
        )
        api.content.transition(obj=folder, transition="publish")
    body = ("Plone Document text for the benchmark. " * (text_size // 40 + 1))[
        :text_size
    ]
    for number in range(DOCUMENTS):
        name = _document(number)
        if name not in folder:
            document = api.content.create(
                container=folder,
                type="Document",
                id=name,
                title=f"Benchmark document {number}",
                text=RichTextValue(f"<p>{body}</p>", "text/html", "text/x-html-safe"),
            )
            api.content.transition(obj=document, transition="publish")
    api.user.grant_roles(username=contributor, obj=folder, roles=["Contributor"])
    return folder


def _folder_like(folder, count):
    """A published folder holding `count` published Documents: the plain
    Plone thing nearest a panel with its items, for REST."""
    from plone import api

    name = f"folder-of-{count}"
    if name not in folder:
        like = api.content.create(
            container=folder, type="Folder", id=name, title=f"{count} documents"
        )
        api.content.transition(obj=like, transition="publish")
        for number in range(count):
            item = api.content.create(
                container=like, type="Document", id=f"item-{number}", title="An item"
            )
            api.content.transition(obj=item, transition="publish")
    return folder[name]


# "My work" is measured for a person with this much work of their own
# (panels listed, open data requests to answer) at every scale, so that
# its growth is the network's, not the person's.
OWN_WORK = (12, 1)
EXPERT_CANDIDATES = 2000


def _choose_expert(portal, skip):
    """The generated user whose own work is nearest OWN_WORK (the first of
    equals), and how much they have."""
    from ern.cpms.generator import user_id
    from ern.cpms.work import my_work
    from plone import api

    best = None
    for number in range(EXPERT_CANDIDATES):
        userid = user_id(number)
        if userid in skip:
            continue
        if api.user.get(userid=userid) is None:
            break
        work = my_work(userid)
        own = (
            sum(len(rows) for rows in work["panels"].values())
            + len(work["invitations"]),
            len(work["data_requests"]),
        )
        distance = abs(own[0] - OWN_WORK[0]) + 4 * abs(own[1] - OWN_WORK[1])
        if best is None or distance < best[0]:
            best = (distance, userid, own)
        if distance == 0:
            break
    return best[1], best[2]


def _other_centre(portal, centre, skip):
    """A centre beside `centre` and one of its health professionals: the
    benchmark enrols there, so that the centre whose list it measures does
    not grow from run to run."""
    from ern.cpms.groups import group_id
    from plone import api

    for other in portal["centres"].objectValues():
        if other.portal_type != "Centre" or other.getId() == centre.getId():
            continue
        members = sorted(
            user.getId()
            for user in api.user.get_users(
                groupname=group_id(other, "health-professionals")
            )
            if user.getId() not in skip
        )
        if members:
            return other, members[0]
    sys.exit("No other centre with a health professional: generate data first.")


def _undo_earlier_runs(portal, centres, folder):
    """Remove what earlier runs wrote (their enrolments, given name "Bench",
    in the centres they enrol in or list, and their Documents), so that each
    run measures the site as generated. Returns how many of each."""
    from plone import api

    patients = [
        patient
        for centre in centres
        for patient in centre.objectValues()
        if patient.portal_type == "Patient"
        and patient.given_names == "Bench"
        and (patient.family_name or "").startswith("Enrolment ")
    ]
    kept = {_document(number) for number in range(DOCUMENTS)}
    documents = [
        item
        for name, item in folder.objectItems()
        if item.portal_type == "Document" and name not in kept
    ]
    for found in (patients, documents):
        if found:
            api.content.delete(objects=found, check_linkintegrity=False)
    return {"patients": len(patients), "documents": len(documents)}


def _document(number):
    return f"document-{number:02d}"


def _key(userid):
    """A new second-factor key for a benchmark user (and no lock left from
    an earlier run)."""
    from ern.cpms import second_factor

    import pyotp

    key = pyotp.random_base32()
    second_factor.reset(userid)
    second_factor.enrol_with_secret(userid, key)
    return key


def prepare():
    from ern.cpms.generator import PROGRESS
    from plone import api
    from site_job import run
    from zope.annotation.interfaces import IAnnotations

    def job():
        portal = api.portal.get()
        panel, member = _choose_panel(portal)
        patient = panel.__parent__
        centre = patient.__parent__
        clinician = panel.panel_lead
        expert, own_work = _choose_expert(portal, skip={member, clinician})
        enrol_centre, enroller = _other_centre(
            portal, centre, skip={member, clinician, expert}
        )
        size = _text_size(panel)
        folder = _plain_plone(portal, size, clinician)
        removed = _undo_earlier_runs(portal, (centre, enrol_centre), folder)
        catalog = api.portal.get_tool("portal_catalog")
        progress = dict(IAnnotations(portal).get(PROGRESS) or {})
        return {
            "site": portal.absolute_url(),
            "panel": panel.absolute_url(),
            "panel_items": len(panel),
            "text_size": size,
            "member": member,
            "member_key": _key(member),
            "clinician": clinician,
            "clinician_key": _key(clinician),
            "enrol_centre": enrol_centre.absolute_url(),
            "enroller": enroller,
            "enroller_key": _key(enroller),
            "expert": expert,
            "expert_key": _key(expert),
            "expert_work": own_work,
            "centre": centre.absolute_url(),
            "centre_patients": len(centre),
            "removed": removed,
            "folder": folder.absolute_url(),
            "document": folder[_document(0)].absolute_url(),
            "folder_like": _folder_like(folder, len(panel)).absolute_url(),
            "counts": {
                kind: len(catalog.unrestrictedSearchResults(portal_type=kind))
                for kind in ("Centre", "Patient", "Panel", "Comment", "Invitation")
            },
            "users": len(api.user.get_users()),
            "scale": progress.get("scale"),
        }

    print(json.dumps(run(job)))


def profile():
    """Profile the requests given on stdin, each sent `times` times."""
    import cProfile
    import pstats

    wanted = json.load(sys.stdin)
    app = _open()

    def call(request, method="GET", body=b"", token=None):
        environ = {
            "REQUEST_METHOD": method,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": wanted["port"],
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "PATH_INFO": request["path"],
            "QUERY_STRING": request.get("query", ""),
            "HTTP_HOST": f"localhost:{wanted['port']}",
            "HTTP_ACCEPT": request.get("accept", "text/html"),
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        status = []
        body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        return status[0], body

    from ern.cpms.demo import DEMO_PASSWORD

    import pyotp

    def login():
        body = json.dumps(
            {
                "login": wanted["userid"],
                "password": DEMO_PASSWORD,
                "otp": pyotp.TOTP(wanted["key"]).now(),
            }
        ).encode()
        path = f"/{wanted['site']}/@login"
        return call({"path": path, "accept": "application/json"}, "POST", body)[1]

    answer = login()
    if b'"token"' not in answer:
        # The benchmark's last login used this time step's code: the next.
        time.sleep(31)
        answer = login()
    token = json.loads(answer).get("token")
    if token is None:
        sys.exit(f"Login refused: {answer[:300]}")

    for request in wanted["requests"]:
        method = request.get("method", "GET")
        body = json.dumps(request["body"]).encode() if "body" in request else b""
        for _n in range(3):  # warm
            call(request, method, body, token=token)
        profiler = cProfile.Profile()
        profiler.enable()
        for _n in range(request["times"]):
            status, _body = call(request, method, body, token=token)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(request.get("lines", 30))
        if request.get("callers"):
            stats.print_callers(request["callers"])
        print(
            json.dumps(
                {"path": request["path"], "status": status, "stats": out.getvalue()}
            )
        )


if __name__ == "__main__":
    {"prepare": prepare, "profile": profile}[sys.argv[1]]()
