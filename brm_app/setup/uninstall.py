"""What brm_app adds to a site outside its own tables, and its removal on uninstall.

frappe's `uninstall-app` deletes the module's doctypes (and drops their tables) and every record whose
`module` is "BRM App" (reports, print formats, workspace, dashboard, number cards, charts, onboarding,
custom fields, property setters). It leaves behind what brm_app writes from code or into other apps'
tables; `remove_leftovers()` (from the `before_uninstall` hook) removes those:

- the two Workflows (their states and transitions are their child rows), the Workflow State / Workflow
  Action Master records only brm_app's diagrams use (frappe's own "Approved", "Approve"... and any
  another workflow uses are kept), and the Workflow Action queue entries of BRM documents;
- the Scheduled Job Types of brm_app's `scheduler_events` and their logs;
- the `brm_*` indexes on other apps' tables (Issue) and the custom fields' columns (Project);
- the e-mail templates brm_app created, the module onboarding's steps, and its rows in the Patch Log;
- the three BRM roles that no user holds. A role still given to users is kept (and named): deleting it
  would silently take the users' assignments away, and a reinstall would bring the role back empty.

`footprint()` lists what of all that is on the site; after an uninstall it must list nothing but the
roles still held (tests/security/test_case_22_… and scripts/ci/bench_install.sh check it).
"""

import json
from pathlib import Path

import frappe

from brm_app.services import roles

APP = "brm_app"
MODULE = "BRM App"
ROLES = roles.ALL_ROLES
# installed by frappe itself (frappe.utils.install); other workflows rely on them
FRAPPE_WORKFLOW_STATES = ("Pending", "Approved", "Rejected")
FRAPPE_WORKFLOW_ACTIONS = ("Approve", "Reject", "Review")
# records frappe deletes with the module (they link to Module Def "BRM App")
MODULE_RECORDS = (
	"DocType",
	"Report",
	"Print Format",
	"Workspace",
	"Dashboard",
	"Dashboard Chart",
	"Number Card",
	"Module Onboarding",
	"Custom Field",
	"Property Setter",
)


def _shipped_names(folder: str) -> list[str]:
	"""Names of the records the module ships in brm_app/brm_app/<folder>/*/*.json (readable uninstalled)."""
	path = Path(frappe.get_app_path(APP, "brm_app", folder))
	return sorted(json.loads(file.read_text())["name"] for file in path.glob("*/*.json"))


def shipped_doctypes() -> list[str]:
	"""The DocTypes of the module."""
	return _shipped_names("doctype")


def shipped_onboarding_steps() -> list[str]:
	"""The module onboarding's steps: they have no module, so frappe's uninstall leaves them."""
	return _shipped_names("onboarding_step")


def shipped_custom_fields() -> list[tuple[str, str]]:
	"""(doctype, fieldname) of the custom fields brm_app ships (brm_app/brm_app/custom/*.json)."""
	folder = Path(frappe.get_app_path(APP, "brm_app", "custom"))
	fields = []
	for path in sorted(folder.glob("*.json")):
		fields += [(row["dt"], row["fieldname"]) for row in json.loads(path.read_text())["custom_fields"]]
	return fields


def workflow_specs():
	from brm_app.services.approval_rules import WORKFLOWS

	return WORKFLOWS.values()


def email_template_names() -> list[str]:
	from brm_app.notifications.mail import TEMPLATES

	return list(TEMPLATES)


def scheduled_methods() -> list[str]:
	"""Every method of brm_app's scheduler_events (read from its hooks, installed or not)."""
	events = frappe.get_hooks("scheduler_events", app_name=APP) or {}
	methods = []
	for value in events.values():
		if isinstance(value, dict):
			for listed in value.values():
				methods += listed
		else:
			methods += value
	return sorted(set(methods))


def _table_exists(doctype: str) -> bool:
	return frappe.db.table_exists(doctype)


def _own_doctypes() -> set[str]:
	return set(shipped_doctypes())


def foreign_indexes() -> list[tuple[str, str]]:
	"""(table, index) of the `brm_*` indexes on tables that are not brm_app's own."""
	own = {f"tab{doctype}" for doctype in _own_doctypes()}
	rows = frappe.db.sql(
		"""select distinct table_name, index_name from information_schema.statistics
		where table_schema = database() and index_name like 'brm\\_%%'""",
	)
	return sorted((table, index) for table, index in rows if table not in own)


