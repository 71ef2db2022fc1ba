"""Approval workflows of Business Case and Customer Agreement (docs/security.md cases 5-9, 25).

- `brm_app.services.approval_rules`: the state diagrams and the pure decisions on them;
- `brm_app.approvals.guard`: applies them on the server on every save path, for any doctype;
- `brm_app.approvals.record`: `WorkflowRecord`, the base class whose hooks each doctype answers;
- `brm_app.approvals.bulk`: frappe's bulk actions, POST-only, with the checked request carried into jobs;
- `brm_app.api.approvals`: `apply_action`, the POST wrapper the forms use (comment, clear conflicts);
- `brm_app.setup.workflows`: writes the diagrams to the site as Frappe Workflows.
"""
