"""The customer's sign-off of a business case, step by step (docs/sign-off.md).

1. The relationship manager names the signatories (stakeholders of the portfolio marked Signs Off
   Requirements; never the preparer's own contact, never someone holding a provider role) and takes
   *Send for Customer Sign-off*: every signatory without a valid acceptance of the case as it is now gets
   a request (`start`), in the desk when they are a desk user holding BRM Customer Signatory, else by an
   e-mailed single-use link.
2. A signatory accepts or rejects each requirement (`decide`, from the desk or the link). One rejection
   returns the case to Draft with their comment (system step *Customer Rejected*); when every signatory
   has accepted every requirement the case moves to Pending Approval (system step *Customer Accepted*).
3. The sign-off fields of the requirement and signatory rows are computed from the records on every save
   (`refresh_case`): whatever a client sends for them is overwritten.
4. A later change to a signed requirement or to the costs and benefits voids the sign-offs that no longer
   match (`stale_sign_offs` / `void_stale`); a case under review goes back to Draft (system step
   *Sign-off Voided*).
"""

import frappe
from frappe import _
from frappe.utils import cstr, get_datetime, now_datetime

from brm_app.approvals.guard import clear_action_comment, set_action_comment, system_step
from brm_app.exceptions import CustomerSignOffError, SignatoryError
from brm_app.services import approval_rules as rules
from brm_app.services.roles import BRM_ROLES, CUSTOMER_SIGNATORY, SYSTEM_MANAGER
from brm_app.signoff import notify
from brm_app.signoff import records as rec
from brm_app.signoff.digests import case_digest, requirement_digest

CASE = "Business Case"
# roles of the provider: a user holding one never signs for the customer
PROVIDER_ROLES = frozenset((*BRM_ROLES, SYSTEM_MANAGER))
DECISIONS = (rec.ACCEPTED, rec.REJECTED)
# fields of the case's rows that are results of the sign-off records, never input
REQUIREMENT_RESULT_FIELDS = (
	"signed_off_by",
	"signed_off_on",
	"sign_off_evidence",
	"accepted_by",
	"accepted_on",
)
SIGNATORY_RESULT_FIELDS = (
	"full_name",
	"email_id",
	"user",
	"stakeholder_role",
	"sign_off_status",
	"signed_off_on",
	"acceptance_status",
	"accepted_on",
)
MAX_COMMENT = 10_000


# --- signatories ---------------------------------------------------------------------------------


def validate_signatories(case) -> None:
	"""Each signatory is a stakeholder of the case's portfolio marked Signs Off Requirements, named once,
	neither the preparer's own contact nor a provider user; their details are filled from the contact."""
	if not case.get("signatories"):
		return
	stakeholders = {}
	if case.portfolio:
		for row in frappe.get_all(
			"Portfolio Stakeholder",
			filters={"parenttype": "Customer Portfolio", "parent": case.portfolio},
			fields=["contact", "full_name", "email_id", "stakeholder_role", "signs_off_requirements"],
		):
			stakeholders[row.contact] = row
	preparer = case.get("prepared_by") or frappe.session.user
	preparer_email = cstr(frappe.db.get_value("User", preparer, "email")).lower()
	seen = set()
	for row in case.signatories:
		stakeholder = stakeholders.get(row.contact)
		if not stakeholder or not stakeholder.signs_off_requirements:
			_refuse_signatory(
				row,
				_(
					"{0} is not a stakeholder of portfolio {1} marked Signs Off Requirements (add them to the portfolio's stakeholders first)."
				).format(frappe.bold(row.contact), frappe.bold(case.portfolio or "-")),
			)
		if row.contact in seen:
			_refuse_signatory(row, _("{0} is named twice.").format(frappe.bold(row.contact)))
		seen.add(row.contact)
		contact = (
			frappe.db.get_value("Contact", row.contact, ["full_name", "email_id", "user"], as_dict=True)
			or frappe._dict()
		)
		row.full_name = contact.full_name or stakeholder.full_name or row.contact
		row.email_id = contact.email_id or stakeholder.email_id
		row.stakeholder_role = stakeholder.stakeholder_role
		row.user = contact.user or None
		if (row.user and row.user == preparer) or (
			preparer_email and cstr(row.email_id).lower() == preparer_email
		):
			_refuse_signatory(
				row,
				_("{0} is the preparer of this case: the preparer never signs off for the customer.").format(
					frappe.bold(row.full_name)
				),
			)
		if row.user and PROVIDER_ROLES.intersection(frappe.get_roles(row.user)):
			_refuse_signatory(
				row,
				_("{0} holds a role of the provider ({1}): only the customer's people sign off.").format(
					frappe.bold(row.full_name),
					", ".join(_(r) for r in PROVIDER_ROLES.intersection(frappe.get_roles(row.user))),
				),
			)
		if not row.user and not row.email_id:
			_refuse_signatory(
				row,
				_("{0} has no e-mail address and no desk user: there is no way to ask them.").format(
					frappe.bold(row.full_name)
				),
			)