def custom_field_columns() -> list[tuple[str, str]]:
	"""(doctype, column) of brm_app's custom fields whose column is on the host's table."""
	return [
		(doctype, fieldname)
		for doctype, fieldname in shipped_custom_fields()
		if _table_exists(doctype) and frappe.db.has_column(doctype, fieldname)
	]


def workflow_names() -> list[str]:
	names = [spec.name for spec in workflow_specs()]
	doctypes = [spec.document_type for spec in workflow_specs()]
	return frappe.get_all(
		"Workflow",
		filters=[["name", "in", names]],
		or_filters={"document_type": ["in", doctypes]},
		pluck="name",
	)


def _used_by_other_workflows(doctype: str, field: str, own: list[str]) -> set[str]:
	if not own:
		return {""}
	return set(
		frappe.get_all(
			doctype,
			filters={"parenttype": "Workflow", "parent": ["not in", own]},
			pluck=field,
			distinct=True,
		)
	)


def own_workflow_states() -> list[str]:
	"""The Workflow States brm_app's diagrams use that neither frappe nor another workflow needs."""
	named = {state.name for spec in workflow_specs() for state in spec.states}
	keep = set(FRAPPE_WORKFLOW_STATES) | _used_by_other_workflows(
		"Workflow Document State", "state", workflow_names()
	)
	return sorted(name for name in named - keep if frappe.db.exists("Workflow State", name))


def own_workflow_actions() -> list[str]:
	named = {action for spec in workflow_specs() for action in spec.actions()}
	keep = set(FRAPPE_WORKFLOW_ACTIONS) | _used_by_other_workflows(
		"Workflow Transition", "action", workflow_names()
	)
	return sorted(name for name in named - keep if frappe.db.exists("Workflow Action Master", name))


def held_roles() -> list[str]:
	"""BRM roles some user holds (kept on uninstall)."""
	return sorted(
		frappe.get_all(
			"Has Role",
			filters={"role": ["in", ROLES], "parenttype": "User"},
			pluck="role",
			distinct=True,
		)
	)


def _rows_about_doctypes() -> dict[str, tuple[str, str]]:
	"""kind -> (doctype, field): rows of frappe's tables that point at one of brm_app's doctypes and that
	deleting a DocType leaves behind."""
	return {
		"Custom Field": ("Custom Field", "dt"),
		"Property Setter": ("Property Setter", "doc_type"),
		"Custom DocPerm": ("Custom DocPerm", "parent"),
		"Workflow Action": ("Workflow Action", "reference_doctype"),
		"DocShare": ("DocShare", "share_doctype"),
		"User Permission": ("User Permission", "allow"),
	}


def _singles(doctypes: list[str]) -> list[str]:
	singles = frappe.qb.DocType("Singles")
	return (
		frappe.qb.from_(singles)
		.select(singles.doctype)
		.distinct()
		.where(singles.doctype.isin(doctypes))
		.run(pluck=True)
	)


def footprint() -> dict[str, list]:
	"""What brm_app added to the site, per kind (kinds with nothing are left out)."""
	doctypes = shipped_doctypes()
	found = {
		"Installed App": [APP] if APP in frappe.get_installed_apps() else [],
		"Module Def": frappe.get_all("Module Def", filters={"name": MODULE}, pluck="name"),
		"Table": [doctype for doctype in doctypes if _table_exists(doctype)],
		"Singles": _singles(doctypes),
		"Workflow": workflow_names(),
		"Workflow State": own_workflow_states(),
		"Workflow Action Master": own_workflow_actions(),
		"Scheduled Job Type": frappe.get_all(
			"Scheduled Job Type", filters={"method": ["like", f"{APP}.%"]}, pluck="method"
		),
		"Index": [f"{table}.{index}" for table, index in foreign_indexes()],
		"Column": [f"{doctype}.{column}" for doctype, column in custom_field_columns()],
		"Email Template": frappe.get_all(
			"Email Template", filters={"name": ["in", email_template_names()]}, pluck="name"
		),
		"Patch Log": frappe.get_all("Patch Log", filters={"patch": ["like", f"{APP}.%"]}, pluck="patch"),
		"Role": frappe.get_all("Role", filters={"name": ["in", ROLES]}, pluck="name"),
		"Onboarding Step": frappe.get_all(
			"Onboarding Step", filters={"name": ["in", shipped_onboarding_steps()]}, pluck="name"
		),
		"Custom Field": [
			f"{dt}-{fieldname}"
			for dt, fieldname in shipped_custom_fields()
			if frappe.db.exists("Custom Field", {"dt": dt, "fieldname": fieldname})
		],
	}
	for kind, (doctype, field) in _rows_about_doctypes().items():
		found[kind] = found.get(kind, []) + frappe.get_all(
			doctype, filters={field: ["in", doctypes]}, pluck="name"
		)
	found["DocType"] = frappe.get_all("DocType", filters={"name": ["in", doctypes]}, pluck="name")
	for doctype in MODULE_RECORDS:
		if doctype not in ("DocType", "Custom Field"):
			found[doctype] = found.get(doctype, []) + frappe.get_all(
				doctype, filters={"module": MODULE}, pluck="name"
			)
	return {kind: sorted(names) for kind, names in found.items() if names}


