"""``GET @subject-access`` on a patient: the ZIP of everything the system
holds about them (subject_access.py), for the patient's own centre."""

from ern.cpms.browser.subject_access import send_zip
from plone.restapi.services import Service


class SubjectAccess(Service):
    def render(self):
        return send_zip(self.context, self.request)