def _refuse_signatory(row, message: str) -> None:
	frappe.throw(
		_("Signatories, row {0}: {1}").format(row.idx, message),
		exc=SignatoryError,
		title=_("Invalid Signatory"),
	)


def channel_of(signatory) -> str:
	"""Desk for a desk user holding BRM Customer Signatory (an internal customer), else the e-mailed link."""
	if (
		signatory.user
		and frappe.db.get_value("User", signatory.user, "enabled")
		and CUSTOMER_SIGNATORY in frappe.get_roles(signatory.user)
	):
		return rec.DESK
	return rec.LINK


# --- what still counts ---------------------------------------------------------------------------


def _current(case) -> tuple[str, dict]:
	return case_digest(case), {row.name: requirement_digest(row) for row in case.requirements}


def _stale_reason(record, money: str, rows: dict, contacts: set) -> str | None:
	if record.signatory_contact not in contacts:
		return _("{0} is no longer a signatory of the case.").format(record.signatory_name)
	if record.case_digest != money:
		return _("The costs or benefits of the case changed after it was signed.")
	for decision in record.decisions:
		if rows.get(decision.requirement_row) != decision.digest:
			return _("Requirement {0} changed or was removed after it was signed.").format(
				decision.requirement_idx
			)
	return None


def requirement_sign_offs(case) -> list:
	"""Every requirement sign-off of a stored case, newest first (one load for a whole save)."""
	return [] if case.is_new() else rec.of_case(case.name, rec.REQUIREMENTS)


def stale_sign_offs(case, records: list | None = None) -> list[tuple[str, str]]:
	"""(sign-off, reason) of the open or accepted requirement sign-offs the case no longer matches."""
	if case.is_new():
		return []
	if records is None:
		records = requirement_sign_offs(case)
	money, rows = _current(case)
	contacts = {row.contact for row in case.get("signatories") or []}
	stale = []
	for record in (r for r in records if r.status in (rec.REQUESTED, rec.ACCEPTED)):
		reason = _stale_reason(record, money, rows, contacts)
		if reason:
			stale.append((record.name, reason))
	return stale


def void_stale(case, stale: list[tuple[str, str]]) -> None:
	for name, reason in stale:
		rec.update(name, {"status": rec.VOIDED, "void_reason": reason}, close=True)
	if stale:
		case.add_comment(
			"Info",
			_("Customer sign-offs voided: {0}").format(
				"; ".join(frappe.utils.escape_html(f"{name}: {reason}") for name, reason in stale)
			),
		)


def _accepted_by(case, records: list | None = None) -> dict[str, dict[str, object]]:
	"""{requirement row: {signatory contact: the accepting record}} for the valid acceptances."""
	if records is None:
		records = requirement_sign_offs(case)
	money, rows = _current(case)
	contacts = {row.contact for row in case.get("signatories") or []}
	accepted: dict[str, dict[str, object]] = {}
	for record in (r for r in records if r.status == rec.ACCEPTED):
		if _stale_reason(record, money, rows, contacts):
			continue
		for decision in record.decisions:
			if decision.decision == rec.ACCEPTED:
				accepted.setdefault(decision.requirement_row, {}).setdefault(record.signatory_contact, record)
	return accepted


def refresh_case(case, records: list | None = None) -> None:
	"""Compute the sign-off fields of the requirement and signatory rows from the records (in memory);
	`records`: the case's requirement sign-offs when the caller has loaded them already."""
	signatories = case.get("signatories") or []
	if records is None:
		records = requirement_sign_offs(case)
	accepted = _accepted_by(case, records) if records else {}
	latest = {}
	for record in records:
		latest.setdefault(record.signatory_contact, record)
	_restore_acceptance(case)
	for row in case.requirements:
		by = accepted.get(row.name, {}) if row.name else {}
		if signatories and all(s.contact in by for s in signatories):
			records = [by[s.contact] for s in signatories]
			row.signed_off_by = ", ".join(s.full_name or s.contact for s in signatories)
			row.signed_off_on = max(get_datetime(r.decided_on) for r in records)
			row.sign_off_evidence = ", ".join(r.name for r in records)
		else:
			row.signed_off_by = None
			row.signed_off_on = None
			row.sign_off_evidence = None
	if latest:
		money, rows = _current(case)
		contacts = {s.contact for s in signatories}
	for signatory in signatories:
		record = latest.get(signatory.contact)
		if (
			record
			and record.status in (rec.REQUESTED, rec.ACCEPTED)
			and _stale_reason(record, money, rows, contacts)
		):
			# voided by this very save (void_stale, after it): the signatory's acceptance no longer shows
			record = None
		if record and record.status in (rec.REQUESTED, rec.ACCEPTED, rec.REJECTED):
			signatory.sign_off_status = record.status
			signatory.signed_off_on = record.decided_on if record.status == rec.ACCEPTED else None
		else:
			signatory.sign_off_status = None
			signatory.signed_off_on = None


