"""What both demo writers need on the site before the customers: users, IT services, issue types, the
survey template. Each is made once and found again on later runs."""

from contextlib import contextmanager

import frappe
from frappe.query_builder.functions import Count

from brm_app.demo import recipe
from brm_app.services import roles


@contextmanager
def writing(scale):
	"""A writer's run: yields the scale as a number (at least 1), with frappe.flags.in_demo set (the
	helpdesk hooks leave demo tickets alone, brm_app.integrations.tickets)."""
	scale = int(scale)
	if scale < 1:
		frappe.throw("scale must be at least 1")
	frappe.flags.in_demo = True
	try:
		yield scale
	finally:
		frappe.flags.in_demo = False


def ensure_user(email: str, first_name: str, last_name: str, role: str) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"send_welcome_email": 0,
				"user_type": "System User",
				# with the role at once: a second save of a User is slow (its on_update is heavy)
				# Sales User: an account manager's ERPNext role (reads Customers and Currencies, as the BRM
				# reports' link columns do)
				"roles": [{"role": role}, {"role": "Sales User"}],
			}
		)
		user.flags.no_welcome_mail = True
		# frappe refuses more than 60 new users an hour ("Throttled") unless they are imported: at 100,000
		# customers the demo makes 200 relationship managers
		in_import = frappe.flags.in_import
		frappe.flags.in_import = True
		try:
			user.insert(ignore_permissions=True)
		finally:
			frappe.flags.in_import = in_import
	return email


def ensure_relationship_managers(count: int) -> list[str]:
	return [
		ensure_user(
			recipe.manager_email(n),
			recipe.FIRST_NAMES[n % len(recipe.FIRST_NAMES)],
			f"(RM {n})",
			roles.RELATIONSHIP_MANAGER,
		)
		for n in range(1, count + 1)
	]


def ensure_process_users() -> tuple[str, str]:
	"""The BRM Process Manager and Process Owner who sign agreements and decide business cases."""
	return (
		ensure_user(recipe.PROCESS_MANAGER, "Process", "Manager", roles.PROCESS_MANAGER),
		ensure_user(recipe.PROCESS_OWNER, "Process", "Owner", roles.PROCESS_OWNER),
	)


def ensure_services() -> dict[str, float]:
	"""The catalogue's IT services; their highest committable availability by name."""
	for service_name, availability in recipe.SERVICES:
		if not frappe.db.exists("IT Service", service_name):
			frappe.get_doc(
				{
					"doctype": "IT Service",
					"service_name": service_name,
					"lifecycle_status": "Catalogue",
					"service_type": "Customer-facing",
					"max_committable_availability": availability,
					"description": f"{service_name} delivered under the standard service catalogue.",
				}
			).insert(ignore_permissions=True)
	rows = frappe.get_all(
		"IT Service",
		filters={"name": ("in", [name for name, _a in recipe.SERVICES])},
		fields=["name", "max_committable_availability"],
	)
	return {row.name: float(row.max_committable_availability or 0) for row in rows}


def ensure_issue_types() -> None:
	for issue_type in recipe.ISSUE_TYPES:
		if not frappe.db.exists("Issue Type", issue_type):
			frappe.get_doc({"doctype": "Issue Type", "name": issue_type}).insert(ignore_permissions=True)
	settings = frappe.get_single("BRM Settings")
	if not any(row.issue_type == "Complaint" for row in settings.get("complaint_issue_types") or []):
		settings.append("complaint_issue_types", {"issue_type": "Complaint"})
		settings.save(ignore_permissions=True)


def survey_template():
	"""An enabled survey template with exactly ANSWERS_PER_SURVEY questions, one in the site's language
	first; else the demo's own (made, or enabled again)."""
	question = frappe.qb.DocType("Survey Template Question")
	template = frappe.qb.DocType("Satisfaction Survey Template")
	rows = (
		frappe.qb.from_(template)
		.join(question)
		.on((question.parent == template.name) & (question.parenttype == "Satisfaction Survey Template"))
		.select(template.name, template.language)
		.where(template.enabled == 1)
		.groupby(template.name, template.language)
		.having(Count("*") == recipe.ANSWERS_PER_SURVEY)
		.orderby(template.name)
	).run()
	if rows:
		site_language = frappe.db.get_default("lang")
		name = sorted(rows, key=lambda row: row[1] != site_language)[0][0]
		return frappe.get_doc("Satisfaction Survey Template", name)
	name = frappe.db.get_value("Satisfaction Survey Template", {"template_name": recipe.SURVEY_TEMPLATE})
	if name:
		frappe.db.set_value("Satisfaction Survey Template", name, "enabled", 1)
		return frappe.get_doc("Satisfaction Survey Template", name)
	return frappe.get_doc(
		{
			"doctype": "Satisfaction Survey Template",
			"template_name": recipe.SURVEY_TEMPLATE,
			"trigger": "Periodic Relationship Review",
			"questions": [
				{"question": question, "question_type": kind, "mandatory": mandatory}
				for question, kind, mandatory in recipe.SURVEY_QUESTIONS
			],
		}
	).insert(ignore_permissions=True)


def pick_group(doctype: str) -> str:
	return frappe.db.get_value(doctype, {"is_group": 0}, "name") or frappe.db.get_value(doctype, {}, "name")
