"""The app is installed on the test site with its module, hooks and roles; the harness isolates tests.
(Uninstall / reinstall / migrate twice on a scratch site: tests/security/test_case_22_*.)"""

import uuid

import frappe

from brm_app.setup.install import BRM_ROLES, ensure_setup
from tests.support.users import as_role


def test_brm_app_is_installed_on_the_test_site():
	assert "brm_app" in frappe.get_installed_apps()
	assert "erpnext" in frappe.get_installed_apps()


def test_module_def_belongs_to_brm_app():
	assert frappe.db.get_value("Module Def", "BRM App", "app_name") == "brm_app"
	assert frappe.local.module_app["brm_app"] == "brm_app"


def test_hooks_are_loaded():
	assert frappe.get_hooks("required_apps", app_name="brm_app") == ["frappe/erpnext"]
	assert "brm_app.setup.install.after_install" in frappe.get_hooks("after_install")
	assert frappe.get_hooks("export_python_type_annotations", app_name="brm_app") == [True]


def test_erpnext_setup_wizard_was_completed():
	assert frappe.db.get_single_value("System Settings", "setup_complete") == 1
	assert frappe.db.a_row_exists("Company")
	assert frappe.db.get_value("Fiscal Year", {"disabled": 0}, "name")


def test_roles_exist_once_and_setup_is_idempotent():
	ensure_setup()
	ensure_setup()
	for role in BRM_ROLES:
		assert frappe.db.count("Role", {"name": role}) == 1


def test_as_role_runs_code_as_a_user_with_that_role():
	with as_role("BRM Process Manager") as email:
		assert frappe.session.user == email
		assert "BRM Process Manager" in frappe.get_roles()
		assert "System Manager" not in frappe.get_roles()
	assert frappe.session.user == "Administrator"


_marker = f"brm-rollback-{uuid.uuid4()}"
_written = []  # what part 1 wrote, for part 2 (pytest runs a file's tests in order)


def test_rollback_part_1_writes_a_record():
	frappe.get_doc({"doctype": "ToDo", "description": _marker}).insert()
	assert frappe.db.exists("ToDo", {"description": _marker})
	_written.append(_marker)


def test_rollback_part_2_does_not_see_it():
	# alone, this test would prove nothing: it needs part 1 to have written the record in this session
	assert _written == [_marker], "run test_rollback_part_1_writes_a_record first (run the whole file)"
	assert not frappe.db.exists("ToDo", {"description": _marker})
