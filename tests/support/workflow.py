"""Walk business cases and customer agreements through their approval workflows in tests, as real users.

The approval workflows (brm_app.services.approval_rules) refuse shortcuts such as submitting a draft case
directly, and nobody approves a case they prepared: tests that need an approved case or an active
agreement get one from here.
"""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import now_datetime

from brm_app.api.approvals import apply_action
from brm_app.signoff import flow as sign_off_flow
from brm_app.signoff import records as sign_off_records
from tests.support.factories import make_contact, mute_mail, uid
from tests.support.users import as_user, insert_user

PROCESS_MANAGER = "BRM Process Manager"
PROCESS_OWNER = "BRM Process Owner"
RELATIONSHIP_MANAGER = "Business Relationship Manager"


def make_approver(role: str = PROCESS_MANAGER, *extra_roles: str) -> str:
	"""A new enabled System User holding exactly these roles (plus frappe's automatic ones), inserted
	quickly (tests.support.users.insert_user): the workflow tests need several users each."""
	slug = role.lower().replace(" ", "-")
	return insert_user(f"{uid(slug + '-')}@example.com", (role, *extra_roles))


def set_threshold(amount: float) -> None:
	frappe.db.set_single_value("BRM Settings", "two_level_approval_threshold", amount)
	frappe.clear_document_cache("BRM Settings", "BRM Settings")


def quiet_mail() -> None:
	"""Workflow steps that need a decision e-mail the approvers (Workflow.send_email_alert): queue those
	e-mails with an outgoing account and never send them (sending would commit the test's transaction;
	without an account frappe writes an Error Log, which is not rolled back)."""
	if not frappe.flags.mute_emails:
		mute_mail()


def act(doc, action: str, user: str | None = None, comment: str | None = None):
	"""Apply a workflow action through apply_action (what the forms call), as `user`; returns the doc."""
	quiet_mail()
	if user:
		with as_user(user):
			apply_action(doc.doctype, doc.name, action, comment=comment)
	else:
		apply_action(doc.doctype, doc.name, action, comment=comment)
	return frappe.get_doc(doc.doctype, doc.name)


def stakeholder_contact(
	case, user: str | None = None, role: str = "Decision Maker", signs_off: bool = True, **contact
) -> str:
	"""A contact of the case's customer made a stakeholder of the case's portfolio (marked Signs Off
	Requirements unless `signs_off` is False), as Administrator: setting up the customer's side. With
	`user`, the contact is that desk user's. Returns the contact's name."""
	email = contact.pop("email", None) or (frappe.db.get_value("User", user, "email") if user else None)
	made = make_contact(case.customer, email=email, user=user, **contact)
	portfolio = frappe.get_doc("Customer Portfolio", case.portfolio)
	portfolio.append(
		"stakeholders",
		{"contact": made.name, "stakeholder_role": role, "signs_off_requirements": int(signs_off)},
	)
	portfolio.save(ignore_permissions=True)
	return made.name


def add_signatory(case, user: str | None = None, role: str = "Decision Maker") -> str:
	"""A contact of the case's customer, marked Signs Off Requirements on the portfolio and named as the
	case's signatory (as Administrator: setting up the customer's side). With `user`, the contact is that
	desk user's (an internal customer signing in the desk). Returns the contact's name."""
	contact = stakeholder_contact(case, user=user, role=role)
	case.reload()
	case.append("signatories", {"contact": contact})
	case.save(ignore_permissions=True)
	return contact


def make_ready(case):
	"""A signatory named (one is added when there is none) and funding requested: ready for sign-off."""
	case.reload()
	if not case.get("signatories"):
		current = frappe.session.user
		frappe.set_user("Administrator")
		try:
			add_signatory(case)
		finally:
			frappe.set_user(current)
		case.reload()
	if case.funding_status not in ("Requested", "Approved"):
		case.funding_status = "Requested"
		case.save()
	return case


def open_sign_offs(case) -> list[str]:
	return frappe.get_all(
		sign_off_records.SIGN_OFF,
		filters={"business_case": case.name, "status": sign_off_records.REQUESTED},
		pluck="name",
		order_by="creation",
	)


def customer_decides(sign_off: str, decision: str = "Accepted", comment: str | None = None):
	"""The signatory's decision on every requirement of `sign_off` (the service behind the link and the
	desk); a rejection carries `comment` on each row."""
	record = frappe.get_doc(sign_off_records.SIGN_OFF, sign_off)
	decisions = {
		row.requirement_row: {
			"decision": decision,
			"comment": comment or ("No" if decision == "Rejected" else None),
		}
		for row in record.decisions
	}
	return sign_off_flow.decide(sign_off, decisions, comment)


def customer_signs(case):
	"""Every open sign-off of the case accepted: the case moves on to Pending Approval."""
	quiet_mail()
	for name in open_sign_offs(case):
		customer_decides(name)
	return frappe.get_doc(case.doctype, case.name)


def to_customer_sign_off(case, user: str | None = None):
	"""Ready the case and move it Draft -> Under Review -> Customer Sign-off (as `user`)."""
	if user:
		with as_user(user):
			make_ready(case)
	else:
		make_ready(case)
	act(case, "Submit for Review", user)
	return act(case, "Send for Customer Sign-off", user)


def to_pending_approval(case, user: str | None = None):
	"""Ready the case, send it for the customer's sign-off (as `user`) and have the customer accept it."""
	to_customer_sign_off(case, user)
	return customer_signs(case)


def approve_business_case(case, manager: str | None = None, owner: str | None = None):
	"""An Approved (submitted) case: sent for approval and approved by a process manager who did not
	prepare it (and by a process owner too when it needs two levels). Returns the reloaded case."""
	case = to_pending_approval(case)
	manager = manager or make_approver(PROCESS_MANAGER)
	case = act(case, "Approve", manager)
	if case.workflow_state == "Pending Final Approval":
		case = act(case, "Approve", owner or make_approver(PROCESS_OWNER))
	return case


def to_pending_sign_off(agreement):
	"""Draft -> Pending Sign-off (as the current user), through frappe's apply_workflow."""
	quiet_mail()
	apply_workflow(frappe.get_doc(agreement.doctype, agreement.name), "Submit for Sign-off")
	agreement.reload()
	return agreement


def prepared_by_another_user(agreement):
	"""Record that a relationship manager prepared the agreement, so that the current user may activate it
	(four eyes: the guard refuses its Prepared By). For tests that activate as Administrator."""
	agreement.db_set("prepared_by", make_approver(RELATIONSHIP_MANAGER), update_modified=False)
	agreement.reload()
	return agreement
