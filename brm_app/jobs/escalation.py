"""Daily: business cases waiting too long for a decision (issue 16 point 9; BRM Settings
approval_escalation_days, N; 0 turns it off).

A case waits in three states: Customer Sign-off (for the customer's desk signatories: the e-mailed links
have their own reminders and expiry), Pending Approval (for the BRM Process Managers) and Pending Final
Approval (for the BRM Process Owners). Waiting longer than N days, it gets one reminder to whoever must act
- the signatories or the approvers who may decide it, and their active delegates (brm_app.signoff.
delegation) - and N days after that reminder, if still undecided, one notice to the BRM Process Owners (a
ToDo and an e-mail). `approval_reminded_on` / `approval_escalated_on` on the case (server-owned, cleared
by every workflow transition) and `escalated_on` on the desk sign-offs record it, set under the case's row
lock: the job run twice, or by two workers at once, sends nothing twice.
"""

import frappe
from frappe import _
from frappe.utils import (
	add_days,
	cint,
	escape_html,
	format_datetime,
	get_datetime,
	get_url_to_form,
	now_datetime,
)

from brm_app import settings
from brm_app.jobs.surveys import BATCH_SIZE, for_each
from brm_app.notifications import mail
from brm_app.services import approval_rules as rules
from brm_app.services import roles
from brm_app.signoff import delegation
from brm_app.signoff import records as rec

CASE = "Business Case"
# the states a case waits in, and the field holding since when
WAITING_SINCE = {
	rules.CUSTOMER_SIGN_OFF: "customer_sign_off_started_on",
	rules.PENDING_APPROVAL: "submitted_for_approval_on",
	rules.PENDING_FINAL_APPROVAL: "first_approved_on",
}
NOBODY = ("Administrator", "Guest")


def escalation_days() -> int:
	return cint(settings.get_settings().get("approval_escalation_days"))


def escalate_waiting_approvals(limit: int = BATCH_SIZE) -> int:
	"""Send the reminders and notices that are due; returns how many cases got one."""
	days = escalation_days()
	if days <= 0:
		return 0
	cutoff = add_days(now_datetime(), -days)
	done = for_each(_due_notices(cutoff, limit), notify_process_owners, "Approval escalation failed", CASE)
	done += for_each(_due_reminders(cutoff, limit), remind, "Approval reminder failed", CASE)
	return done


def _due_reminders(cutoff, limit: int) -> list[str]:
	names = []
	for state, since in WAITING_SINCE.items():
		names += frappe.get_all(
			CASE,
			filters={
				"docstatus": 0,
				"workflow_state": state,
				"approval_reminded_on": ("is", "not set"),
				since: ("<=", cutoff),
			},
			pluck="name",
			order_by=f"{since} asc",
			limit=limit,
		)
	return names


def _due_notices(cutoff, limit: int) -> list[str]:
	return frappe.get_all(
		CASE,
		filters={
			"docstatus": 0,
			"workflow_state": ("in", tuple(WAITING_SINCE)),
			"approval_reminded_on": ("<=", cutoff),
			"approval_escalated_on": ("is", "not set"),
		},
		pluck="name",
		order_by="approval_reminded_on asc",
		limit=limit,
	)


def _locked(name: str) -> frappe._dict | None:
	"""The case's escalation fields, read under its row lock (a second run waits here, then sees them)."""
	table = frappe.qb.DocType(CASE)
	rows = (
		frappe.qb.from_(table)
		.select(
			table.workflow_state,
			table.docstatus,
			table.approval_reminded_on,
			table.approval_escalated_on,
			*(table[field] for field in WAITING_SINCE.values()),
		)
		.where(table.name == name)
		.for_update()
	).run(as_dict=True)
	if not rows or cint(rows[0].docstatus) != 0 or rows[0].workflow_state not in WAITING_SINCE:
		return None
	return rows[0]


# --- the reminder ---------------------------------------------------------------------------------------


def remind(name: str) -> bool:
	"""One reminder to whoever must act on the case (and their delegates), once per wait."""
	stored = _locked(name)
	if not stored or stored.approval_reminded_on:
		return False  # decided, moved on or reminded meanwhile
	since = stored.get(WAITING_SINCE[stored.workflow_state])
	case = frappe.get_doc(CASE, name)
	targets = who_must_act(case)
	if not targets:
		return False
	for target in targets:
		_send_reminder(case, since, target)
	frappe.db.set_value(CASE, name, "approval_reminded_on", now_datetime(), update_modified=False)
	case.add_comment(
		"Info",
		_("{0} has waited in {1} since {2}: reminder sent to {3}.").format(
			escape_html(case.name),
			escape_html(_(case.workflow_state)),
			format_datetime(since),
			", ".join(escape_html(target.user) for target in targets),
		),
	)
	return True


