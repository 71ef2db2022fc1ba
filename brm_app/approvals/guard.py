"""The server-side guard of the approval workflows (docs/security.md cases 5, 6, 8, 9, 25).

`enforce_workflow(doc)` runs from the controllers' `validate`, `before_update_after_submit` and
`before_cancel`, so every way of changing a document meets it: frappe's `apply_workflow` (desk buttons,
bulk approval), a save with a changed `workflow_state`, `frappe.client.set_value`, a direct `submit` /
`cancel` (REST or `run_doc_method`) and Data Import. It knows no doctype: what is particular to one (its
preconditions, its audit fields, what follows a transition) is the document's answer to the hooks of
`brm_app.approvals.record.WorkflowRecord`. When the workflow state changes it checks, against the
diagrams of `brm_app.services.approval_rules` and the state read from the database under a row lock:

(a) the transition exists from the stored state to the new one for one of the user's roles (and for the
    document's number of approval levels), and the document status fits the new state;
(b) no self-approval: the approver is not the immutable `prepared_by` (never `owner`), and the final
    approver of a two-level approval is not its first approver;
(c) a write request: POST with frappe's CSRF check, or a job started by one (never GET);
(d) the document's own preconditions (`before_workflow_transition`), then the comment the transition
    needs (Reject, Send Back, Cancel of a decision, Terminate), taken from `apply_action`
    (`brm_app.api.approvals`), which the forms call.

It then records the transition: the document's audit fields (`apply_workflow_transition`), a row of the
append-only approval log, and after the save a timeline entry and `after_workflow_transition`. Fields only
the guard may write (`workflow_owned_fields`) are put back to their stored values on every save, whatever
a client sends; in a frozen state (awaiting approval) nothing but `workflow_unfrozen_fields` may change.
"""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.model import no_value_fields, table_fields
from frappe.utils import cint, cstr, escape_html, flt, get_datetime, getdate, now_datetime

from brm_app.approvals import bulk
from brm_app.exceptions import (
	ApprovalCommentRequiredError,
	ApprovalLockedError,
	ApprovalRoleError,
	ApprovalTransitionError,
	SelfApprovalError,
)
from brm_app.services import approval_rules as rules

# request methods that frappe checks the CSRF token of and that may change a workflow state
WRITE_METHODS = ("POST", "PUT", "PATCH")
COMMENT_FLAG = "brm_workflow_comments"
SYSTEM_FLAG = "brm_workflow_system_steps"
LOG_FIELD = "approval_log"


# --- the comment of the action being taken ---------------------------------------------------------


def set_action_comment(doctype: str, name: str, comment: str | None) -> None:
	"""Remember the comment `apply_action` was given, for the guard of this request."""
	comments = frappe.flags.get(COMMENT_FLAG) or {}
	comments[(doctype, name)] = (comment or "").strip() or None
	frappe.flags[COMMENT_FLAG] = comments


def clear_action_comment(doctype: str, name: str) -> None:
	(frappe.flags.get(COMMENT_FLAG) or {}).pop((doctype, name), None)


def get_action_comment(doc) -> str | None:
	return (frappe.flags.get(COMMENT_FLAG) or {}).get((doc.doctype, doc.name))


# --- system steps: taken by brm_app's code, never by a user's action ---------------------------------


@contextmanager
def system_step(doc, next_state: str):
	"""Within this block, saving `doc` into `next_state` is the workflow's system step (e.g. the
	customer's sign-off moving a case on). Only server code enters it; no request can set it."""
	key = (doc.doctype, doc.name, next_state)
	steps = frappe.flags.get(SYSTEM_FLAG) or set()
	steps.add(key)
	frappe.flags[SYSTEM_FLAG] = steps
	try:
		yield
	finally:
		steps.discard(key)


def allow_system_step(doc, next_state: str) -> None:
	"""Let the save under way take the system step to `next_state` (a controller deciding it during its
	own validation); `end_system_step` (after the save) withdraws it."""
	steps = frappe.flags.get(SYSTEM_FLAG) or set()
	steps.add((doc.doctype, doc.name, next_state))
	frappe.flags[SYSTEM_FLAG] = steps


