"""Idempotent set-up of what brm_app needs on a site (roles, settings, workflows).

Every function here may run any number of times (install, each migrate) and must leave the
site in the same state each time: it creates what is missing and never duplicates.
"""

import frappe
from frappe import _

from brm_app.brm_app.doctype.satisfaction_survey_template.satisfaction_survey_template import (
	ensure_default_templates,
)
from brm_app.services import roles
from brm_app.settings import ensure_defaults
from brm_app.setup.health_columns import ensure_nullable_health_columns
from brm_app.setup.indexes import ensure_report_indexes
from brm_app.setup.workflows import ensure_workflows
from brm_app.surveys.setup import ensure_survey_setup

BRM_ROLES = roles.ALL_ROLES


# frappe's Redis keys holding the app -> modules map (frappe.setup_module_map)
MODULE_MAP_KEYS = ("app_modules", "installed_app_modules", "module_app", "module_installed_app", "all_apps")


def before_install() -> None:
	"""Refresh frappe's app -> modules map before frappe syncs brm_app's doctypes.

	frappe 15.44 reads the map from Redis once per process (frappe.init) and syncs an app's doctypes from
	it. On a site in use the map was cached before `bench get-app brm_app` and lacks brm_app, so
	`install-app` would sync none of its doctypes and then fail in after_install, leaving brm_app listed
	as installed. Rebuilt here from sites/apps.txt, it includes brm_app.
	"""
	refresh_module_map()
	if "brm_app" not in (frappe.local.app_modules or {}):
		frappe.throw(
			_("brm_app is not in the bench's sites/apps.txt: run `bench get-app` for it first."),
			title=_("Cannot install brm_app"),
		)


def refresh_module_map() -> None:
	frappe.cache.delete_value(list(MODULE_MAP_KEYS))
	frappe.local.app_modules = None
	frappe.setup_module_map()


def after_install() -> None:
	"""Set brm_app up; on any failure undo the whole installation and fail loudly.

	frappe records the app as installed before after_install runs, so a failure here would otherwise
	leave brm_app listed without the rest of its set-up (and a second `install-app` would only answer
	"already installed"). The steps frappe runs after this hook (scheduled jobs, custom fields, dashboards)
	run here first, inside the same guard; they are idempotent, so frappe repeating them changes nothing.
	"""
	try:
		ensure_setup()
		sync_app_records()
	except Exception as error:
		frappe.db.rollback()
		undo_failed_install()
		raise frappe.ValidationError(
			_(
				"Installing brm_app failed and was undone, nothing of it is left on the site: {0}. Fix the cause and run install-app again."
			).format(error)
		) from error
	# processes that cached the map of installed apps before brm_app was added rebuild it on their next
	# request (web workers would otherwise not find the "BRM App" module)
	frappe.cache.delete_value(list(MODULE_MAP_KEYS))


def sync_app_records() -> None:
	"""What frappe's install_app does after after_install, for brm_app."""
	from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs
	from frappe.modules.utils import sync_customizations
	from frappe.utils.dashboard import sync_dashboards

	sync_jobs()
	sync_customizations("brm_app")
	sync_dashboards("brm_app")


def undo_failed_install() -> None:
	"""Uninstall what a failed install left (frappe's uninstall runs before_uninstall's clean-up too)."""
	from frappe.installer import remove_app

	try:
		remove_app("brm_app", yes=True, no_backup=True, force=True)
	except Exception:
		# the original error is the one to report; this one goes to the Error Log and the console
		frappe.db.rollback()
		frappe.log_error(title="brm_app: undoing a failed installation failed")
		print(frappe.get_traceback())
		frappe.db.commit()  # nosemgrep: the Error Log entry must survive the failed install


def after_migrate() -> None:
	ensure_setup()


def ensure_setup() -> None:
	ensure_roles()
	ensure_defaults()
	ensure_default_templates()
	ensure_workflows()
	ensure_survey_setup()
	ensure_report_indexes()
	ensure_nullable_health_columns()


def ensure_roles() -> None:
	"""Create the three BRM roles (docs/design.md S6) when they do not exist yet."""
	for role_name in BRM_ROLES:
		if frappe.db.exists("Role", role_name):
			continue
		frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": 1, "is_custom": 0}).insert(
			ignore_permissions=True
		)


def before_uninstall() -> None:
	"""Remove what brm_app added outside its own doctypes (brm_app.setup.uninstall); frappe then removes
	the module, its doctypes and their tables, reports, workspace, dashboards and custom fields."""
	from brm_app.setup.uninstall import remove_leftovers

	removed = remove_leftovers()
	for kind, names in removed.items():
		print(f"* removed {kind}: {', '.join(names)}")


def after_uninstall() -> None:
	frappe.cache.delete_value(list(MODULE_MAP_KEYS))