def _delete(doctype: str, names: list[str], note) -> None:
	for name in names:
		frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, ignore_on_trash=True)
	note(doctype, names)


def remove_leftovers() -> dict[str, list]:
	"""Delete what brm_app added outside what frappe's uninstall removes; returns what was removed."""
	removed = {}

	def note(kind: str, names) -> None:
		if names:
			removed[kind] = list(names)

	doctypes = shipped_doctypes()
	# rows of frappe's tables about brm_app's doctypes (approvers' queue entries, shares, permissions...)
	for kind, (doctype, field) in _rows_about_doctypes().items():
		names = frappe.get_all(doctype, filters={field: ["in", doctypes]}, pluck="name")
		if names:
			frappe.db.delete(doctype, {"name": ["in", names]})
		note(kind, names)
	singles = _singles(doctypes)
	if singles:
		frappe.db.delete("Singles", {"doctype": ["in", singles]})
	note("Singles", singles)
	states, masters = own_workflow_states(), own_workflow_actions()
	workflows = workflow_names()
	_delete("Workflow", workflows, note)
	_delete("Workflow State", states, note)
	_delete("Workflow Action Master", masters, note)

	jobs = frappe.get_all("Scheduled Job Type", filters={"method": ["like", f"{APP}.%"]}, pluck="name")
	if jobs:
		frappe.db.delete("Scheduled Job Log", {"scheduled_job_type": ["in", jobs]})
		frappe.db.delete("Scheduled Job Type", {"name": ["in", jobs]})
	note("Scheduled Job Type", jobs)

	steps = frappe.get_all(
		"Onboarding Step", filters={"name": ["in", shipped_onboarding_steps()]}, pluck="name"
	)
	_delete("Onboarding Step", steps, note)
	templates = frappe.get_all(
		"Email Template", filters={"name": ["in", email_template_names()]}, pluck="name"
	)
	_delete("Email Template", templates, note)

	patches = frappe.get_all("Patch Log", filters={"patch": ["like", f"{APP}.%"]}, pluck="name")
	if patches:
		frappe.db.delete("Patch Log", {"name": ["in", patches]})
	note("Patch Log", patches)

	held = set(held_roles())
	roles = frappe.get_all("Role", filters={"name": ["in", ROLES]}, pluck="name")
	for role in roles:
		if role in held:
			continue
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		frappe.delete_doc("Role", role, ignore_permissions=True, force=True, ignore_on_trash=True)
	note("Role", [role for role in roles if role not in held])
	if held:
		print(f"Keeping the roles {', '.join(sorted(held))}: users still hold them (remove them by hand)")

	# DDL last: it commits the transaction (MariaDB), so everything above is kept together before it
	indexes = foreign_indexes()
	for table, index in indexes:
		frappe.db.sql_ddl(f"alter table `{table}` drop index `{index}`")
	note("Index", [f"{table}.{index}" for table, index in indexes])
	columns = custom_field_columns()
	for doctype, column in columns:
		frappe.db.sql_ddl(f"alter table `tab{doctype}` drop column `{column}`")
		frappe.clear_cache(doctype=doctype)
	note("Column", [f"{doctype}.{column}" for doctype, column in columns])
	return removed