def _restore_acceptance(case) -> None:
	"""The acceptance results (brm_app.signoff.acceptance writes them) as stored, whatever was sent."""
	for table, doctype, fields in (
		("requirements", "Business Case Requirement", ("accepted_by", "accepted_on")),
		("signatories", "Business Case Signatory", ("acceptance_status", "accepted_on")),
	):
		stored = {}
		if not case.is_new():
			stored = {
				row.name: row
				for row in frappe.get_all(
					doctype,
					filters={"parenttype": CASE, "parent": case.name, "parentfield": table},
					fields=["name", *fields],
				)
			}
		for row in case.get(table) or []:
			before = stored.get(row.name) or {}
			for field in fields:
				row.set(field, before.get(field))


def store_case_fields(case_name: str):
	"""Recompute the rows' sign-off fields of a stored case and write them (the case is not saved: it may
	be in a frozen state)."""
	case = frappe.get_doc(CASE, case_name)
	refresh_case(case)
	for row in case.requirements:
		row.db_update()
	for row in case.signatories:
		row.db_update()
	return case


def fully_signed(case) -> bool:
	return bool(case.requirements) and all(row.signed_off_on for row in case.requirements)


# --- asking ------------------------------------------------------------------------------------------


def check_ready(case) -> list[str]:
	"""What keeps a case from being sent for the customer's sign-off (messages; empty when ready)."""
	problems = []
	if not case.get("requirements"):
		problems.append(_("the case has no requirements"))
	if not case.get("signatories"):
		problems.append(_("the case names no customer signatory"))
	if case.get("funding_status") not in rules.FUNDING_REQUESTED:
		problems.append(
			_("funding is not requested (Funding Status is {0})").format(_(case.get("funding_status") or ""))
		)
	by_link = [s.full_name or s.contact for s in case.get("signatories") or [] if channel_of(s) == rec.LINK]
	# the demo generator asks nobody by e-mail (brm_app.signoff.notify)
	if by_link and not frappe.flags.in_demo and not notify.can_send_mail():
		problems.append(
			_(
				"the site has no outgoing e-mail account, and {0} can only be asked by e-mail (set one up in Email Account)"
			).format(", ".join(by_link))
		)
	return problems


def start(case) -> list[str]:
	"""Ask every signatory who has not yet accepted the case as it is now; returns the new sign-offs.
	When nobody needs asking (all accepted already) the case moves on at once."""
	case = store_case_fields(case.name)
	accepted = _accepted_by(case)
	language = _customer_language(case.customer)
	created = []
	for signatory in case.signatories:
		if all(signatory.contact in accepted.get(row.name, {}) for row in case.requirements):
			continue
		for old in rec.of_case(case.name, rec.REQUIREMENTS, rec.OPEN):
			if old.signatory_contact == signatory.contact:
				rec.update(old.name, {"status": rec.VOIDED, "void_reason": _("Asked again.")}, close=True)
		record = rec.create_request(case, signatory, rec.REQUIREMENTS, channel_of(signatory), language)
		notify.requested(record)
		created.append(record.name)
	store_case_fields(case.name)
	advance_if_complete(case.name)
	return created


def _customer_language(customer: str | None) -> str | None:
	if not customer:
		return None
	return frappe.db.get_value("Customer", customer, "language") or None


def withdraw_open(case_name: str, reason: str) -> None:
	"""Close the open requests of a case that left Customer Sign-off (withdrawn, sent back, rejected)."""
	for record in rec.of_case(case_name, rec.REQUIREMENTS, rec.OPEN):
		rec.update(record.name, {"status": rec.WITHDRAWN, "void_reason": reason}, close=True)


# --- deciding ---------------------------------------------------------------------------------------


