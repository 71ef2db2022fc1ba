"""Idempotent set-up of what brm_app needs on a site (roles, settings, workflows).

Every function here may run any number of times (install, each migrate) and must leave the
site in the same state each time: it creates what is missing and never duplicates.
"""

import frappe

from brm_app.brm_app.doctype.brm_settings.brm_settings import ensure_settings_defaults
from brm_app.brm_app.doctype.satisfaction_survey_template.satisfaction_survey_template import (
	ensure_default_templates,
)
from brm_app.setup.indexes import ensure_report_indexes
from brm_app.setup.workflows import ensure_workflows
from brm_app.surveys.setup import ensure_survey_setup

BRM_ROLES = ("BRM Process Owner", "BRM Process Manager", "Business Relationship Manager")


def after_install() -> None:
	ensure_setup()


def after_migrate() -> None:
	ensure_setup()


def ensure_setup() -> None:
	ensure_roles()
	ensure_settings_defaults()
	ensure_default_templates()
	ensure_workflows()
	ensure_survey_setup()
	ensure_report_indexes()


def ensure_roles() -> None:
	"""Create the three BRM roles (DESIGN.md S6) when they do not exist yet."""
	for role_name in BRM_ROLES:
		if frappe.db.exists("Role", role_name):
			continue
		frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": 1, "is_custom": 0}).insert(
			ignore_permissions=True
		)


def before_uninstall() -> None:
	"""Nothing to undo yet: frappe removes the module's doctypes itself; roles are kept
	because users may still hold them (removing roles would silently drop permissions)."""
