"""The server-side guard of the approval workflows (docs/security.md cases 5, 6, 8, 9).

`enforce_workflow(doc)` runs from the controllers' `validate`, `before_update_after_submit` and
`before_cancel`, so every way of changing a document meets it: frappe's `apply_workflow` (desk buttons,
bulk approval, e-mail links), a save with a changed `workflow_state`, `frappe.client.set_value`, a direct
`submit` / `cancel` (REST or `run_doc_method`) and Data Import. When the document's workflow state changes
it checks, against the diagrams of `brm_app.services.approval_rules` and the state read from the database
under a row lock:

(a) the transition exists from the stored state to the new one for one of the user's roles (and, for a
    business case, for its number of approval levels), and the document status fits the new state;
(b) no self-approval: the approver is not the case's immutable `prepared_by` (never `owner`), and the final
    approver of a two-level approval is not its first approver;
(c) the preconditions: every requirement signed off and funding requested before Pending Approval and
    before each approval; a terminated agreement must be live;
(d) a comment for Reject, Send Back, Cancel of a decision and Terminate, taken from `apply_action`
    (`brm_app.api.approvals`), which the forms call.

It then records the transition: the audit fields (approval levels, first approver, decision, approver,
decided on, cycle time, send-back reason), a row of the append-only approval log, and after the save a
timeline entry; a business case's service opportunity follows it. Fields only the guard may write are put
back to their stored values on every save, whatever a client sends.
"""

import frappe
from frappe import _
from frappe.model import no_value_fields, table_fields
from frappe.utils import cint, cstr, escape_html, flt, get_datetime, getdate, now_datetime, nowdate

from brm_app import settings
from brm_app.approvals import bulk
from brm_app.exceptions import (
	AgreementTerminationError,
	ApprovalCommentRequiredError,
	ApprovalLockedError,
	ApprovalPreconditionError,
	ApprovalRoleError,
	ApprovalTransitionError,
	SelfApprovalError,
)
from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status

# request methods that frappe checks the CSRF token of and that may change a workflow state
WRITE_METHODS = ("POST", "PUT", "PATCH")
COMMENT_FLAG = "brm_workflow_comments"
LOG_FIELD = "approval_log"
BUSINESS_CASE = "Business Case"
CUSTOMER_AGREEMENT = "Customer Agreement"

# fields written only by this guard (restored from the database on every save)
OWNED_FIELDS = {
	BUSINESS_CASE: (
		"approval_levels",
		"submitted_for_approval_on",
		"first_approver",
		"first_approved_on",
		"send_back_reason",
		"decision",
		"approver",
		"decided_on",
		"cycle_time_days",
		"first_approval_levels",
	),
	CUSTOMER_AGREEMENT: ("renewal_reminder_sent_on",),
}
# what may still change while a business case awaits approval (everything else is frozen)
UNFROZEN_FIELDS = frozenset(
	(
		*OWNED_FIELDS[BUSINESS_CASE],
		"workflow_state",
		LOG_FIELD,
		"decision_notes",
		# kept in line with the customer's portfolio by link_portfolio
		"portfolio",
		"relationship_manager",
		"customer_name",
	)
)
# child-table fields set by the system after approval (Create Project)
UNFROZEN_CHILD_FIELDS = frozenset(("task",))
TERMINATION_ENDED = ("Expired", "Terminated", "Cancelled")


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
		_refresh_approval_levels(doc, new)
		return

	_refuse_get_request()
	transition = _check_transition(doc, spec, before, old, new)
	_check_approver(doc, before, transition)
	_check_docstatus(doc, spec, new)
	if old in spec.frozen_states and new != rules.DRAFT:
		_check_unchanged(doc, before)
	_check_preconditions(doc, before, transition)
	comment = _check_comment(doc, transition)
	_apply(doc, transition, comment)


