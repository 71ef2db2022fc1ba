"""Approval workflows of Business Case and Customer Agreement (issue 4; docs/security.md cases 5-9).

- `brm_app.services.approval_rules`: the state diagrams and the pure decisions on them;
- `brm_app.approvals.guard`: applies them on the server on every save path (called by the controllers);
- `brm_app.api.approvals`: `apply_action`, the POST wrapper the forms use (comment, clear conflicts);
- `brm_app.setup.workflows`: writes the diagrams to the site as Frappe Workflows.
"""

from brm_app.approvals.guard import enforce_workflow, record_transition

__all__ = ["enforce_workflow", "record_transition"]
