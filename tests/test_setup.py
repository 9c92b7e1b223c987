"""The add-on installs, declares what it adds, and uninstalls cleanly."""

from ern.cpms.interfaces import IBrowserLayer
from plone import api

import pytest


PROFILE = "ern.cpms:default"
TYPES = ("ERNDirectory", "ERN", "CentreDirectory", "Centre", "Patient", "Panel")
DISPLAYED_TYPES = ("ERNDirectory", "ERN", "CentreDirectory", "Centre")
INDEXES = ("ern_code", "country", "ern_memberships", "identity_hash")
ROLES = (
    "HealthProfessional",
    "PanelLead",
    "PanelMember",
    "InvitedExpert",
    "ERNCoordinator",
    "ERNEditor",
)


class TestInstalled:
    def test_product_installed(self, installer, package_name):
        assert installer.is_product_installed(package_name)

    def test_browserlayer_registered(self, browser_layers):
        assert IBrowserLayer in browser_layers

    def test_profile_version_is_latest(self, setup_tool, profile_last_version):
        assert setup_tool.getLastVersionForProfile(PROFILE) == (
            profile_last_version(PROFILE),
        )

    def test_no_upgrade_pending_after_install(self, setup_tool):
        assert setup_tool.listUpgrades(PROFILE) == []

    @pytest.mark.parametrize("portal_type", TYPES)
    def test_type_installed(self, portal, portal_type):
        assert portal_type in portal.portal_types.objectIds()

    def test_every_type_takes_its_behaviours(self, portal):
        """Dexterity gives an object its FTI's behaviours through its
        class's ``__providedBy__``; a plain mixin placed before Item shadowed
        it (a webinar did not provide plone.excludefromnavigation, and its
        REST GET answered 500 — found by schemathesis)."""
        from plone.dexterity.content import FTIAwareSpecification
        from plone.dexterity.utils import resolveDottedName

        for fti in portal.portal_types.objectValues():
            klass = getattr(fti, "klass", "")
            if not klass.startswith("ern.cpms."):
                continue
            cls = resolveDottedName(klass)
            owner = next(c for c in cls.__mro__ if "__providedBy__" in c.__dict__)
            assert isinstance(
                owner.__dict__["__providedBy__"], FTIAwareSpecification
            ), fti.getId()

    @pytest.mark.parametrize("index", INDEXES)
    def test_catalog_index(self, portal, index):
        assert index in portal.portal_catalog.indexes()

    @pytest.mark.parametrize("role", ROLES)
    def test_role_declared(self, portal, role):
        assert role in portal.valid_roles()

    @pytest.mark.parametrize("role", ROLES)
    def test_role_offered_on_sharing_tab(self, portal, http_request, role):
        sharing = api.content.get_view("sharing", portal, http_request)
        with api.env.adopt_roles(["Manager"]):
            assert role in {r["id"] for r in sharing.roles()}

    def test_root_folders_created(self, portal):
        assert portal["erns"].portal_type == "ERNDirectory"
        assert portal["centres"].portal_type == "CentreDirectory"

    @pytest.mark.parametrize("portal_type", DISPLAYED_TYPES)
    def test_type_shown_in_navigation(self, portal, portal_type):
        assert portal_type in api.portal.get_registry_record("plone.displayed_types")

    def test_patients_not_in_navigation(self, portal):
        assert "Patient" not in api.portal.get_registry_record("plone.displayed_types")

    def test_restapi_installed(self, installer):
        assert installer.is_product_installed("plone.restapi")

    def test_demo_and_uninstall_profiles_hidden_from_control_panel(
        self, portal, http_request
    ):
        control_panel = api.content.get_view(
            "prefs_install_products_form", portal, http_request
        )
        addon = control_panel.get_addons()["ern.cpms"]
        assert addon["install_profile_id"] == PROFILE
        assert addon["uninstall_profile_id"] == "ern.cpms:uninstall"
        assert "ern.cpms:demo" not in addon["other_profiles"]


class TestUninstalled:
    @pytest.fixture(autouse=True)
    def uninstalled(self, uninstalled):
        pass

    def test_product_uninstalled(self, installer, package_name):
        assert not installer.is_product_installed(package_name)

    def test_browserlayer_removed(self, browser_layers):
        assert IBrowserLayer not in browser_layers

    @pytest.mark.parametrize("portal_type", TYPES)
    def test_type_removed(self, portal, portal_type):
        assert portal_type not in portal.portal_types.objectIds()

    @pytest.mark.parametrize("index", INDEXES)
    def test_catalog_index_removed(self, portal, index):
        assert index not in portal.portal_catalog.indexes()

    def test_types_no_longer_in_navigation(self, portal):
        displayed = api.portal.get_registry_record("plone.displayed_types")
        assert not set(TYPES) & set(displayed)
        assert "Document" in displayed

    def test_type_icons_removed(self, portal):
        assert (
            api.portal.get_registry_record(
                "plone.icon.contenttype/centre", default=None
            )
            is None
        )

    def test_content_kept(self, portal):
        assert "centres" in portal.objectIds()

    def test_roles_no_longer_offered(self, portal, http_request):
        sharing = api.content.get_view("sharing", portal, http_request)
        with api.env.adopt_roles(["Manager"]):
            assert "HealthProfessional" not in {r["id"] for r in sharing.roles()}
