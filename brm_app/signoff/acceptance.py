"""Acceptance at the end (docs/sign-off.md): when the project made from an approved case is completed, the
case's signatories validate each requirement's acceptance criteria through the same channels.

- `start(case)`: one Acceptance sign-off per signatory (those who have not accepted yet), asked like the
  requirements' sign-off (brm_app.signoff.notify.requested). The opportunity waits in Awaiting Acceptance.
- `after_decision(record)` (called by brm_app.signoff.flow.decide): the rows' accepted_by / accepted_on
  and the signatories' acceptance_status / accepted_on are written on the submitted case (db_update: they
  are allowed on submit, and flow.refresh_case keeps them as stored). When every signatory has accepted
  every requirement the opportunity becomes Delivered. A rejection tells the relationship manager and the
  process manager who approved the case (ToDo, with the comment); the opportunity stays not delivered.
- `waive(case, reason)`: a BRM Process Manager delivers without the customer's acceptance, with a reason
  (recorded on the case's timeline). A waiver is not an acceptance: the KPI counts only real ones.
"""

import frappe
from frappe import _
from frappe.utils import cstr, escape_html, get_datetime, now_datetime

from brm_app.exceptions import CustomerSignOffError
from brm_app.services import opportunity_status
from brm_app.services.roles import PROCESS_MANAGER
from brm_app.signoff import notify
from brm_app.signoff import records as rec

CASE = "Business Case"
OPPORTUNITY = "Service Opportunity"
MAX_REASON = 2_000


def _language(case) -> str | None:
	if not case.customer:
		return None
	return frappe.db.get_value("Customer", case.customer, "language") or None


def start(case) -> list[str]:
	"""Ask every signatory of the case who has not yet accepted the delivery; returns the new sign-offs.
	Asking twice does not duplicate an open request."""
	from brm_app.signoff.flow import channel_of

	case = frappe.get_doc(CASE, case.name if not isinstance(case, str) else case)
	accepted = {r.signatory_contact for r in rec.of_case(case.name, rec.ACCEPTANCE, (rec.ACCEPTED,))}
	open_ = {r.signatory_contact for r in rec.of_case(case.name, rec.ACCEPTANCE, rec.OPEN)}
	language = _language(case)
	created = []
	for signatory in case.get("signatories") or []:
		if signatory.contact in accepted or signatory.contact in open_:
			continue
		record = rec.create_request(case, signatory, rec.ACCEPTANCE, channel_of(signatory), language)
		notify.requested(record)
		created.append(record.name)
	if created:
		case.add_comment(
			"Info",
			_("Customer acceptance of the delivery asked for: {0}").format(escape_html(", ".join(created))),
		)
	store(case.name)
	return created


def store(case_name: str) -> bool:
	"""Write the acceptance results on the case's rows from the records; returns whether acceptance is
	complete (every signatory accepted every requirement)."""
	case = frappe.get_doc(CASE, case_name)
	latest: dict[str, object] = {}
	for record in rec.of_case(case.name, rec.ACCEPTANCE, (rec.REQUESTED, rec.ACCEPTED, rec.REJECTED)):
		latest.setdefault(record.signatory_contact, record)
	signatories = case.get("signatories") or []
	for signatory in signatories:
		record = latest.get(signatory.contact)
		signatory.acceptance_status = record.status if record else None
		signatory.accepted_on = record.decided_on if record and record.status == rec.ACCEPTED else None
		signatory.db_update()
	for row in case.requirements:
		accepting = []
		for signatory in signatories:
			record = latest.get(signatory.contact)
			if record and record.status == rec.ACCEPTED:
				if any(
					d.requirement_row == row.name and d.decision == rec.ACCEPTED for d in record.decisions
				):
					accepting.append((signatory, record))
		if signatories and len(accepting) == len(signatories):
			row.accepted_by = ", ".join(s.full_name or s.contact for s, _r in accepting)
			row.accepted_on = max(get_datetime(r.decided_on) for _s, r in accepting)
		else:
			row.accepted_by = None
			row.accepted_on = None
		row.db_update()
	return is_complete(case)


def is_complete(case) -> bool:
	"""Every signatory accepted every requirement (a case with no signatory or requirement never is)."""
	signatories = case.get("signatories") or []
	return (
		bool(signatories)
		and bool(case.requirements)
		and all(s.acceptance_status == rec.ACCEPTED for s in signatories)
		and all(row.accepted_on for row in case.requirements)
	)


def after_decision(record) -> None:
	"""After a signatory's acceptance decision: store the results; deliver, or tell of the rejection."""
	case_name = record.business_case
	complete = store(case_name)
	case = frappe.get_doc(CASE, case_name)
	if record.status == rec.REJECTED:
		text = _("{0} did not accept the delivery of business case {1}: {2}").format(
			record.signatory_name, case.name, record.comment or ""
		)
		case.add_comment("Info", escape_html(text))
		for user in {case.relationship_manager, case.get("approver")}:
			if user:
				_todo(user, case.name, text)
		return
	if complete:
		names = ", ".join(s.full_name or s.contact for s in case.signatories)
		case.add_comment("Info", escape_html(_("Delivery accepted by the customer: {0}").format(names)))
		deliver(case)


def _todo(user: str, case_name: str, text: str) -> None:
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": user,
			"reference_type": CASE,
			"reference_name": case_name,
			"description": escape_html(text),
			"priority": "High",
		}
	).insert(ignore_permissions=True)


def deliver(case) -> bool:
	"""Move the case's opportunity from Awaiting Acceptance to Delivered (the system moves it)."""
	opportunity = case.get("service_opportunity")
	if not opportunity:
		return False
	status = frappe.db.get_value(OPPORTUNITY, opportunity, "status")
	if status != opportunity_status.AWAITING_ACCEPTANCE:
		return False
	from brm_app.brm_app.doctype.service_opportunity.service_opportunity import move_status

	move_status(opportunity, opportunity_status.DELIVERED)
	from brm_app.rhythm.change_impact import retire_delivered

	retire_delivered(opportunity)  # a delivered Retirement retires its services
	return True


def waive(case_name: str, reason: str) -> None:
	"""A BRM Process Manager delivers the case's opportunity without the customer's acceptance."""
	if PROCESS_MANAGER not in frappe.get_roles():
		frappe.throw(
			_("Only a BRM Process Manager can waive the customer's acceptance."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	reason = cstr(reason).strip()[:MAX_REASON]
	if not reason:
		frappe.throw(
			_("Say why the customer's acceptance is waived."),
			exc=CustomerSignOffError,
			title=_("Reason Required"),
		)
	case = frappe.get_doc(CASE, case_name)
	case.check_permission("read")
	opportunity = case.get("service_opportunity")
	status = frappe.db.get_value(OPPORTUNITY, opportunity, "status") if opportunity else None
	if status != opportunity_status.AWAITING_ACCEPTANCE:
		frappe.throw(
			_("The opportunity of business case {0} is not awaiting the customer's acceptance.").format(
				frappe.bold(case.name)
			),
			exc=CustomerSignOffError,
			title=_("Nothing to Waive"),
		)
	for record in rec.of_case(case.name, rec.ACCEPTANCE, rec.OPEN):
		rec.update(record.name, {"status": rec.WITHDRAWN, "void_reason": _("Acceptance waived.")}, close=True)
	store(case.name)
	case.add_comment(
		"Info",
		escape_html(
			_("Customer acceptance waived by {0} on {1}: {2}").format(
				frappe.session.user, now_datetime().strftime("%Y-%m-%d %H:%M"), reason
			)
		),
	)
	deliver(case)
