"""The Customer Sign-off records: one per signatory and round, written only by this package.

A record is created when a case is sent for the customer's sign-off (purpose Requirements) or when the
project made from an approved case is completed (purpose Acceptance); it snapshots each requirement with
its digest and the case's money digest, and holds the signatory's decision per requirement. Its controller
refuses every insert, save and delete that does not come through `server_write()` (a context only this
code enters), so no user - whatever their roles, on whatever path - records a customer's decision.
"""

from contextlib import contextmanager

import frappe
from frappe.utils import add_days, cint, now_datetime

from brm_app import settings
from brm_app.links.tokens import LinkTokens
from brm_app.signoff.digests import case_digest, requirement_digest

SIGN_OFF = "Customer Sign-off"
DECISION = "Customer Sign-off Decision"
# statuses
REQUESTED = "Requested"
ACCEPTED = "Accepted"
REJECTED = "Rejected"
VOIDED = "Voided"
EXPIRED = "Expired"
WITHDRAWN = "Withdrawn"
OPEN = (REQUESTED,)
# purposes
REQUIREMENTS = "Requirements"
ACCEPTANCE = "Acceptance"
# channels
DESK = "Desk"
LINK = "E-mail Link"

TOKENS = LinkTokens(SIGN_OFF, "brm_sign_off_token", OPEN)
_WRITE_FLAG = "brm_sign_off_server_write"
DEFAULT_LINK_DAYS = 14


@contextmanager
def server_write():
	"""The only context in which a Customer Sign-off may be inserted, saved or deleted."""
	depth = cint(frappe.flags.get(_WRITE_FLAG))
	frappe.flags[_WRITE_FLAG] = depth + 1
	try:
		yield
	finally:
		frappe.flags[_WRITE_FLAG] = depth


def writing() -> bool:
	return cint(frappe.flags.get(_WRITE_FLAG)) > 0


def link_days() -> int:
	return cint(settings.get_settings().get("sign_off_link_days")) or DEFAULT_LINK_DAYS


def create_request(case, signatory, purpose: str, channel: str, language: str | None = None):
	"""A new open sign-off for `signatory` (a Business Case Signatory row) about the case as it is now."""
	now = now_datetime()
	doc = frappe.get_doc(
		{
			"doctype": SIGN_OFF,
			"business_case": case.name,
			"purpose": purpose,
			"status": REQUESTED,
			"customer": case.customer,
			"portfolio": case.portfolio,
			"relationship_manager": case.relationship_manager,
			"signatory_contact": signatory.contact,
			"signatory_name": signatory.full_name or signatory.contact,
			"email": signatory.email_id,
			"signatory_user": signatory.user if channel == DESK else None,
			"language": language,
			"channel": channel,
			"requested_on": now,
			"expires_on": add_days(now, link_days()),
			"case_digest": case_digest(case),
			"decisions": [
				{
					"requirement_row": row.name,
					"requirement_idx": row.idx,
					"requirement": row.requirement,
					"requirement_type": row.requirement_type,
					"moscow_priority": row.moscow_priority,
					"acceptance_criteria": row.acceptance_criteria,
					"digest": requirement_digest(row),
				}
				for row in case.requirements
			],
		}
	)
	with server_write():
		doc.insert(ignore_permissions=True)
	return doc


def update(name: str, values: dict, close: bool = False):
	"""Write server-side values on a sign-off (status, decisions, reminders); `close` drops its link's
	recoverable token (the hash stays, so the link then says it was used)."""
	doc = frappe.get_doc(SIGN_OFF, name)
	decisions = values.pop("decisions", None)
	doc.update(values)
	if decisions is not None:
		for row in doc.decisions:
			given = decisions.get(row.requirement_row) or {}
			row.decision = given.get("decision")
			row.comment = given.get("comment")
	with server_write():
		doc.save(ignore_permissions=True)
	if close:
		TOKENS.forget(name)
	return doc


def of_case(case_name: str, purpose: str, statuses: tuple[str, ...] | None = None) -> list:
	"""The sign-offs of a case for `purpose` (newest first), each with its decisions."""
	filters = {"business_case": case_name, "purpose": purpose}
	if statuses:
		filters["status"] = ("in", statuses)
	names = frappe.get_all(SIGN_OFF, filters=filters, pluck="name", order_by="creation desc")
	return [frappe.get_doc(SIGN_OFF, name) for name in names]
