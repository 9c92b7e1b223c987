"""Test layers of ern.cpms: one sandbox fixture, integration and functional.

The functional layer serves the site over a real WSGI server so that REST and
browser tests talk HTTP to it.
"""

from plone import api
from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import PloneSandboxLayer
from plone.testing import zope
from plone.testing.zope import WSGI_SERVER_FIXTURE
from ZPublisher.WSGIPublisher import WSGIRequest

import atexit
import collective.MockMailHost
import ern.cpms
import os
import plone.restapi
import shutil
import tempfile


# Compile the .po catalogues when the ZCML registers them, as the instance
# does (zope.conf sets the same variable): .mo files are not committed.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")


# The audit trail of the test run: a file of its own, never the instance's
# (tests that read it point CPMS_AUDIT_DB at a file of their own: the
# `audit` fixture).
if "CPMS_AUDIT_DB" not in os.environ:
    _audit_dir = tempfile.mkdtemp(prefix="cpms-audit-")
    atexit.register(shutil.rmtree, _audit_dir, ignore_errors=True)
    os.environ["CPMS_AUDIT_DB"] = os.path.join(_audit_dir, "audit.sqlite")


# E-mails leave after the transaction commits (ern.cpms.notifications), when
# the MockMailHost may no longer record them in the database: the tests
# read them from this list instead.
SENT_MAIL = []


def _record(self, mfrom, mto, message_text, debug=False):
    SENT_MAIL.append(message_text)


# As scripts/templates/zope.conf.in sets `max-conflict-retries` for the
# server of `make start` (docs/performance.md, "Concurrent writers"): the
# test server retries conflicts as often.
CONFLICT_RETRIES = 5


class CPMSLayer(PloneSandboxLayer):
    """A Plone site with ern.cpms and its demo network installed."""

    defaultBases = (PLONE_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        # On the test server's own request class: Zope's start-up sets the
        # base class's (to its default, 3) after this layer.
        WSGIRequest.retry_max_count = CONFLICT_RETRIES
        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=ern.cpms)
        self.loadZCML(package=collective.MockMailHost)
        zope.installProduct(app, "collective.MockMailHost")
        from collective.MockMailHost.MockMailHost import MockMailHost

        MockMailHost._send = _record

    def tearDownZope(self, app):
        del WSGIRequest.retry_max_count

    def setUpPloneSite(self, portal):
        applyProfile(portal, "plone.restapi:default")
        applyProfile(portal, "ern.cpms:default")
        # After ern.cpms: the toolset step of a profile it depends on
        # (CMFPlacefulWorkflow) puts back a real MailHost in place of a mock.
        # Before the demo, whose stories send notifications.
        applyProfile(portal, "collective.MockMailHost:default")
        api.portal.set_registry_record("plone.email_from_address", "cpms@example.org")
        api.portal.set_registry_record("plone.email_from_name", "CPMS")
        api.portal.set_registry_record("plone.smtp_host", "localhost")
        applyProfile(portal, "ern.cpms:demo")


FIXTURE = CPMSLayer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,),
    name="ern.cpms:Integration",
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER_FIXTURE),
    name="ern.cpms:Functional",
)
