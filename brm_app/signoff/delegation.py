"""Approvers who are away (issue 16 point 9): a delegation for a date range (BRM Approval Delegation).

An approver - a BRM Process Manager, a BRM Process Owner, or a customer's signatory who is a desk user
(BRM Customer Signatory) - names someone holding the same role to stand in for them from one date to
another. What it changes:

- a customer signatory's delegate may read and decide the desk sign-offs addressed to the delegator
  (`principals_sql` / `is_delegate_of` for the access rules of Customer Sign-off, `acting_for` for
  `brm_app.api.sign_off.decide`); the decision is recorded "on behalf of" the delegator;
- an internal approver's delegate holds the role anyway and approves as themselves: the approval log row
  then records whom they stood in for (`on_behalf_of`, set by the approval guard);
- the escalation reminders (brm_app.jobs.escalation) reach the active delegates too (`delegates_of`).

A delegate never acts on a case they prepared: the approval guard refuses self-approval whoever is
delegated, and `acting_for` refuses the preparer of the case.

The rules of the record itself (dates in order, both hold the role, nobody delegates to themselves, only
the delegator or a BRM Process Owner / System Manager writes it) are its controller's
(brm_approval_delegation.py); who reads it is `query_conditions` / `has_permission` below (hooks.py).
"""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from brm_app.services import roles

DELEGATION = "BRM Approval Delegation"
DELEGABLE_ROLES = (roles.PROCESS_MANAGER, roles.PROCESS_OWNER, roles.CUSTOMER_SIGNATORY)
# may write anyone's delegation (a delegator who cannot, e.g. fell ill before arranging it)
ADMIN_ROLES = frozenset((roles.PROCESS_OWNER, roles.SYSTEM_MANAGER))
# read every delegation
FULL_ACCESS_ROLES = frozenset(roles.FULL_ACCESS)
READ_PTYPES = ("read", "select", "report", "print", "email", "export")


class DelegationError(frappe.ValidationError):
	"""A BRM Approval Delegation that breaks a rule of delegation."""


def _today(on=None) -> str:
	return str(getdate(on or nowdate()))


# --- who is delegated --------------------------------------------------------------------------------


def principals_sql(user: str, role: str = roles.CUSTOMER_SIGNATORY) -> str:
	"""SQL sub-select of the users `user` is an active delegate of today for `role` (by default BRM
	Customer Signatory: the access rules of Customer Sign-off ask about it)."""
	table = f"`tab{DELEGATION}`"
	today = frappe.db.escape(_today())
	return (
		f"select {table}.`delegator` from {table}"
		f" where {table}.`delegate` = {frappe.db.escape(user)}"
		f" and {table}.`role` = {frappe.db.escape(role)}"
		f" and {table}.`from_date` <= {today} and {table}.`to_date` >= {today}"
	)


def _active(filters: dict, on=None) -> list:
	today = _today(on)
	return frappe.get_all(
		DELEGATION,
		filters={**filters, "from_date": ("<=", today), "to_date": (">=", today)},
		fields=["name", "delegator", "delegate", "role"],
		order_by="from_date asc, name asc",
	)


def is_delegate_of(user: str, principal: str, role: str = roles.CUSTOMER_SIGNATORY) -> bool:
	"""Is `user` an active delegate of `principal` today for `role`?"""
	if not user or not principal or user == principal:
		return False
	return bool(_active({"delegate": user, "delegator": principal, "role": role}))


def delegates_of(principal: str, role: str) -> list[str]:
	"""The enabled users who are active delegates of `principal` today for `role` and still hold it."""
	delegates = []
	for row in _active({"delegator": principal, "role": role}):
		if row.delegate in delegates or row.delegate == principal:
			continue
		if frappe.db.get_value("User", row.delegate, "enabled") and role in frappe.get_roles(row.delegate):
			delegates.append(row.delegate)
	return delegates


def _prepared_by(case_name: str | None) -> str | None:
	if not case_name:
		return None
	stored = frappe.db.get_value("Business Case", case_name, ["prepared_by", "owner"], as_dict=True)
	return (stored.prepared_by or stored.owner) if stored else None


def acting_for(user: str, record) -> str | None:
	"""The signatory `user` may decide `record` (a desk Customer Sign-off) for, or None: an active
	delegation of BRM Customer Signatory from the signatory to them, who still hold that role and did not
	prepare the case."""
	principal = record.get("signatory_user")
	if not principal or not user or user == principal:
		return None
	if record.get("channel") != "Desk":
		return None
	if roles.CUSTOMER_SIGNATORY not in frappe.get_roles(user):
		return None
	if _prepared_by(record.get("business_case")) == user:
		return None  # never on a case they prepared
	if is_delegate_of(user, principal, roles.CUSTOMER_SIGNATORY):
		return principal
	return None


def on_behalf_of(user: str, transition, prepared_by: str | None, first_approver: str | None) -> str | None:
	"""Whom `user` decides for when taking `transition` (an approver's decision on a document waiting for
	approval), as an active delegate of someone holding the transition's role who could have taken it
	themselves; None when they act only for themselves. The preparer never acts as a delegate."""
	from brm_app.services import approval_rules as rules

	if not user or (prepared_by and user == prepared_by):
		return None
	delegated = [role for role in transition.roles if role in DELEGABLE_ROLES]
	if not delegated:
		return None
	for row in _active({"delegate": user, "role": ("in", delegated)}):
		principal = row.delegator
		if principal == user or row.role not in frappe.get_roles(principal):
			continue
		try:
			rules.check_approver(principal, transition, prepared_by, first_approver)
		except rules.SelfApproval:
			continue  # they could not have decided it themselves: nobody stands in for that
		return principal
	return None


# --- who reads a delegation (hooks.py) ------------------------------------------------------------------


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""A user sees the delegations they gave or received; BRM Process Manager / Owner and System Manager
	see all."""
	user = user or frappe.session.user
	if user == "Administrator" or FULL_ACCESS_ROLES.intersection(frappe.get_roles(user)):
		return ""
	user_sql = frappe.db.escape(user)
	table = f"`tab{DELEGATION}`"
	return f"({table}.`delegator` = {user_sql} or {table}.`delegate` = {user_sql})"


def has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""Read: the delegator, the delegate, or a full-access role. Anything else (create, write, delete):
	only the delegator, or a BRM Process Owner / System Manager. Decided on the stored row and on the
	values being saved: nobody takes over someone else's delegation by renaming its delegator."""
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	user_roles = set(frappe.get_roles(user))
	stored = (
		frappe.db.get_value(DELEGATION, doc.name, ["delegator", "delegate"], as_dict=True)
		if doc.name
		else None
	)
	parties = [row for row in (stored, doc) if row]
	if (ptype or "read") in READ_PTYPES:
		if FULL_ACCESS_ROLES.intersection(user_roles):
			return None
		return any(user in (row.get("delegator"), row.get("delegate")) for row in parties)
	if ADMIN_ROLES.intersection(user_roles):
		return None
	return all(row.get("delegator") == user for row in parties)


def check_writer(doc) -> None:
	"""The controller's form of `has_permission` for writes, whoever saves and however (ignore_permissions
	included, but not the server's own code run as Administrator)."""
	user = frappe.session.user
	if user == "Administrator" or ADMIN_ROLES.intersection(frappe.get_roles(user)):
		return
	stored = None if doc.is_new() else frappe.db.get_value(DELEGATION, doc.name, "delegator")
	if doc.delegator != user or (stored and stored != user):
		frappe.throw(
			_("Only the delegator (or a BRM Process Owner or System Manager) can change a delegation."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
