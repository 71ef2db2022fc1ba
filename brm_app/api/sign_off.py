"""Customer sign-off endpoints (docs/sign-off.md): a signatory who is a desk user decides the sign-off
addressed to them (`decide`); the relationship manager resends a request (`resend`); an external signatory
decides through the e-mailed link (`submit_by_link`: no login, the token is the key; docs/security.md
case 33).

`submit_by_link` looks the token up first, so a valid open link always answers, whatever else is going on;
a failed lookup (unknown, used, expired, withdrawn, voided, malformed) counts against the client's budget
(brm_app.links.throttle, as the survey endpoint: 410, then 429 once the budget is spent). The request can
name no sign-off and no case: the token says which sign-off is decided, and only its own requirement rows
are accepted (brm_app.signoff.flow.decide).
"""

import hmac

import frappe
from frappe import _

from brm_app.api import json_object
from brm_app.exceptions import CustomerSignOffError
from brm_app.links import throttle
from brm_app.links.tokens import hash_token
from brm_app.notifications import mail
from brm_app.signoff import flow
from brm_app.signoff import records as rec

MAX_DECISIONS_JSON = 200_000


class SignOffLinkError(CustomerSignOffError):
	"""A sign-off link is unknown, already used, expired, withdrawn or voided: answered with HTTP 410."""

	http_status_code = 410


def link_unusable_message() -> str:
	return _(
		"This sign-off link is no longer valid: it was already used, has expired, or the request was withdrawn. If you still need to decide, please contact your relationship manager."
	)


def refuse_link() -> None:
	"""A failed token lookup: counted for the client (429 once its budget is spent), else 410."""
	throttle.record_failure()
	frappe.throw(link_unusable_message(), exc=SignOffLinkError, title=_("Sign-off Link Not Valid"))


def decide_keeping_void(sign_off: str, decisions, comment: str | None, **kwargs):
	"""`flow.decide`, except that a sign-off it voids (the case changed since it was asked for) stays
	voided: frappe rolls a request back on the error that reports it."""
	try:
		return flow.decide(sign_off, decisions, comment, **kwargs)
	except CustomerSignOffError:
		if frappe.db.get_value(rec.SIGN_OFF, sign_off, "status") == rec.VOIDED:
			frappe.db.commit()  # nosemgrep: keep the voiding; the error that follows rolls the request back
		raise


@frappe.whitelist(allow_guest=True, methods=["POST"])
def submit_by_link(
	token: str | None = None, decisions: dict | str | None = None, comment: str | None = None
) -> dict:
	"""Record the decision of the signatory the token belongs to: {requirement row: {"decision":
	"Accepted" | "Rejected", "comment": ...}} for every requirement of their sign-off (a rejection needs a
	comment). Single use: the link then shows the receipt and takes no other decision."""
	row = rec.TOKENS.find(token)
	if not rec.TOKENS.is_open(row):
		refuse_link()
	# two submissions at the same moment: the second waits here, then finds the sign-off closed
	locked = frappe.db.get_value(
		rec.SIGN_OFF,
		row.name,
		["name", "token_hash", "status", "expires_on", "channel", "language"],
		as_dict=True,
		for_update=True,
	)
	if (
		not locked
		or locked.channel != rec.LINK
		or not rec.TOKENS.is_open(locked)
		or not hmac.compare_digest(locked.token_hash or "", hash_token(token))
	):
		refuse_link()
	parsed = json_object(decisions, MAX_DECISIONS_JSON)
	with mail.language(locked.language):
		# the signatory's own mistakes are told in their language (the service checks them again)
		if parsed is None:
			frappe.throw(
				_("Decisions must be given per requirement."),
				exc=CustomerSignOffError,
				title=_("Decision Missing"),
			)
		flow._clean_decisions(frappe.get_doc(rec.SIGN_OFF, locked.name), parsed)
	# what the decision writes (timeline, the relationship manager's ToDo and e-mail) is for the provider:
	# in the site's language, not the guest's browser's
	with mail.language(frappe.db.get_default("lang") or "en"):
		doc = decide_keeping_void(locked.name, parsed, comment)
	frappe.local.lang = locked.language or frappe.local.lang
	return {
		"status": doc.status,
		"message": _("Thank you: your decision was recorded.")
		if doc.status == rec.ACCEPTED
		else _("Thank you: your rejection and comments were sent to your relationship manager."),
	}


def _addressed_to_me(record) -> str | None:
	"""None when the current user is the signatory; else the user they act for (a delegation), or refuse."""
	user = frappe.session.user
	if record.channel == rec.DESK and record.signatory_user == user:
		return None
	from brm_app.signoff import delegation

	principal = delegation.acting_for(user, record)
	if principal:
		return principal
	frappe.throw(
		_("This sign-off is addressed to {0}: only they (or their delegate) can decide it.").format(
			frappe.bold(record.signatory_name)
		),
		exc=frappe.PermissionError,
		title=_("Not Permitted"),
	)


@frappe.whitelist(methods=["POST"])
def decide(sign_off: str, decisions: dict | str, comment: str | None = None) -> dict:
	"""Decide a desk sign-off: {requirement row: {"decision": "Accepted" | "Rejected", "comment": ...}}."""
	record = frappe.get_doc(rec.SIGN_OFF, sign_off)
	record.check_permission("read")
	on_behalf_of = _addressed_to_me(record)
	if flow.PROVIDER_ROLES.intersection(frappe.get_roles()):
		frappe.throw(
			_("You hold a role of the provider: only the customer's people sign off."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	doc = decide_keeping_void(
		sign_off,
		decisions,
		comment,
		decided_by=frappe.session.user,
		on_behalf_of=record.signatory_user if on_behalf_of else None,
	)
	from brm_app.signoff import notify

	notify.close_requests(doc)
	return {"name": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def resend(sign_off: str) -> dict:
	"""Send an open request again (same link), for the relationship manager of the case."""
	record = frappe.get_doc(rec.SIGN_OFF, sign_off)
	frappe.get_doc("Business Case", record.business_case).check_permission("write")
	if record.status not in rec.OPEN:
		frappe.throw(_("Only an open sign-off can be sent again."), exc=CustomerSignOffError)
	from brm_app.signoff import notify

	notify.requested(record, reminder=True)
	return {"name": record.name}


@frappe.whitelist(methods=["GET"])
def desk_actions(sign_off: str) -> dict:
	"""What the Customer Sign-off form offers the current user: Decide (the signatory who is a desk user,
	or their delegate, holding no provider role) and Resend (who may edit the case); only while open."""
	record = frappe.get_doc(rec.SIGN_OFF, sign_off)
	record.check_permission("read")
	if not rec.TOKENS.is_open(record):
		return {"can_decide": False, "can_resend": False}
	user = frappe.session.user
	from brm_app.signoff import delegation

	addressed = record.channel == rec.DESK and (
		record.signatory_user == user or bool(delegation.acting_for(user, record))
	)
	return {
		"can_decide": bool(addressed and not flow.PROVIDER_ROLES.intersection(frappe.get_roles())),
		"can_resend": bool(frappe.has_permission("Business Case", "write", doc=record.business_case)),
	}


@frappe.whitelist(methods=["POST"])
def waive_acceptance(business_case: str, reason: str) -> dict:
	"""A BRM Process Manager delivers a case's opportunity without the customer's acceptance, with a reason
	(who, when and why go on the case's timeline; brm_app.signoff.acceptance.waive)."""
	from brm_app.signoff import acceptance

	acceptance.waive(business_case, reason)
	return {"name": business_case}
