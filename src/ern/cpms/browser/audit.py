"""The audit trail's pages.

- ``@@audit-log`` on the site: the whole trail, for site administrators and
  data protection officers (ern.cpms: View audit log).
- ``@@access-log`` on a centre: who read or changed what of the centre's
  patients, for its health professionals; on a patient, that patient's.

Filters: user, pseudonym, action, period; 50 entries a page, newest first;
``format=csv`` exports every matching entry (the export is recorded too);
``verify=1`` walks the chain and names its first broken link.
"""

from datetime import date
from datetime import timedelta
from ern.cpms import _
from ern.cpms.audit import enrolled_since
from ern.cpms.audit import record_now
from ern.cpms.audit import store
from ern.cpms.audit.store import FIELDS
from ern.cpms.caching import never_keep
from plone import api
from Products.Five.browser import BrowserView
from urllib.parse import urlencode

import csv
import io


ACTIONS = (
    ("view", _("Read identity")),
    ("list", _("Listed with identity")),
    ("identify", _("Searched by identity")),
    ("download", _("Downloaded")),
    ("export", _("Exported")),
    ("create", _("Created")),
    ("edit", _("Edited")),
    ("delete", _("Deleted")),
    ("transition", _("Workflow")),
    ("sharing", _("Sharing changed")),
    ("consent", _("Consent changed")),
    ("group_add", _("Added to group")),
    ("group_remove", _("Removed from group")),
    ("login", _("Logged in")),
    ("login_failed", _("Login refused")),
    ("second_factor", _("Second factor")),
    ("second_factor_failed", _("Second factor refused")),
    ("logout", _("Logged out")),
)
PAGE_SIZE = 50


class AuditLog(BrowserView):
    """The whole trail."""

    label = _("Audit trail")

    def scope(self):
        """The filters this page always applies."""
        return {}

    def __call__(self):
        self.errors = {}
        self.filters = self._filters()
        self.verification = None
        if self.request.form.get("verify") and self.may_verify():
            count, head, broken = store().verify()
            self.verification = {"count": count, "head": head, "broken": broken}
        if self.request.form.get("format") == "csv" and not self.errors:
            return self.csv()
        return self.index()

    def may_verify(self):
        return api.user.has_permission("ern.cpms: View audit log", obj=self.context)

    def _filters(self):
        form = self.request.form
        filters = {}
        for name in ("userid", "pseudonym"):
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                filters[name] = value.strip()
        if "pseudonym" in filters:
            filters["pseudonym"] = filters["pseudonym"].upper()
        action = form.get("action")
        if action:
            if isinstance(action, str) and action in dict(ACTIONS):
                filters["action"] = action
            else:
                self.errors["action"] = _("Choose an action from the list.")
        since, until = self._day("since"), self._day("until")
        if since and until and until < since:
            self.errors["until"] = _("The end of the period comes before its start.")
        if since:
            filters["since"] = since.isoformat()
        if until:
            filters["until"] = (until + timedelta(days=1)).isoformat()
        return filters

    def _day(self, name):
        value = self.request.form.get(name)
        if not value:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = _("Give the date as YYYY-MM-DD.")
            return None

    def query(self):
        return {**self.filters, **self.scope()}

    def start(self):
        try:
            return max(int(self.request.form.get("b_start", 0)), 0)
        except (TypeError, ValueError):
            return 0

    def page(self):
        if self.errors:
            return [], 0
        return store().entries(**self.query(), limit=PAGE_SIZE, offset=self.start())

    def action_title(self, action):
        return dict(ACTIONS).get(action, action)

    def actions(self):
        return ACTIONS

    def link(self, **changes):
        form = {
            key: value
            for key, value in self.request.form.items()
            if key in ("userid", "pseudonym", "action", "since", "until") and value
        }
        form.update(changes)
        return f"{self.request['ACTUAL_URL']}?{urlencode(form)}"

    def previous_start(self):
        start = self.start()
        return max(start - PAGE_SIZE, 0) if start else None

    def next_start(self, total):
        start = self.start() + PAGE_SIZE
        return start if start < total else None

    def csv(self):
        rows, _total = store().entries(**self.query(), newest_first=False)
        record_now("export", self.context, detail="audit trail CSV")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*FIELDS, "hash"])
        for row in rows:
            writer.writerow(
                [_cell(row[name]) for name in FIELDS] + [_cell(row["hash"])]
            )
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition", 'attachment; filename="audit-trail.csv"'
        )
        never_keep()
        return out.getvalue()


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula (a login name
    typed at the login form lands in an entry)."""
    text = str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


class CentreAccessLog(AuditLog):
    """A centre's part: what was read and done of its patients."""

    label = _("Access log of the centre's patients")

    def scope(self):
        return {"centre": self.context.getId()}


class PatientAccessLog(AuditLog):
    """One patient's part."""

    label = _("Access log of this patient")

    def scope(self):
        return {"centre": self._centre(), "pseudonym": self.context.pseudonym}

    def query(self):
        """Since this enrolment only: a person enrolled again after an
        erasure has the same pseudonym, not the erased record's trail."""
        query = super().query()
        query["since"] = max(query.get("since") or "", enrolled_since(self.context))
        return query

    def _centre(self):
        return self.context.__parent__.getId()
