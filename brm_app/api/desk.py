"""Desk list helpers: the "Pending my approval" view of the Business Case and Customer Agreement lists.

The states come from the approval workflows in code (brm_app.services.approval_rules), so the list
shows exactly the documents on which the user's roles may approve (Approve / Activate).
"""

import frappe
from frappe import _

from brm_app.services import approval_rules as rules

APPROVING_ACTIONS = (rules.APPROVE, rules.ACTIVATE)


def approval_states(doctype: str, roles: set[str]) -> list[str]:
	"""The workflow states of `doctype` in which one of `roles` approves."""
	spec = rules.WORKFLOWS.get(doctype)
	if not spec:
		return []
	states = [
		t.state for t in spec.transitions if t.action in APPROVING_ACTIONS and roles.intersection(t.roles)
	]
	return list(dict.fromkeys(states))


@frappe.whitelist(methods=["POST"])  # frappe.xcall posts; no GET-able read to list in SECURITY case 8
def pending_approval_filters(doctype: str) -> list[list]:
	"""List filters for "Pending my approval": the states the current user approves in (and, for a
	business case, not prepared by them: nobody approves their own). Empty when they approve nothing."""
	if doctype not in rules.WORKFLOWS:
		frappe.throw(_("{0} has no BRM approval workflow.").format(_(doctype)), frappe.ValidationError)
	frappe.has_permission(doctype, "read", throw=True)
	states = approval_states(doctype, set(frappe.get_roles()))
	if not states:
		return []
	filters = [["workflow_state", "in", states]]
	if frappe.get_meta(doctype).has_field("prepared_by"):
		filters.append(["prepared_by", "!=", frappe.session.user])
	return filters
