"""Action items of a Service Review as ToDos (docs/service-reviews.md "Action items").

Each action item with an owner has one ToDo: allocated to the owner, due on the action's due date,
referencing the review. The two stay in step both ways, on every path:

- the review's save (`sync_todos`, from its on_update): a new action opens its ToDo; Done closes it, Open
  reopens it; a changed owner, due date or description is copied; a removed action, or a review cancelled
  or deleted, cancels the open ToDos;
- a ToDo's save (`on_todo_update`, doc_events in hooks.py: the ToDo form, the assignment sidebar, REST,
  set_value): Closed marks its action Done, Open marks it Open again (a Cancelled ToDo leaves it as it is).
"""

import frappe
from frappe.utils import getdate, strip_html

REVIEW = "Service Review"
ACTION = "Service Review Action"
OPEN, DONE = "Open", "Done"
TODO_OPEN, TODO_CLOSED, TODO_CANCELLED = "Open", "Closed", "Cancelled"


def _todo_status(action) -> str:
	return TODO_CLOSED if action.status == DONE else TODO_OPEN


def _description(review, action) -> str:
	return frappe.utils.escape_html(strip_html(action.description or ""))


def sync_todos(review, previous_todos: set[str] | None = None) -> None:
	"""Open, update, close or cancel the ToDos of the review's action items."""
	cancelled = review.status == "Cancelled"
	kept = set()
	for action in review.get("actions") or []:
		if action.todo and frappe.db.exists("ToDo", action.todo):
			kept.add(action.todo)
			_update_todo(review, action, cancelled)
		elif action.assigned_to and not cancelled:
			todo = frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": action.assigned_to,
					"reference_type": REVIEW,
					"reference_name": review.name,
					"description": _description(review, action),
					"date": action.due_date,
					"status": _todo_status(action),
					"assigned_by": frappe.session.user,
				}
			).insert(ignore_permissions=True)
			frappe.db.set_value(ACTION, action.name, "todo", todo.name, update_modified=False)
			action.todo = todo.name
			kept.add(todo.name)
	# ToDos of actions removed by this save
	for name in set(previous_todos or ()) - kept:
		if frappe.db.get_value("ToDo", name, "status") == TODO_OPEN:
			_set_todo(name, status=TODO_CANCELLED)


def stored_todos(review_name: str | None) -> set[str]:
	"""The ToDos of the review's stored action items (read before a save replaces them)."""
	if not review_name:
		return set()
	return set(
		frappe.get_all(
			ACTION, filters={"parenttype": REVIEW, "parent": review_name, "todo": ("is", "set")}, pluck="todo"
		)
	)


def cancel_todos(review) -> None:
	"""Cancel the open ToDos of a review's actions (the review is being deleted)."""
	for action in review.get("actions") or []:
		if action.todo and frappe.db.get_value("ToDo", action.todo, "status") == TODO_OPEN:
			_set_todo(action.todo, status=TODO_CANCELLED)


def _update_todo(review, action, cancelled: bool) -> None:
	stored = frappe.db.get_value(
		"ToDo", action.todo, ["status", "allocated_to", "date", "description"], as_dict=True
	)
	wanted = {
		"status": TODO_CANCELLED if cancelled and stored.status == TODO_OPEN else _todo_status(action),
		"allocated_to": action.assigned_to,
		"date": getdate(action.due_date) if action.due_date else None,
		"description": _description(review, action),
	}
	if cancelled and stored.status != TODO_OPEN:
		wanted["status"] = stored.status
	if stored.status == TODO_CANCELLED and not cancelled and action.status != DONE:
		wanted["status"] = TODO_OPEN  # the review was reinstated
	changes = {
		key: value
		for key, value in wanted.items()
		if (getdate(stored[key]) if key == "date" and stored[key] else stored[key]) != value
	}
	if changes:
		_set_todo(action.todo, **changes)


def _set_todo(name: str, **values) -> None:
	"""Save a ToDo through its controller (frappe updates the review's assignments), marked as ours so that
	on_todo_update does not write back."""
	todo = frappe.get_doc("ToDo", name)
	todo.update(values)
	todo.flags.from_service_review = True
	todo.save(ignore_permissions=True)


def on_todo_update(todo, method: str | None = None) -> None:
	"""A ToDo of an action item changed: Closed -> action Done, Open -> action Open."""
	if todo.reference_type != REVIEW or todo.flags.get("from_service_review"):
		return
	if todo.status not in (TODO_OPEN, TODO_CLOSED):
		return
	status = DONE if todo.status == TODO_CLOSED else OPEN
	action = frappe.db.get_value(
		ACTION, {"todo": todo.name, "parenttype": REVIEW}, ["name", "status", "parent"], as_dict=True
	)
	# the ToDo's holder may have lost the review (removed from the team, a handover): only a user who may
	# write the review moves its action (docs/service-reviews.md "Action items")
	if action and not frappe.has_permission(REVIEW, "write", doc=action.parent):
		return
	if action and action.status != status:
		frappe.db.set_value(ACTION, action.name, "status", status, update_modified=False)