def record_transition(doc) -> None:
	"""After the save: the timeline entry of the transition, and the opportunity follows its case."""
	info = doc.flags.pop("brm_transition", None)
	if not info:
		return
	text = _("{0}: {1} → {2}").format(
		escape_html(_(info["action"])), escape_html(_(info["from"])), escape_html(_(info["to"]))
	)
	if info.get("comment"):
		text += "<br>" + _("Comment: {0}").format(escape_html(info["comment"]))
	doc.add_comment("Info", text)
	if doc.doctype == BUSINESS_CASE:
		sync_opportunity(doc)


def sync_opportunity(case) -> None:
	"""Move the case's service opportunity to follow the case's state (db_set: no manual-status rules)."""
	if not case.get("service_opportunity"):
		return
	current = frappe.db.get_value("Service Opportunity", case.service_opportunity, "status")
	if current is None:
		return
	target = opportunity_status.status_for_case(case.get("workflow_state"), current)
	if target:
		frappe.db.set_value("Service Opportunity", case.service_opportunity, "status", target)


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
	for fieldname in OWNED_FIELDS.get(doc.doctype, ()):
		doc.set(fieldname, None)
	doc.set(LOG_FIELD, [])
	if doc.doctype == BUSINESS_CASE and doc.get("amended_from"):
		# an amendment needs at least the levels its source needed (read from the stored source)
		doc.first_approval_levels = frappe.db.get_value(
			BUSINESS_CASE, doc.amended_from, "first_approval_levels"
		)
	_refresh_approval_levels(doc, spec.initial_state)


def _restore_owned_fields(doc, before) -> None:
	for fieldname in OWNED_FIELDS.get(doc.doctype, ()):
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
	elif (
		action == "update_after_submit"
		and doc.doctype == CUSTOMER_AGREEMENT
		and doc.get("terminated_on")
		and not before.get("terminated_on")
	):
		# terminate_agreement and a direct edit of Terminated On are the Terminate transition
		state = rules.TERMINATED
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
		return rules.find_transition(spec, old, new, frappe.get_roles(), before.get("approval_levels"))
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


def _check_preconditions(doc, before, transition: rules.Transition) -> None:
	if doc.doctype == CUSTOMER_AGREEMENT and transition.next_state == rules.TERMINATED:
		status = before.get_derived_status()
		if status in TERMINATION_ENDED or before.get("terminated_on"):
			frappe.throw(
				_("Agreement {0} has already ended ({1}).").format(frappe.bold(doc.name), _(status)),
				exc=AgreementTerminationError,
				title=_("Cannot Terminate"),
			)
	if doc.doctype != BUSINESS_CASE or not rules.needs_approval_preconditions(transition):
		return
	missing = rules.missing_preconditions(
		[(row.signed_off_by, row.signed_off_on) for row in doc.get("requirements") or []],
		doc.get("funding_status"),
	)
	if not missing:
		return
	reasons = []
	for code, detail in missing:
		if code == rules.NO_REQUIREMENTS:
			reasons.append(_("the case has no requirements"))
		elif code == rules.UNSIGNED_REQUIREMENTS:
			reasons.append(
				_("requirement rows {0} are not signed off").format(", ".join(str(i) for i in detail))
			)
		elif code == rules.FUNDING_NOT_REQUESTED:
			reasons.append(_("funding is not requested (Funding Status is {0})").format(_(detail or "")))
	frappe.throw(
		_("{0} cannot go to {1} yet: {2}.").format(
			frappe.bold(doc.name), frappe.bold(_(transition.next_state)), "; ".join(reasons)
		),
		exc=ApprovalPreconditionError,
		title=_("Not Ready for Approval"),
	)


