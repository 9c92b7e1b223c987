"""What shows recorded (identifying) data is never kept by a cache.

Every response that shows what the audit trail records — a patient, a
panel, an outcome document or its PDF, a subject-access export, the audit
log, a meeting's invitation — is marked with `never_keep()`, and so is
everything published inside a patient's record: it says
``Cache-Control: private, no-store`` and carries no validator (ETag,
Last-Modified), so that no browser or proxy keeps it and no client can ask
"has it changed?" and be answered from a copy without the read being
recorded. plone.app.caching, when a site switches it on, sets its own
headers late (a plone.transformchain transform at order 12000, and a
handler for streamed responses); the transform and handler here run after
it and put the mark back (tests/test_caching.py).
"""

from plone.transformchain.interfaces import ITransform
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.interface import Interface
from ZPublisher.interfaces import IPubBeforeStreaming


NO_STORE = "private, no-store"
_MARK = "ern.cpms.never_keep"
_VALIDATORS = ("etag", "last-modified")


def never_keep(request=None):
    """Mark the response to `request` (the current one) as never kept."""
    request = request if request is not None else getRequest()
    if request is None:
        return
    request.environ[_MARK] = True
    _apply(request.response)


def _apply(response):
    response.setHeader("Cache-Control", NO_STORE)
    response.setHeader("Expires", "0")
    # Headers set with literal=1 (plone.app.caching's "ETag") keep their case.
    for name in [n for n in response.headers if n.lower() in _VALIDATORS]:
        del response.headers[name]


def _marked(request):
    """Marked by never_keep(), or about a patient: anything published in a
    patient's record (the patient, its panels and everything in them,
    through pages, REST or downloads) is clinical and is never kept."""
    if request is None:
        return False
    if request.environ.get(_MARK, False):
        return True
    from ern.cpms.content.patient import within_record

    published = request.get("PUBLISHED")
    return within_record(getattr(published, "context", published))


@implementer(ITransform)
@adapter(Interface, Interface)
class NeverKept:
    """After plone.app.caching's mutator (12000): the mark stands."""

    order = 12500

    def __init__(self, published, request):
        self.request = request

    def _check(self):
        if _marked(self.request):
            _apply(self.request.response)

    def transformBytes(self, result, encoding):
        self._check()

    def transformUnicode(self, result, encoding):
        self._check()

    def transformIterable(self, result, encoding):
        self._check()


@adapter(IPubBeforeStreaming)
def streamed(event):
    """A streamed response (a file download) keeps the mark too."""
    if _marked(getRequest()) and event.response is not None:
        _apply(event.response)
