"""``GET @audit-log`` on the site (the whole trail) and ``GET @access-log``
on a centre or a patient (its part): the entries of the pages of
browser/audit.py as JSON, with the same filters (``userid``, ``pseudonym``,
``action``, ``since``, ``until`` — dates as YYYY-MM-DD —, ``b_start``) and
the same permissions; ``verify=1`` on the site adds the chain's check."""

from ern.cpms.audit import store
from ern.cpms.browser.audit import AuditLog
from ern.cpms.browser.audit import CentreAccessLog
from ern.cpms.browser.audit import PAGE_SIZE
from ern.cpms.browser.audit import PatientAccessLog
from ern.cpms.restapi.services import bad_request
from plone.restapi.services import Service


class _Log(Service):
    page_class = AuditLog

    def reply(self):
        page = self.page_class(self.context, self.request)
        page.errors = {}
        page.filters = page._filters()
        if page.errors:
            field, message = next(iter(page.errors.items()))
            return bad_request(self.request, field, message)
        rows, total = page.page()
        start = page.start()
        result = {
            "@id": self.request["ACTUAL_URL"],
            "items_total": total,
            "items": rows,
            "batching": {},
        }
        if start + PAGE_SIZE < total:
            result["batching"]["next"] = page.link(b_start=start + PAGE_SIZE)
        if start:
            result["batching"]["prev"] = page.link(b_start=max(start - PAGE_SIZE, 0))
        if self.request.form.get("verify") and page.may_verify():
            count, head, broken = store().verify()
            result["verification"] = {
                "count": count,
                "head": head,
                "broken": dict(broken) if broken else None,
            }
        return result


class SiteAuditLog(_Log):
    page_class = AuditLog


class CentreLog(_Log):
    page_class = CentreAccessLog


class PatientLog(_Log):
    page_class = PatientAccessLog