def end_system_step(doc, next_state: str) -> None:
	(frappe.flags.get(SYSTEM_FLAG) or set()).discard((doc.doctype, doc.name, next_state))


def in_system_step(doctype: str, name: str) -> bool:
	"""Whether brm_app's code is taking a system step of this document right now (any state)."""
	return any(key[:2] == (doctype, name) for key in frappe.flags.get(SYSTEM_FLAG) or ())


def is_system_step(doc, state: str | None) -> bool:
	return (doc.doctype, doc.name, state) in (frappe.flags.get(SYSTEM_FLAG) or set())


# --- the guard -----------------------------------------------------------------------------------------


def enforce_workflow(doc) -> None:
	"""Check and record a workflow transition of `doc` (see the module docstring)."""
	spec = rules.WORKFLOWS.get(doc.doctype)
	if not spec:
		return
	if doc.is_new():
		_start(doc, spec)
		return

	before = doc.get_doc_before_save()
	if before is None:
		doc.load_doc_before_save(raise_exception=True)
		before = doc.get_doc_before_save()
	_restore_owned_fields(doc, before)
	old = _locked_state(doc, spec, before)
	new = _target_state(doc, spec, before, old)

	if new == old:
		if old in spec.frozen_states:
			_check_unchanged(doc, before)
		doc.refresh_workflow_fields(new)
		return

	_refuse_get_request()
	transition = _check_transition(doc, spec, before, old, new)
	_check_approver(doc, before, transition)
	_check_docstatus(doc, spec, new)
	if old in spec.frozen_states and new != rules.DRAFT:
		_check_unchanged(doc, before)
	comment = doc.before_workflow_transition(transition, before, get_action_comment(doc))
	_check_comment(transition, comment)
	doc.apply_workflow_transition(transition, comment)
	_log(doc, transition, comment, _on_behalf_of(doc, before, transition))


def record_transition(doc) -> None:
	"""After the save: the timeline entry of the transition, then the document's own follow-up."""
	info = doc.flags.pop("brm_transition", None)
	if not info:
		return
	text = _("{0}: {1} → {2}").format(
		escape_html(_(info["action"])), escape_html(_(info["from"])), escape_html(_(info["to"]))
	)
	if info.get("on_behalf_of"):
		text += "<br>" + _("On behalf of {0} (delegation)").format(escape_html(info["on_behalf_of"]))
	if info.get("comment"):
		text += "<br>" + _("Comment: {0}").format(escape_html(info["comment"]))
	doc.add_comment("Info", text)
	doc.after_workflow_transition(info)


# --- steps -------------------------------------------------------------------------------------------


def _start(doc, spec: rules.WorkflowSpec) -> None:
	"""A new document starts in the first state, with no audit data, whatever the client sent."""
	state = doc.get(spec.state_field)
	if state and state != spec.initial_state and not doc.get("amended_from"):
		frappe.throw(
			_("A new {0} starts in state {1}, not {2}: use the workflow actions to move it on.").format(
				_(doc.doctype), frappe.bold(_(spec.initial_state)), frappe.bold(_(state))
			),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)
	if cint(doc.docstatus) != 0:
		frappe.throw(
			_("A new {0} cannot be submitted directly: use the workflow actions.").format(_(doc.doctype)),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)
	doc.set(spec.state_field, spec.initial_state)
	for fieldname in doc.workflow_owned_fields:
		doc.set(fieldname, None)
	doc.set(LOG_FIELD, [])
	doc.before_workflow_start()
	doc.refresh_workflow_fields(spec.initial_state)


def _restore_owned_fields(doc, before) -> None:
	for fieldname in doc.workflow_owned_fields:
		doc.set(fieldname, before.get(fieldname))
	doc.set(LOG_FIELD, [row.as_dict() for row in before.get(LOG_FIELD) or []])