def decide(
	sign_off: str,
	decisions: dict,
	comment: str | None = None,
	decided_by: str | None = None,
	on_behalf_of: str | None = None,
):
	"""Record a signatory's decision on every requirement of an open sign-off, then move the case.

	`decisions` maps each requirement row to {"decision": "Accepted" | "Rejected", "comment": text}; a
	rejection needs a comment. The caller has established who decides (the link's token, or the desk user
	the sign-off is addressed to or their delegate)."""
	record = frappe.db.get_value(
		rec.SIGN_OFF,
		sign_off,
		["name", "status", "expires_on", "business_case", "purpose"],
		as_dict=True,
		for_update=True,
	)
	if not rec.TOKENS.is_open(record):
		frappe.throw(
			_("This sign-off is no longer open (it was decided, withdrawn, voided or has expired)."),
			exc=CustomerSignOffError,
			title=_("Sign-off Closed"),
		)
	doc = frappe.get_doc(rec.SIGN_OFF, sign_off)
	clean = _clean_decisions(doc, decisions)
	case = frappe.get_doc(CASE, doc.business_case)
	if doc.purpose == rec.REQUIREMENTS:
		if case.workflow_state != rules.CUSTOMER_SIGN_OFF:
			frappe.throw(
				_("Business Case {0} is no longer waiting for the customer's sign-off.").format(case.name),
				exc=CustomerSignOffError,
				title=_("Sign-off Closed"),
			)
		money, rows = _current(case)
		reason = _stale_reason(doc, money, rows, {row.contact for row in case.signatories})
		if reason:
			rec.update(doc.name, {"status": rec.VOIDED, "void_reason": reason}, close=True)
			frappe.throw(
				_("The case changed since this sign-off was asked for: {0}").format(reason),
				exc=CustomerSignOffError,
				title=_("Sign-off Voided"),
			)
	rejected = [row for row in doc.decisions if clean[row.requirement_row]["decision"] == rec.REJECTED]
	comment = cstr(comment).strip()[:MAX_COMMENT] or None
	if rejected and not comment:
		comment = "; ".join(
			f"{row.requirement_idx}: {clean[row.requirement_row]['comment']}" for row in rejected
		)
	status = rec.REJECTED if rejected else rec.ACCEPTED
	doc = rec.update(
		doc.name,
		{
			"status": status,
			"decided_on": now_datetime(),
			"decided_by": decided_by,
			"on_behalf_of": on_behalf_of,
			"comment": comment,
			"decisions": clean,
		},
		close=True,
	)
	if doc.purpose == rec.REQUIREMENTS:
		_after_requirements_decision(case, doc)
	else:
		from brm_app.signoff import acceptance

		acceptance.after_decision(doc)
	return doc


def _clean_decisions(doc, decisions) -> dict:
	decisions = frappe.parse_json(decisions) if isinstance(decisions, str) else decisions
	if not isinstance(decisions, dict):
		frappe.throw(_("Decisions must be given per requirement."), exc=CustomerSignOffError)
	clean = {}
	for row in doc.decisions:
		given = decisions.get(row.requirement_row)
		if not isinstance(given, dict) or given.get("decision") not in DECISIONS:
			frappe.throw(
				_("Requirement {0}: choose Accept or Reject.").format(row.requirement_idx),
				exc=CustomerSignOffError,
				title=_("Decision Missing"),
			)
		text = cstr(given.get("comment")).strip()[:MAX_COMMENT]
		if given["decision"] == rec.REJECTED and not text:
			frappe.throw(
				_("Requirement {0}: say why you reject it.").format(row.requirement_idx),
				exc=CustomerSignOffError,
				title=_("Comment Required"),
			)
		clean[row.requirement_row] = {"decision": given["decision"], "comment": text or None}
	unknown = set(decisions) - set(clean)
	if unknown:
		frappe.throw(_("Unknown requirements in the decision."), exc=CustomerSignOffError)
	return clean


def _after_requirements_decision(case, record) -> None:
	if record.status == rec.REJECTED:
		withdraw_open(case.name, _("{0} rejected the case.").format(record.signatory_name))
		store_case_fields(case.name)
		comment = _("{0} rejected the requirements: {1}").format(record.signatory_name, record.comment)
		run_step(case.name, rules.DRAFT, comment)
		notify.rejected(frappe.get_doc(CASE, case.name), record)
		return
	store_case_fields(case.name)
	advance_if_complete(case.name)


def advance_if_complete(case_name: str) -> bool:
	"""Move a case in Customer Sign-off to Pending Approval once every requirement is signed off."""
	case = frappe.get_doc(CASE, case_name)
	if case.workflow_state != rules.CUSTOMER_SIGN_OFF or not fully_signed(case):
		return False
	names = ", ".join(s.full_name or s.contact for s in case.signatories)
	run_step(case_name, rules.PENDING_APPROVAL, _("Signed off by the customer: {0}").format(names))
	return True


def run_step(case_name: str, next_state: str, comment: str | None) -> None:
	"""Take a system step of the Business Case workflow (the guard checks it is one)."""
	case = frappe.get_doc(CASE, case_name)
	with system_step(case, next_state):
		set_action_comment(CASE, case_name, comment)
		case.set("workflow_state", next_state)
		case.flags.ignore_permissions = True
		try:
			case.save()
		finally:
			clear_action_comment(CASE, case_name)  # never the reason of a later action on the case
