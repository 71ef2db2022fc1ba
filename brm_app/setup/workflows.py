"""The approval workflows on the site: an idempotent upsert of Workflow State, Workflow Action Master and
Workflow documents from the diagrams in `brm_app.services.approval_rules` (never fixtures, which re-import
with force on every migrate).

Run by `ensure_setup()` (install and every migrate) and by the patch `brm_app.patches.v0_1.ensure_workflows`.

What the upsert owns and what it leaves to administrators:

- **Owned by the code** (put back on every run when they differ): the workflow's document type, state field,
  active flag, and its structure - the states with their document status and editing roles, the
  transitions with their roles and conditions. The server-side guard enforces the same diagrams, so an
  edited transition in the desk would not change who may approve anyway.
- **Kept** once the workflow exists: "Send Email Alert", "Don't Override Status", and per state its
  message and next-action e-mail template. An administrator who turns the approval e-mails off keeps them off.
- Workflow State and Workflow Action Master records are created when missing and otherwise left alone
  (they are shared with other workflows: "Approved" and "Rejected" come with frappe).

A second run with nothing to do writes nothing.
"""

import frappe

from brm_app.services.approval_rules import WORKFLOWS, WorkflowSpec

# per-state settings an administrator may tune; kept when the states are rewritten
KEPT_STATE_FIELDS = ("message", "next_action_email_template")
STATE_KEYS = ("state", "doc_status", "allow_edit", "is_optional_state", *KEPT_STATE_FIELDS)
TRANSITION_KEYS = ("state", "action", "next_state", "allowed", "allow_self_approval", "condition")


def ensure_workflows() -> list[str]:
	"""Create or update the BRM workflows; returns the names of the workflows written."""
	written = []
	for spec in WORKFLOWS.values():
		_ensure_states(spec)
		_ensure_actions(spec)
		_backfill_states(spec)
		if _ensure_workflow(spec):
			written.append(spec.name)
	return written


def _ensure_states(spec: WorkflowSpec) -> None:
	for state in spec.states:
		if frappe.db.exists("Workflow State", state.name):
			continue
		frappe.get_doc(
			{"doctype": "Workflow State", "workflow_state_name": state.name, "style": state.style}
		).insert(ignore_permissions=True)


def _ensure_actions(spec: WorkflowSpec) -> None:
	for action in spec.actions():
		if frappe.db.exists("Workflow Action Master", action):
			continue
		frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
			ignore_permissions=True
		)


def _backfill_states(spec: WorkflowSpec) -> None:
	"""Records made before the workflow existed get the state that matches them (frappe's own backfill,
	when the Workflow is saved, would give every submitted record the first submitted state)."""
	if not frappe.db.has_column(spec.document_type, spec.state_field):
		return
	table = frappe.qb.DocType(spec.document_type)
	field = table[spec.state_field]
	empty = field.isnull() | (field == "")
	if spec.document_type == "Business Case":
		frappe.qb.update(table).set(field, "Rejected").where(empty).where(table.docstatus == 1).where(
			table.decision == "Rejected"
		).run()
	if spec.document_type == "Customer Agreement":
		frappe.qb.update(table).set(field, "Terminated").where(empty).where(table.docstatus == 1).where(
			table.terminated_on.isnotnull()
		).run()
		frappe.qb.update(table).set(field, "Pending Sign-off").where(empty).where(table.docstatus == 0).where(
			table.status == "Pending Sign-off"
		).run()
	# the rest: the first state of their document status (Draft, Approved / Active, Cancelled)
	for docstatus in (0, 1, 2):
		state = spec.first_state_with_docstatus(docstatus)
		if state:
			frappe.qb.update(table).set(field, state).where(empty).where(table.docstatus == docstatus).run()


def _ensure_workflow(spec: WorkflowSpec) -> bool:
	"""Insert the workflow, or bring its structure in line with the spec; True when something was written."""
	if not frappe.db.exists("Workflow", spec.name):
		doc = frappe.get_doc(
			{
				"doctype": "Workflow",
				"workflow_name": spec.name,
				"document_type": spec.document_type,
				"workflow_state_field": spec.state_field,
				"is_active": 1,
				"send_email_alert": int(spec.send_email_alert),
				"override_status": int(spec.override_status),
				"states": _state_rows(spec, {}),
				"transitions": _transition_rows(spec),
			}
		)
		doc.insert(ignore_permissions=True)
		return True

	doc = frappe.get_doc("Workflow", spec.name)
	kept = {row.state: {f: row.get(f) for f in KEPT_STATE_FIELDS} for row in doc.states}
	wanted_states = _state_rows(spec, kept)
	wanted_transitions = _transition_rows(spec)
	header = {
		"document_type": spec.document_type,
		"workflow_state_field": spec.state_field,
		"is_active": 1,
	}
	same = (
		all(doc.get(key) == value for key, value in header.items())
		and _rows(doc.states, STATE_KEYS) == _rows(wanted_states, STATE_KEYS)
		and _rows(doc.transitions, TRANSITION_KEYS) == _rows(wanted_transitions, TRANSITION_KEYS)
	)
	if same:
		return False
	doc.update(header)
	doc.set("states", wanted_states)
	doc.set("transitions", wanted_transitions)
	doc.save(ignore_permissions=True)
	return True


def _state_rows(spec: WorkflowSpec, kept: dict) -> list[dict]:
	rows = []
	for state in spec.states:
		for role in state.editors:
			rows.append(
				{
					"state": state.name,
					"doc_status": str(state.docstatus),
					"allow_edit": role,
					"is_optional_state": int(state.optional),
					**{f: v for f, v in kept.get(state.name, {}).items() if v},
				}
			)
	return rows


def _transition_rows(spec: WorkflowSpec) -> list[dict]:
	return [
		{
			"state": t.state,
			"action": t.action,
			"next_state": t.next_state,
			"allowed": role,
			# self-approval is refused by the guard on prepared_by (immutable), not by frappe on owner
			"allow_self_approval": 1,
			"condition": t.condition or None,
		}
		# a system step (the customer's sign-off) is no button for anyone: brm_app's code takes it
		for t in spec.transitions
		if not t.system
		for role in t.roles
	]


def _rows(rows, keys: tuple[str, ...]) -> list[tuple]:
	return [tuple(_value(row.get(key)) for key in keys) for row in rows]


def _value(value) -> str:
	return "" if value is None else str(value)
