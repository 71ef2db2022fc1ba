"""Factories for test records. Each makes a fresh record with unique names, inside the test's
rolled-back transaction; keyword arguments override the defaults."""

import frappe
from frappe.utils import add_days, nowdate


def uid(prefix: str = "") -> str:
	return f"{prefix}{frappe.generate_hash(length=8)}"


def make_customer(customer_name: str | None = None, **kw) -> "frappe.Document":
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": customer_name or uid("BRM Test Customer "),
			"customer_type": "Company",
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_contact(customer: str | None = None, email: str | None = None, **kw) -> "frappe.Document":
	first = kw.pop("first_name", uid("Contact "))
	email = email or f"{uid('c')}@example.com"
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first,
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer}] if customer else [],
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_it_service(**kw) -> "frappe.Document":
	doc = frappe.get_doc(
		{
			"doctype": "IT Service",
			"service_name": kw.pop("service_name", uid("Service ")),
			"lifecycle_status": "Catalogue",
			"max_committable_availability": 99.5,
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_portfolio(
	customer: str | None = None, relationship_manager: str | None = None, **kw
) -> "frappe.Document":
	"""A Customer Portfolio (making the Customer too when none is given)."""
	customer = customer or make_customer().name
	if frappe.db.exists("Customer Portfolio", customer):
		doc = frappe.get_doc("Customer Portfolio", customer)
		doc.update({"relationship_manager": relationship_manager, **kw})
		return doc.save(ignore_permissions=True)
	doc = frappe.get_doc(
		{
			"doctype": "Customer Portfolio",
			"customer": customer,
			"relationship_manager": relationship_manager,
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_agreement(customer: str | None = None, **kw) -> "frappe.Document":
	customer = customer or make_portfolio().customer
	doc = frappe.get_doc(
		{
			"doctype": "Customer Agreement",
			"agreement_title": kw.pop("agreement_title", uid("Agreement ")),
			"customer": customer,
			"agreement_kind": "Internal",
			"start_date": kw.pop("start_date", nowdate()),
			"end_date": kw.pop("end_date", add_days(nowdate(), 365)),
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_opportunity(customer: str | None = None, **kw) -> "frappe.Document":
	customer = customer or make_portfolio().customer
	doc = frappe.get_doc(
		{
			"doctype": "Service Opportunity",
			"opportunity_title": kw.pop("opportunity_title", uid("Opportunity ")),
			"customer": customer,
			"opportunity_type": "New Service",
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_business_case(customer: str | None = None, **kw) -> "frappe.Document":
	customer = customer or make_portfolio().customer
	doc = frappe.get_doc(
		{
			"doctype": "Business Case",
			"title": kw.pop("title", uid("Business Case ")),
			"customer": customer,
			"discount_rate": 10,
			"horizon_years": 3,
			"costs": kw.pop(
				"costs", [{"description": "Build", "cost_type": "Capex", "year": 0, "amount": 1000}]
			),
			"benefits": kw.pop(
				"benefits",
				[
					{"description": "Savings", "benefit_type": "Cost Saving", "year": y, "amount": 400}
					for y in (1, 2, 3)
				],
			),
			"requirements": kw.pop(
				"requirements",
				[{"requirement": "Service available in office hours", "requirement_type": "Availability"}],
			),
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_survey_template(questions: list[tuple[str, str]] | None = None, **kw) -> "frappe.Document":
	questions = questions or [
		("How satisfied are you with the service?", "Rating"),
		("How satisfied are you with your relationship manager?", "Rating"),
		("How likely are you to recommend us?", "NPS"),
		("Was your issue resolved?", "Yes/No"),
		("Anything else?", "Text"),
	]
	doc = frappe.get_doc(
		{
			"doctype": "Satisfaction Survey Template",
			"template_name": kw.pop("template_name", uid("Template ")),
			"trigger": kw.pop("trigger", "Manual"),
			"questions": [
				{"question": q, "question_type": t, "mandatory": 0 if t == "Text" else 1}
				for q, t in questions
			],
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_survey(customer: str | None = None, template: str | None = None, **kw) -> "frappe.Document":
	customer = customer or make_portfolio().customer
	doc = frappe.get_doc(
		{
			"doctype": "Satisfaction Survey",
			"template": template or make_survey_template().name,
			"customer": customer,
			"email": kw.pop("email", f"{uid('r')}@example.com"),
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


# Helpdesk and project records (issue 5)


def make_issue(
	customer: str | None = None, contact: "frappe.Document | None" = None, **kw
) -> "frappe.Document":
	"""An open ERPNext Issue of `customer` raised by `contact` (a Contact document)."""
	doc = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": kw.pop("subject", uid("Ticket ")),
			"customer": customer,
			"contact": contact.name if contact else None,
			"raised_by": kw.pop("raised_by", contact.email_id if contact else None),
			"status": kw.pop("status", "Open"),
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_issue_type(name: str) -> str:
	if not frappe.db.exists("Issue Type", name):
		frappe.get_doc({"doctype": "Issue Type", "__newname": name, "name": name}).insert(
			ignore_permissions=True
		)
	return name


def make_hd_customer(name: str) -> str:
	"""A Helpdesk HD Customer (only when the Helpdesk app is installed)."""
	if not frappe.db.exists("HD Customer", name):
		frappe.get_doc({"doctype": "HD Customer", "customer_name": name}).insert(ignore_permissions=True)
	return name


def make_hd_ticket(
	hd_customer: str | None = None, contact: "frappe.Document | None" = None, **kw
) -> "frappe.Document":
	"""An open Helpdesk HD Ticket (only when the Helpdesk app is installed)."""
	doc = frappe.get_doc(
		{
			"doctype": "HD Ticket",
			"subject": kw.pop("subject", uid("HD Ticket ")),
			"description": kw.pop("description", "Something is broken"),
			"customer": hd_customer,
			"contact": contact.name if contact else None,
			"raised_by": kw.pop("raised_by", contact.email_id if contact else None),
			"status": kw.pop("status", "Open"),
			**kw,
		}
	)
	doc.insert(ignore_permissions=True)
	# Helpdesk's after_insert (assignment rules, activity) updates the ticket: hand back the stored one
	return frappe.get_doc("HD Ticket", doc.name)


def make_email_account(email: str | None = None) -> "frappe.Document":
	"""A default outgoing Email Account (frappe.sendmail refuses to queue without one; frappe's stand-in for
	muted sites has no address and fails). No SMTP check in tests."""
	email = email or f"{uid('brm-outgoing-')}@example.com"
	doc = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": uid("BRM Outgoing "),
			"email_id": email,
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "localhost",
			"smtp_port": 25,
			"no_smtp_authentication": 1,
		}
	)
	return doc.insert(ignore_permissions=True)


def forget_email_accounts() -> None:
	"""frappe caches the outgoing account for the whole process; tests make their own."""
	if hasattr(frappe.local, "outgoing_email_account"):
		del frappe.local.outgoing_email_account


def mute_mail(account: bool = True) -> None:
	"""Let e-mails be queued but never sent from the test (frappe.flags.mute_emails), with an outgoing
	Email Account in the test's transaction unless `account` is False.

	Without the mute, frappe sends notification e-mails (assignments, mentions) immediately in tests, and
	its Email Queue commits what it sent: the test's transaction would be committed half-way."""

	def unmute():
		frappe.flags.mute_emails = False
		forget_email_accounts()

	frappe.flags.mute_emails = True
	forget_email_accounts()
	if account:
		make_email_account()
	frappe.db.after_rollback.add(unmute)


def make_project(**kw) -> "frappe.Document":
	doc = frappe.get_doc(
		{
			"doctype": "Project",
			"project_name": kw.pop("project_name", uid("Project ")),
			"status": kw.pop("status", "Open"),
			"percent_complete_method": kw.pop("percent_complete_method", "Manual"),
			**kw,
		}
	)
	return doc.insert(ignore_permissions=True)


def set_brm_settings(**values) -> None:
	"""Change BRM Settings inside the test's transaction; the cached settings document is dropped now and
	again after the test's rollback, so no other test sees these values."""

	def clear():
		frappe.clear_document_cache("BRM Settings", "BRM Settings")

	frappe.db.set_single_value("BRM Settings", values)
	clear()
	frappe.db.after_rollback.add(clear)


def discard_error_logs_afterwards() -> None:
	"""Error Log is a MyISAM table in frappe, so its rows survive the test's rollback: remove the ones
	written from now on once the test has rolled back."""
	since = frappe.utils.now_datetime()
	frappe.db.after_rollback.add(lambda: frappe.db.delete("Error Log", {"creation": (">=", since)}))