def _locked_state(doc, spec: rules.WorkflowSpec, before) -> str:
	"""The stored state, read under a row lock so that two approvals of one document run one after the
	other and the second one sees the first one's result (docs/security.md case 9)."""
	stored = frappe.db.get_value(doc.doctype, doc.name, spec.state_field, for_update=True)
	return stored or spec.first_state_with_docstatus(cint(before.docstatus)) or spec.initial_state


def _target_state(doc, spec: rules.WorkflowSpec, before, old: str) -> str:
	"""The state this save leads to: the state field, or what frappe sets when submitting / cancelling."""
	state = doc.get(spec.state_field) or old
	action = getattr(doc, "_action", None)
	if action == "cancel":
		state = spec.first_state_with_docstatus(2) or state
	elif action == "submit" and spec.docstatus_of(state) != 1:
		state = spec.first_state_with_docstatus(1) or state
	else:
		state = doc.workflow_target_state(before, state)
	doc.set(spec.state_field, state)
	return state


def _refuse_get_request() -> None:
	"""Workflow transitions are writes: only by POST (or PUT) with frappe's CSRF check, never over GET
	(cases 8 and 25), e.g. frappe's e-mail links or an `<img src>` of a bulk action's URL. In a background
	job there is no request: the job must carry the mark of the checked request that started it
	(brm_app.approvals.bulk), for the user it runs as; the server's own code (no request, no job) may."""
	request = getattr(frappe.local, "request", None)
	if request is not None:
		if cstr(getattr(request, "method", "")).upper() not in WRITE_METHODS:
			frappe.throw(
				_("Workflow actions must be sent with POST: open the document and use its actions."),
				exc=frappe.PermissionError,
				title=_("Not Allowed"),
			)
		return
	if not bulk.in_background_job():
		return
	started = bulk.job_started_by() or {}
	if started.get("user") != frappe.session.user or started.get("http_method") not in WRITE_METHODS:
		frappe.throw(
			_(
				"Workflow actions in a background job must come from a checked POST request: open the document and use its actions."
			),
			exc=frappe.PermissionError,
			title=_("Not Allowed"),
		)


def _check_transition(doc, spec: rules.WorkflowSpec, before, old: str, new: str) -> rules.Transition:
	try:
		return rules.find_transition(
			spec,
			old,
			new,
			frappe.get_roles(),
			before.get("approval_levels"),
			system=is_system_step(doc, new),
		)
	except rules.RoleNotAllowed as refused:
		frappe.throw(
			_("You cannot move {0} from {1} to {2}: only {3} can.").format(
				frappe.bold(doc.name),
				frappe.bold(_(old)),
				frappe.bold(_(new)),
				", ".join(_(role) for role in refused.allowed),
			),
			exc=ApprovalRoleError,
			title=_("Not Permitted"),
		)
	except rules.ApprovalLevelMismatch:
		frappe.throw(
			_(
				"{0} needs {1} approval level(s): it cannot move from {2} to {3} (BRM Settings, Two-Level Approval Threshold)."
			).format(
				frappe.bold(doc.name), cint(before.get("approval_levels")) or 1, _(old), frappe.bold(_(new))
			),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)
	except rules.NoSuchTransition:
		frappe.throw(
			_("{0} cannot move from {1} to {2}: there is no such workflow step.").format(
				frappe.bold(doc.name), frappe.bold(_(old)), frappe.bold(_(new))
			),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)


def _check_approver(doc, before, transition: rules.Transition) -> None:
	user = frappe.session.user
	try:
		# a record stored before Prepared By existed: its creator prepared it
		prepared_by = before.get("prepared_by") or before.get("owner")
		rules.check_approver(user, transition, prepared_by, before.get("first_approver"))
	except rules.SelfApproval as refused:
		if str(refused) == "first_approver":
			message = _("You gave the first approval of {0}: the final approval must come from someone else.")
		else:
			message = _("You prepared {0}: someone else must approve it.")
		frappe.throw(message.format(frappe.bold(doc.name)), exc=SelfApprovalError, title=_("Self-Approval"))


