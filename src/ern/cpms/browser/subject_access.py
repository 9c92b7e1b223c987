"""``@@subject-access`` on a patient: the ZIP of everything the system
holds about them (subject_access.py), for the patient's own centre."""

from ern.cpms.caching import never_keep
from ern.cpms.subject_access import export
from Products.Five.browser import BrowserView


def send_zip(patient, request):
    data = export(patient, request)
    response = request.response
    response.setHeader("Content-Type", "application/zip")
    response.setHeader(
        "Content-Disposition",
        f'attachment; filename="{patient.pseudonym.lower()}-subject-access.zip"',
    )
    never_keep()
    return data


class SubjectAccess(BrowserView):
    def __call__(self):
        return send_zip(self.context, self.request)
