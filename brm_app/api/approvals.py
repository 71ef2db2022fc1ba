"""Whitelisted workflow actions for the Business Case and Customer Agreement forms, and the "Pending my
approval" view of their lists.

`apply_action` is what the forms call for every workflow button (business_case.js,
customer_agreement.js): it carries the comment that Reject / Send Back / Cancel / Terminate need, locks the
document's row and checks the state the user acted on, so that of two simultaneous approvals the second
gets a clear conflict message instead of a stale-timestamp error. The rules themselves are enforced by
`brm_app.approvals.guard` on every path, this one included.
"""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow

from brm_app.approvals.guard import clear_action_comment, set_action_comment
from brm_app.exceptions import ApprovalConflictError, ApprovalRoleError, ApprovalTransitionError
from brm_app.services import approval_rules as rules


@frappe.whitelist(methods=["POST"])
def apply_action(
	doctype: str,
	docname: str,
	action: str,
	comment: str | None = None,
	expected_state: str | None = None,
) -> dict:
	"""Apply the workflow `action` to the document, with an optional `comment` (required for Reject,
	Send Back, Cancel of a decision and Terminate). `expected_state` is the state the user saw: when the
	document has moved on since, the action is refused with ApprovalConflictError."""
	spec = rules.WORKFLOWS.get(doctype)
	if not spec:
		frappe.throw(
			_("{0} has no BRM approval workflow.").format(_(doctype)),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)
	doc = frappe.get_doc(doctype, docname)
	doc.check_permission("read")

	# lock the row: a simultaneous action on the same document waits here, then sees the new state
	stored = frappe.db.get_value(
		doctype, docname, [spec.state_field, "modified_by"], as_dict=True, for_update=True
	)
	current = stored.get(spec.state_field) or spec.initial_state
	if expected_state and current != expected_state:
		_conflict(doc, current, stored.modified_by)
	_check_action_available(doc, spec, current, action, stored.modified_by)

	comment = (comment or "").strip() or None
	set_action_comment(doctype, docname, comment)
	try:
		doc = apply_workflow(frappe.get_doc(doctype, docname), action)
	except frappe.TimestampMismatchError:
		# not expected under the row lock above, but say it clearly if it happens
		latest = frappe.db.get_value(
			doctype, docname, [spec.state_field, "modified_by"], as_dict=True, for_update=True
		)
		_conflict(doc, latest.get(spec.state_field), latest.modified_by)
	finally:
		clear_action_comment(doctype, docname)
	return _result(doc)


def _check_action_available(doc, spec, state: str, action: str, modified_by: str) -> None:
	possible = [t for t in spec.transitions if t.state == state and t.action == action]
	if not possible:
		frappe.throw(
			_("{0} is not possible: {1} is now in state {2} (last changed by {3}). Reload it.").format(
				frappe.bold(_(action)), frappe.bold(doc.name), frappe.bold(_(state)), modified_by
			),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)
	roles = set(frappe.get_roles())
	if not any(roles.intersection(t.roles) for t in possible):
		allowed = dict.fromkeys(role for t in possible for role in t.roles)
		frappe.throw(
			_("Only {0} can {1} {2} in state {3}.").format(
				", ".join(_(role) for role in allowed), _(action), frappe.bold(doc.name), _(state)
			),
			exc=ApprovalRoleError,
			title=_("Not Permitted"),
		)


def _conflict(doc, state: str | None, modified_by: str | None) -> None:
	frappe.throw(
		_(
			"{0} was changed by {1} at the same time and is now in state {2}. Reload it and decide again."
		).format(frappe.bold(doc.name), modified_by or _("someone else"), frappe.bold(_(state or ""))),
		exc=ApprovalConflictError,
		title=_("Changed by Someone Else"),
	)


def _result(doc) -> dict:
	return {"name": doc.name, "workflow_state": doc.get("workflow_state"), "docstatus": doc.docstatus}


# --- "Pending my approval" ------------------------------------------------------------------------------


@frappe.whitelist()
def pending_approval_states(doctype: str = "Business Case") -> list[str]:
	"""The workflow states of `doctype` in which the current user's roles approve."""
	return rules.approval_states(doctype, set(frappe.get_roles()))


@frappe.whitelist(methods=["POST"])  # frappe.xcall posts; no GET-able read to list in docs/security.md case 8
def pending_approval_filters(doctype: str) -> list[list]:
	"""List filters for "Pending my approval": the states the current user approves in (and, for a
	business case, not prepared by them: nobody approves their own). Empty when they approve nothing."""
	if doctype not in rules.WORKFLOWS:
		frappe.throw(_("{0} has no BRM approval workflow.").format(_(doctype)), frappe.ValidationError)
	frappe.has_permission(doctype, "read", throw=True)
	states = rules.approval_states(doctype, set(frappe.get_roles()))
	if not states:
		return []
	filters = [["workflow_state", "in", states]]
	if frappe.get_meta(doctype).has_field("prepared_by"):
		filters.append(["prepared_by", "!=", frappe.session.user])
	return filters


@frappe.whitelist(allow_guest=True)
def confirm_workflow_action(doctype: str, docname: str, user: str, action: str) -> None:
	"""Replaces frappe's e-mail "confirm" link for the BRM workflows: that link applies the action over GET
	without a login, which the guard refuses (docs/security.md case 8). Show where to act instead."""
	from frappe.workflow.doctype.workflow_action import workflow_action

	if doctype not in rules.WORKFLOWS:
		return workflow_action.confirm_action(doctype=doctype, docname=docname, user=user, action=action)
	from frappe.utils.verified_command import verify_request

	if not verify_request():
		return
	frappe.respond_as_web_page(
		_("Open the document to act"),
		_("To {0} {1} {2}, open it and use its actions: {3}").format(
			frappe.utils.escape_html(_(action)),
			frappe.utils.escape_html(_(doctype)),
			frappe.bold(frappe.utils.escape_html(docname)),
			frappe.utils.get_link_to_form(doctype, docname),
		),
		indicator_color="blue",
	)