def _check_docstatus(doc, spec: rules.WorkflowSpec, new: str) -> None:
	"""A submitted state is reached only by submitting, a draft state only by saving (set_value of
	workflow_state = Approved on a draft is refused)."""
	if spec.docstatus_of(new) != cint(doc.docstatus):
		frappe.throw(
			_("{0} can only reach state {1} through its workflow action.").format(
				frappe.bold(doc.name), frappe.bold(_(new))
			),
			exc=ApprovalTransitionError,
			title=_("Not Allowed"),
		)


def _check_comment(transition: rules.Transition, comment: str | None) -> None:
	if transition.comment_required and not comment:
		frappe.throw(
			_("{0} needs a comment: say why.").format(frappe.bold(_(transition.action))),
			exc=ApprovalCommentRequiredError,
			title=_("Comment Required"),
		)


def _on_behalf_of(doc, before, transition: rules.Transition) -> str | None:
	"""The approver the user stands in for (an active BRM Approval Delegation), when the transition is a
	decision on a document waiting for approval; the preparer never acts as a delegate."""
	if transition.system or transition.state not in rules.approval_states(doc.doctype, set(transition.roles)):
		return None
	from brm_app.signoff import delegation

	return delegation.on_behalf_of(
		frappe.session.user,
		transition,
		before.get("prepared_by") or before.get("owner"),
		before.get("first_approver"),
	)


def _log(doc, transition: rules.Transition, comment: str | None, on_behalf_of: str | None = None) -> None:
	"""The approval log row of the transition, and what `record_transition` writes after the save."""
	doc.append(
		LOG_FIELD,
		{
			"action": transition.action,
			"state_from": transition.state,
			"state_to": transition.next_state,
			"user": frappe.session.user,
			"on_behalf_of": on_behalf_of,
			"at": now_datetime(),
			"comment": comment,
		},
	)
	doc.flags.brm_transition = {
		"action": transition.action,
		"from": transition.state,
		"to": transition.next_state,
		"comment": comment,
		"on_behalf_of": on_behalf_of,
	}


# --- the content of a document awaiting approval does not change --------------------------------------


def _check_unchanged(doc, before) -> None:
	changed = content_changes(doc, before)
	if changed:
		frappe.throw(
			_("{0} is awaiting approval and cannot be edited ({1}). Send it back to change it.").format(
				frappe.bold(doc.name), ", ".join(_(label) for label in changed)
			),
			exc=ApprovalLockedError,
			title=_("Awaiting Approval"),
		)


def content_changes(doc, before) -> list[str]:
	"""Labels of the fields (and tables) whose content differs from the stored document."""
	changed = []
	unfrozen = {*doc.workflow_owned_fields, *doc.workflow_unfrozen_fields, "workflow_state", LOG_FIELD}
	for df in doc.meta.fields:
		if df.fieldname in unfrozen:
			continue
		if df.fieldtype in table_fields:
			if _rows(doc, df, doc.workflow_unfrozen_fields) != _rows(
				before, df, doc.workflow_unfrozen_fields
			):
				changed.append(df.label or df.fieldname)
		elif df.fieldtype not in no_value_fields:
			if _normalise(df, doc.get(df.fieldname)) != _normalise(df, before.get(df.fieldname)):
				changed.append(df.label or df.fieldname)
	return changed


def _rows(doc, df, unfrozen) -> list[tuple]:
	"""The rows' values, without the child fields the system still sets (`<table>.<field>` in `unfrozen`)."""
	child_fields = [
		cdf
		for cdf in frappe.get_meta(df.options).fields
		if cdf.fieldtype not in no_value_fields and f"{df.fieldname}.{cdf.fieldname}" not in unfrozen
	]
	return [
		tuple(_normalise(cdf, row.get(cdf.fieldname)) for cdf in child_fields)
		for row in doc.get(df.fieldname) or []
	]


def _normalise(df, value) -> object:
	if df.fieldtype in ("Int", "Check"):
		return cint(value)
	if df.fieldtype in ("Float", "Currency", "Percent"):
		return round(flt(value), 6)
	if df.fieldtype == "Date":
		return str(getdate(value)) if value else ""
	if df.fieldtype == "Datetime":
		return str(get_datetime(value)) if value else ""
	return cstr(value)
