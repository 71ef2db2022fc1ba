"""The daily jobs of customer agreements (docs/design.md S2, "Scheduled jobs").

`update_agreement_statuses` brings each submitted agreement's status in line with today (Active ->
Expiring -> Expired, Terminated). `send_renewal_reminders`: a submitted agreement that is still running, not terminated and not renewed yet gets one e-mail to its
relationship manager RENEWAL_REMINDER_LEAD_DAYS before its notice period starts (or as soon as the job
sees it, when that moment has passed). ``renewal_reminder_sent_on`` records it, so the reminder is sent once
however often the job runs (docs/security.md case 20); a comment on the agreement says who was reminded.

Renewal types (docs/renewals-and-change-impact.md): a ``Never`` agreement gets no reminder and expires; a
``Tacit`` one is extended at its end by `extend_tacit_agreements` (run first by `update_agreement_statuses`),
which moves its end date by the renewal term and clears ``renewal_reminder_sent_on`` so that the next term is
reminded once again.
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import add_days, cint, escape_html, formatdate, getdate, now_datetime, nowdate

from brm_app.jobs.surveys import BATCH_SIZE, for_each
from brm_app.notifications.mail import send_renewal_reminder
from brm_app.services import renewal as renewal_rules
from brm_app.services import roles
from brm_app.services.agreement_status import (
	CANCELLED,
	EXPIRED,
	TERMINATED,
	derive_status,
	notice_deadline,
)

AGREEMENT = "Customer Agreement"
RENEWAL_REMINDER_LEAD_DAYS = 30
RUNNING_STATUSES = ("Active", "Expiring")


def reminder_date(end_date, notice_period_days) -> date:
	"""The day the renewal reminder is due: the lead time before the notice period starts."""
	return add_days(notice_deadline(getdate(end_date), cint(notice_period_days)), -RENEWAL_REMINDER_LEAD_DAYS)


def renewed_agreements():
	"""Sub-query: the agreements a draft or submitted successor renews (they get no reminder, no extension)."""
	successor = frappe.qb.DocType(AGREEMENT).as_("successor")
	return (
		frappe.qb.from_(successor)
		.select(successor.previous_agreement)
		.where(successor.previous_agreement.isnotnull())
		.where(successor.docstatus < 2)
	)


def send_renewal_reminders(limit: int = BATCH_SIZE) -> int:
	"""Send the renewal reminders that are due; returns how many went out."""
	today = getdate(nowdate())
	table = frappe.qb.DocType(AGREEMENT)
	renewed = renewed_agreements()
	rows = (
		frappe.qb.from_(table)
		.select(table.name, table.end_date, table.notice_period_days)
		.where(table.docstatus == 1)
		.where(table.status.isin(RUNNING_STATUSES))
		.where(table.renewal_reminder_sent_on.isnull())
		# Never: no reminder, it simply expires (docs/renewals-and-change-impact.md)
		.where((table.renewal != renewal_rules.NEVER) | table.renewal.isnull())
		.where(table.terminated_on.isnull())
		.where(table.end_date >= today)
		.where(table.name.notin(renewed))
		.orderby(table.end_date)
		.limit(limit)
	).run(as_dict=True)
	due = [row.name for row in rows if getdate(reminder_date(row.end_date, row.notice_period_days)) <= today]
	return for_each(due, remind, "Agreement renewal reminder failed", reference_doctype=AGREEMENT)


def remind(name: str) -> bool:
	table = frappe.qb.DocType(AGREEMENT)
	locked = (
		frappe.qb.from_(table).select(table.renewal_reminder_sent_on).where(table.name == name).for_update()
	).run(as_dict=True)
	if not locked or locked[0].renewal_reminder_sent_on:
		return False  # reminded meanwhile
	agreement = frappe.get_doc(AGREEMENT, name)
	recipients = reminder_recipients(agreement)
	if not recipients:
		return False
	send_renewal_reminder(agreement, recipients)
	frappe.db.set_value(AGREEMENT, name, "renewal_reminder_sent_on", now_datetime(), update_modified=False)
	agreement.add_comment(
		"Info",
		_("Renewal reminder sent to {0}.").format(", ".join(escape_html(r) for r in recipients)),
	)
	return True


def reminder_recipients(agreement) -> list[str]:
	"""The relationship manager when enabled; else the enabled BRM Process Managers."""
	manager = agreement.relationship_manager
	if manager and frappe.db.get_value("User", manager, "enabled"):
		return [manager]
	managers = frappe.get_all(
		"Has Role",
		filters={
			"role": roles.PROCESS_MANAGER,
			"parenttype": "User",
			"parent": ("not in", ("Administrator", "Guest")),
		},
		pluck="parent",
	)
	if not managers:
		return []
	return frappe.get_all(
		"User", filters={"enabled": 1, "name": ("in", managers)}, pluck="name", order_by="name asc"
	)


def update_agreement_statuses() -> int:
	"""Daily: bring the status of submitted agreements in line with today (Active -> Expiring ->
	Expired, Terminated). One UPDATE per new status; idempotent. Returns how many agreements changed.
	Tacit agreements that reached their end are extended first, so they never show as Expired; one whose
	extension failed stays running (not Expired, which is final) for the next run to extend."""
	while extend_tacit_agreements():
		pass  # batch after batch, until none is left that can be extended
	due_tacit = set(_due_tacit_agreements())
	today = getdate(nowdate())
	rows = frappe.get_all(
		"Customer Agreement",
		# Expired and Terminated are final for a submitted agreement (its dates cannot change any more)
		filters={"docstatus": 1, "status": ("not in", (EXPIRED, TERMINATED, CANCELLED))},
		fields=["name", "status", "start_date", "end_date", "notice_period_days", "terminated_on"],
	)
	stale: dict[str, list[str]] = {}
	for row in rows:
		if row.name in due_tacit:
			continue
		try:
			status = derive_status(
				1,
				None,
				getdate(row.start_date),
				getdate(row.end_date),
				cint(row.notice_period_days),
				today,
				getdate(row.terminated_on) if row.terminated_on else None,
			)
		except Exception:
			frappe.log_error(
				title=_("Customer Agreement status update failed"),
				reference_doctype="Customer Agreement",
				reference_name=row.name,
			)
			continue
		if status != row.status:
			stale.setdefault(status, []).append(row.name)

	changed = 0
	table = frappe.qb.DocType("Customer Agreement")
	for status, names in stale.items():
		try:
			(
				frappe.qb.update(table)
				.set(table.status, status)
				.where(table.name.isin(names))
				.where(table.docstatus == 1)
			).run()
			changed += len(names)
		except Exception:
			frappe.log_error(
				title=_("Customer Agreement status update failed"),
				message=frappe.get_traceback() + "\n" + ", ".join(names),
				reference_doctype="Customer Agreement",
			)
	return changed


# --- tacit renewal (docs/renewals-and-change-impact.md) --------------------------------------------


def extend_tacit_agreements(limit: int | None = None) -> int:
	"""Extend the tacit agreements that have reached their end: submitted, still running (Active or
	Expiring: an agreement already marked Expired stays so), not terminated, not renewed by a successor
	agreement. Idempotent: an extended agreement ends today or later, so the next run does not see it.
	Returns how many agreements were extended (at most `limit`, default BATCH_SIZE)."""
	names = _due_tacit_agreements(limit or BATCH_SIZE)
	return for_each(names, extend, "Tacit agreement extension failed", reference_doctype=AGREEMENT)


def _due_tacit_agreements(limit: int | None = None) -> list[str]:
	"""The tacit agreements `extend_tacit_agreements` extends (all of them without `limit`)."""
	today = getdate(nowdate())
	table = frappe.qb.DocType(AGREEMENT)
	renewed = renewed_agreements()
	names = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(table.docstatus == 1)
		.where(table.renewal == renewal_rules.TACIT)
		.where(table.status.isin(RUNNING_STATUSES))
		.where(table.terminated_on.isnull())
		.where(table.end_date < today)
		.where(table.name.notin(renewed))
		.orderby(table.end_date)
	)
	if limit:
		names = names.limit(limit)
	return names.run(pluck=True)


def extend(name: str) -> bool:
	"""Extend one tacit agreement by its renewal term (as many terms as needed to reach today), under a
	row lock and with the conditions checked again on the locked row."""
	today = getdate(nowdate())
	table = frappe.qb.DocType(AGREEMENT)
	locked = (
		frappe.qb.from_(table)
		.select(
			table.docstatus,
			table.renewal,
			table.status,
			table.terminated_on,
			table.end_date,
			table.renewal_term_months,
			table.tacit_extensions,
		)
		.where(table.name == name)
		.for_update()
	).run(as_dict=True)
	if not locked:
		return False
	row = locked[0]
	if (
		row.docstatus != 1
		or row.renewal != renewal_rules.TACIT
		or row.status not in RUNNING_STATUSES
		or row.terminated_on
		or getdate(row.end_date) >= today
	):
		return False  # extended, terminated or changed meanwhile
	months = renewal_rules.term_months(row.renewal_term_months)
	old_end = getdate(row.end_date)
	new_end, terms = renewal_rules.extensions_due(old_end, months, today)
	frappe.db.set_value(
		AGREEMENT,
		name,
		{
			"end_date": new_end,
			"tacit_extensions": cint(row.tacit_extensions) + terms,
			"last_extended_on": today,
			# the new term gets its own reminder before its notice deadline
			"renewal_reminder_sent_on": None,
		},
		update_modified=False,
	)
	agreement = frappe.get_doc(AGREEMENT, name)
	agreement.set_status(update=True)
	agreement.add_comment(
		"Info",
		_("Renewed tacitly by {0} month(s): the agreement now ends on {1} (it ended on {2}).").format(
			months * terms, formatdate(new_end), formatdate(old_end)
		),
	)
	return True
