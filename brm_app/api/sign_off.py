"""Customer sign-off from the desk (docs/sign-off.md): a signatory who is a desk user decides the sign-off
addressed to them; the relationship manager resends a request. The e-mailed link's endpoint is
`submit_by_link` (no login: the token is the key)."""

import frappe
from frappe import _

from brm_app.exceptions import CustomerSignOffError
from brm_app.signoff import flow
from brm_app.signoff import records as rec


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
	doc = flow.decide(
		sign_off,
		decisions,
		comment,
		decided_by=frappe.session.user,
		on_behalf_of=record.signatory_user if on_behalf_of else None,
	)
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


@frappe.whitelist(methods=["POST"])
def waive_acceptance(business_case: str, reason: str) -> dict:
	"""A BRM Process Manager delivers a case's opportunity without the customer's acceptance, with a reason
	(who, when and why go on the case's timeline; brm_app.signoff.acceptance.waive)."""
	from brm_app.signoff import acceptance

	acceptance.waive(business_case, reason)
	return {"name": business_case}
