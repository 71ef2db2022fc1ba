"""The base class of the documents with an approval workflow (Business Case, Customer Agreement).

The guard (`brm_app.approvals.guard`) is the same for every workflow; what is particular to one doctype
is the document's answer to these hooks, each with a default that does nothing:

- `workflow_owned_fields`: fields only the guard writes (restored from the stored row on every save,
  emptied on a new document);
- `workflow_unfrozen_fields`: what may still change in a frozen state (awaiting approval), besides the
  owned fields, the state and the approval log; `<table>.<field>` names a child-table field;
- `before_workflow_start()`: a new document, after its state and owned fields were reset;
- `workflow_target_state(before, state)`: the state a save leads to when no action names it (e.g. an
  agreement whose Terminated On is set is terminated);
- `before_workflow_transition(transition, before, comment)`: the document's own preconditions; returns the
  comment of the transition (it may come from a field of the document);
- `apply_workflow_transition(transition, comment)`: the document's audit fields;
- `refresh_workflow_fields(state)`: fields that follow the document on every save in a state;
- `after_workflow_transition(info)`: after the save (what follows the document elsewhere).
"""

from brm_app.approvals.guard import enforce_workflow, record_transition
from brm_app.controllers.records import BRMRecord
from brm_app.services import approval_rules as rules


class WorkflowRecord(BRMRecord):
	workflow_owned_fields: tuple[str, ...] = ()
	workflow_unfrozen_fields: frozenset[str] = frozenset()

	def enforce_workflow(self) -> None:
		enforce_workflow(self)

	def record_transition(self) -> None:
		record_transition(self)

	def before_workflow_start(self) -> None:
		pass

	def workflow_target_state(self, before, state: str) -> str:
		return state

	def before_workflow_transition(
		self, transition: rules.Transition, before, comment: str | None
	) -> str | None:
		return comment

	def apply_workflow_transition(self, transition: rules.Transition, comment: str | None) -> None:
		pass

	def refresh_workflow_fields(self, state: str) -> None:
		pass

	def after_workflow_transition(self, info: dict) -> None:
		pass
