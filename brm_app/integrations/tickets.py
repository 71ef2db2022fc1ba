"""doc_events of ERPNext Issue and Helpdesk HD Ticket.

On every save the hook does only in-memory checks (status and type against the version before the save,
BRM Settings from the cache). When a ticket has just been closed or resolved it does not schedule the survey
itself: it enqueues `schedule_survey_for_ticket` to run after the ticket's transaction commits, so closing a
ticket costs the agent next to nothing (scripts/bench_issue_close.py measures it). In tests the job runs at
once, as frappe does for its own jobs. When a complaint ticket's status, type or customer changed, the
customer's open complaints are recounted in the same transaction (a COUNT and an UPDATE).

Survey scheduling and the complaint count run in a savepoint: a failure is written to the Error Log and
never stops the ticket from being saved.
"""

import frappe
from frappe import _
from frappe.utils import escape_html

from brm_app.integrations import HD_TICKET
from brm_app.integrations.complaints import CLOSED_TICKET_STATUSES, is_complaint, refresh_open_complaints
from brm_app.surveys.scheduling import schedule_ticket_survey


def on_issue_update(doc, method=None) -> None:
	if skipped():
		return
	before = doc.get_doc_before_save()
	run_safely(doc, "complaints", lambda: track_complaints(doc, before, "issue_type", lambda c: c))
	if just_closed(doc, before):
		enqueue_survey(doc)


def on_hd_ticket_update(doc, method=None) -> None:
	if skipped():
		return
	before = doc.get_doc_before_save()
	run_safely(doc, "complaints", lambda: track_complaints(doc, before, "ticket_type", erpnext_customer))
	if just_closed(doc, before):
		enqueue_survey(doc)


TICKET_DOCTYPES = ("Issue", HD_TICKET)


def enqueue_survey(doc) -> None:
	"""Schedule the ticket's survey in a background job once this transaction has committed."""
	frappe.enqueue(
		"brm_app.integrations.tickets.schedule_survey_for_ticket",
		queue="short",
		job_id=f"brm-ticket-survey::{doc.doctype}::{doc.name}",
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		doctype=doc.doctype,
		name=str(doc.name),
	)


def schedule_survey_for_ticket(doctype: str, name: str) -> str | None:
	"""Background job: schedule the "Ticket Closed" survey of a ticket that is (still) closed.

	The ticket's row is locked first, so two jobs for the same ticket (closed, reopened, closed again in
	quick succession) run one after the other and the second sees the first one's survey.
	"""
	if doctype not in TICKET_DOCTYPES:
		return None
	table = frappe.qb.DocType(doctype)
	if not frappe.qb.from_(table).select(table.name).where(table.name == name).for_update().run():
		return None
	doc = frappe.get_doc(doctype, name)
	if doc.status not in CLOSED_TICKET_STATUSES:
		return None  # reopened before the job ran: its next closing schedules it
	scheduled = []

	def schedule():
		if doctype == HD_TICKET:
			scheduled.append(schedule_hd_ticket_survey(doc))
		else:
			scheduled.append(schedule_ticket_survey(doc, doc.customer, doc.contact, doc.raised_by))

	run_safely(doc, "survey", schedule)
	return scheduled[0] if scheduled else None


def schedule_hd_ticket_survey(doc) -> str | None:
	customer = erpnext_customer(doc.customer)
	reason = None
	if doc.customer and not customer:
		reason = _("HD Customer {0} has no ERPNext Customer of the same name").format(
			escape_html(doc.customer)
		)
	return schedule_ticket_survey(doc, customer, doc.contact, doc.raised_by, no_customer_reason=reason)


def skipped() -> bool:
	"""No surveys for records written by imports, installs, patches or the demo data generator."""
	flags = frappe.flags
	return bool(flags.in_import or flags.in_install or flags.in_migrate or flags.in_patch or flags.in_demo)


def just_closed(doc, before) -> bool:
	"""The ticket moved into Resolved / Closed with this save (Resolved -> Closed does not count)."""
	if doc.status not in CLOSED_TICKET_STATUSES:
		return False
	return before is None or before.status not in CLOSED_TICKET_STATUSES


def track_complaints(doc, before, type_field: str, to_customer) -> None:
	"""Recount open complaints when a complaint ticket is created, closed, reopened, retyped or moved.

	`to_customer` maps the ticket's customer to the ERPNext Customer (the identity for Issue, by name for
	HD Ticket); it is only called for complaint tickets."""
	was = before and is_complaint(before.get(type_field))
	now = is_complaint(doc.get(type_field))
	if not (was or now):
		return
	changed = before is None or any(
		doc.get(field) != before.get(field) for field in ("status", type_field, "customer")
	)
	if not changed:
		return
	previous_customer = None
	if before and before.get("customer") != doc.get("customer"):
		previous_customer = to_customer(before.get("customer"))
	refresh_open_complaints([to_customer(doc.get("customer")), previous_customer])


def erpnext_customer(hd_customer: str | None) -> str | None:
	"""The ERPNext Customer an HD Customer stands for: the Customer of the same name (or customer name)."""
	if not hd_customer:
		return None
	if frappe.db.exists("Customer", hd_customer):
		return hd_customer
	names = frappe.get_all("Customer", filters={"customer_name": hd_customer}, pluck="name", limit=2)
	return names[0] if len(names) == 1 else None


def run_safely(doc, what: str, action) -> None:
	"""Run `action` in a savepoint; on failure undo it, log it against the ticket and carry on."""
	savepoint = f"brm_{what}"
	messages = len(frappe.local.message_log or [])
	frappe.db.savepoint(savepoint)
	try:
		action()
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		# the error goes to the Error Log; the person saving the ticket must not see it as their error
		del frappe.local.message_log[messages:]
		frappe.log_error(
			title=f"BRM {what} hook failed for {doc.doctype} {doc.name}",
			reference_doctype=doc.doctype,
			reference_name=doc.name,
		)