def _check_comment(doc, transition: rules.Transition) -> str | None:
	comment = get_action_comment(doc)
	if doc.doctype == CUSTOMER_AGREEMENT and transition.next_state == rules.TERMINATED:
		# the termination reason is the comment of Terminate
		if not cstr(doc.get("termination_reason")).strip():
			doc.termination_reason = comment
		comment = comment or cstr(doc.get("termination_reason")).strip() or None
		if not comment:
			frappe.throw(
				_("A terminated agreement needs a Termination Reason."),
				exc=AgreementTerminationError,
				title=_("Termination Reason Required"),
			)
	if transition.comment_required and not comment:
		frappe.throw(
			_("{0} needs a comment: say why.").format(frappe.bold(_(transition.action))),
			exc=ApprovalCommentRequiredError,
			title=_("Comment Required"),
		)
	return comment


def _apply(doc, transition: rules.Transition, comment: str | None) -> None:
	"""The audit fields and log row of the transition."""
	now = now_datetime()
	user = frappe.session.user
	new = transition.next_state
	if doc.doctype == BUSINESS_CASE:
		if new == rules.PENDING_APPROVAL:
			doc.approval_levels = _levels(doc)
			if not cint(doc.get("first_approval_levels")):
				# what the case needed when first submitted for approval: it never needs fewer (case 30)
				doc.first_approval_levels = doc.approval_levels
			doc.submitted_for_approval_on = now
			doc.first_approver = None
			doc.first_approved_on = None
		elif new == rules.PENDING_FINAL_APPROVAL:
			doc.first_approver = user
			doc.first_approved_on = now
		elif new in (rules.APPROVED, rules.REJECTED):
			doc.decision = new
			doc.approver = user
			doc.decided_on = now
			doc.cycle_time_days = rules.cycle_time_days(get_datetime(doc.creation), now)
			if new == rules.REJECTED and comment and not cstr(doc.decision_notes).strip():
				doc.decision_notes = comment
		elif new == rules.DRAFT:
			doc.send_back_reason = comment
			doc.first_approver = None
			doc.first_approved_on = None
		_refresh_approval_levels(doc, new)
	elif doc.doctype == CUSTOMER_AGREEMENT and new == rules.TERMINATED:
		doc.terminated_on = doc.get("terminated_on") or nowdate()

	doc.append(
		LOG_FIELD,
		{
			"action": transition.action,
			"state_from": transition.state,
			"state_to": new,
			"user": user,
			"at": now,
			"comment": comment,
		},
	)
	doc.flags.brm_transition = {
		"action": transition.action,
		"from": transition.state,
		"to": new,
		"comment": comment,
	}


def _refresh_approval_levels(doc, state: str) -> None:
	"""While a case is still being prepared its approval levels follow its total cost; from Pending
	Approval on they stay as fixed when it got there."""
	if doc.doctype == BUSINESS_CASE and state in (rules.DRAFT, rules.UNDER_REVIEW):
		doc.approval_levels = _levels(doc)


def _levels(doc) -> int:
	"""The approval levels the case needs: by its total cost and today's threshold, but never fewer than
	when it was first submitted for approval (a lowered threshold does not apply to it, case 30)."""
	levels = rules.approval_levels(flt(doc.get("total_cost")), _two_level_threshold())
	return max(levels, cint(doc.get("first_approval_levels")))


def _two_level_threshold() -> float:
	return settings.two_level_approval_threshold()


# --- the content of a case awaiting approval does not change ------------------------------------------


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
	for df in doc.meta.fields:
		if df.fieldname in UNFROZEN_FIELDS:
			continue
		if df.fieldtype in table_fields:
			if _rows(doc, df) != _rows(before, df):
				changed.append(df.label or df.fieldname)
		elif df.fieldtype not in no_value_fields:
			if _normalise(df, doc.get(df.fieldname)) != _normalise(df, before.get(df.fieldname)):
				changed.append(df.label or df.fieldname)
	return changed


def _rows(doc, df) -> list[tuple]:
	child_fields = [
		cdf
		for cdf in frappe.get_meta(df.options).fields
		if cdf.fieldtype not in no_value_fields and cdf.fieldname not in UNFROZEN_CHILD_FIELDS
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