def who_must_act(case) -> list[frappe._dict]:
	"""The people a waiting case needs a decision from: {user, on_behalf_of, doctype, name} (the record to
	open). The signatories of its open desk sign-offs, or the approvers who may take its approval; each
	with their active delegates, never the case's preparer."""
	preparer = case.get("prepared_by") or case.owner
	targets: dict[str, frappe._dict] = {}

	def add(user, on_behalf_of, doctype, docname):
		if user and user not in targets and user != preparer and user not in NOBODY:
			targets[user] = frappe._dict(user=user, on_behalf_of=on_behalf_of, doctype=doctype, name=docname)

	if case.workflow_state == rules.CUSTOMER_SIGN_OFF:
		for record in _open_desk_sign_offs(case.name):
			if _enabled(record.signatory_user):
				add(record.signatory_user, None, rec.SIGN_OFF, record.name)
			for delegate in delegation.delegates_of(record.signatory_user, roles.CUSTOMER_SIGNATORY):
				add(delegate, record.signatory_user, rec.SIGN_OFF, record.name)
		return list(targets.values())

	transitions = [
		t
		for t in rules.BUSINESS_CASE_WORKFLOW.transitions
		if t.state == case.workflow_state and t.approval and t.applies_to_levels(case.approval_levels)
	]
	for transition in transitions:
		for role in transition.roles:
			for user in role_holders(role):
				try:
					rules.check_approver(user, transition, preparer, case.get("first_approver"))
				except rules.SelfApproval:
					continue
				add(user, None, CASE, case.name)
				for delegate in delegation.delegates_of(user, role):
					add(delegate, user, CASE, case.name)
	return list(targets.values())


def _open_desk_sign_offs(case_name: str) -> list:
	return frappe.get_all(
		rec.SIGN_OFF,
		filters={
			"business_case": case_name,
			"purpose": rec.REQUIREMENTS,
			"status": ("in", rec.OPEN),
			"channel": rec.DESK,
			"signatory_user": ("is", "set"),
		},
		fields=["name", "signatory_user"],
		order_by="creation asc",
	)


def _enabled(user: str | None) -> bool:
	return bool(user) and bool(frappe.db.get_value("User", user, "enabled"))


def role_holders(role: str) -> list[str]:
	"""The enabled users holding `role` (not Administrator), by name."""
	holders = frappe.get_all(
		"Has Role",
		filters={"role": role, "parenttype": "User", "parent": ("not in", NOBODY)},
		pluck="parent",
	)
	if not holders:
		return []
	return frappe.get_all(
		"User", filters={"enabled": 1, "name": ("in", holders)}, pluck="name", order_by="name asc"
	)


def _send_reminder(case, since, target) -> None:
	with mail.language(frappe.db.get_value("User", target.user, "language")):
		subject = _("Waiting for your decision: business case {0}").format(case.name)
		lines = [
			_("Business case {0} ({1}) of {2} has waited in state {3} since {4}.").format(
				escape_html(case.name),
				escape_html(case.title),
				escape_html(case.customer_name or case.customer),
				escape_html(_(case.workflow_state)),
				format_datetime(since),
			)
		]
		if target.on_behalf_of:
			lines.append(
				_("You receive this as the delegate of {0} (BRM Approval Delegation).").format(
					escape_html(_user_name(target.on_behalf_of))
				)
			)
		link = _("Open it to decide")
	message = "".join(f"<p>{line}</p>" for line in lines) + (
		f'<p><a href="{get_url_to_form(target.doctype, target.name)}">{escape_html(link)}</a></p>'
	)
	frappe.sendmail(
		recipients=[target.user],
		subject=subject,
		message=message,
		reference_doctype=CASE,
		reference_name=case.name,
		delayed=True,
	)


def _user_name(user: str) -> str:
	return frappe.db.get_value("User", user, "full_name") or user


# --- the notice to the process owners ------------------------------------------------------------------


def notify_process_owners(name: str) -> bool:
	"""N days after the reminder, still undecided: a ToDo and an e-mail to every BRM Process Owner, once."""
	stored = _locked(name)
	if not stored or stored.approval_escalated_on or not stored.approval_reminded_on:
		return False  # decided, moved on or escalated meanwhile
	owners = role_holders(roles.PROCESS_OWNER)
	if not owners:
		return False
	case = frappe.get_doc(CASE, name)
	since = stored.get(WAITING_SINCE[stored.workflow_state])
	for owner in owners:
		_notify_owner(case, since, stored.approval_reminded_on, owner)
	now = now_datetime()
	frappe.db.set_value(CASE, name, "approval_escalated_on", now, update_modified=False)
	if case.workflow_state == rules.CUSTOMER_SIGN_OFF:
		for record in _open_desk_sign_offs(case.name):
			rec.update(record.name, {"escalated_on": now})
	case.add_comment(
		"Info",
		_("{0} is still undecided after a reminder: escalated to the BRM Process Owner ({1}).").format(
			escape_html(case.name), ", ".join(escape_html(owner) for owner in owners)
		),
	)
	return True


def _notify_owner(case, since, reminded_on, owner: str) -> None:
	with mail.language(frappe.db.get_value("User", owner, "language")):
		text = _(
			"Business case {0} ({1}) of {2} has waited in state {3} since {4}; a reminder went out on {5} and it is still undecided."
		).format(
			case.name,
			case.title,
			case.customer_name or case.customer,
			_(case.workflow_state),
			format_datetime(since),
			format_datetime(reminded_on),
		)
		subject = _("Escalation: business case {0} is waiting for a decision").format(case.name)
		link = _("Open the business case")
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": owner,
			"reference_type": CASE,
			"reference_name": case.name,
			"description": escape_html(text),
			"priority": "High",
		}
	).insert(ignore_permissions=True)
	frappe.sendmail(
		recipients=[owner],
		subject=subject,
		message=f"<p>{escape_html(text)}</p>"
		+ f'<p><a href="{get_url_to_form(CASE, case.name)}">{escape_html(link)}</a></p>',
		reference_doctype=CASE,
		reference_name=case.name,
		delayed=True,
	)
