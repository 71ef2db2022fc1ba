"""frappe's bulk actions, POST-only, with the checked request carried into their background jobs (threat
model case 25).

frappe 15.44's `frappe.model.workflow.bulk_workflow_approval` and
`frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs` accept GET, and from 20 documents
on they enqueue the work: in the job there is no request any more, so the approval guard could not tell
that the action came from a GET a browser sent by itself (an `<img src>` in a case's text is enough). The
replacements below (hooks.override_whitelisted_methods) take POST only, so frappe's CSRF check runs, and
enqueue the work through `run_checked`, which tells the guard inside the job who started it and how.
`brm_app.approvals.guard` refuses any workflow transition in a background job that does not carry that
mark, whatever path enqueued it.
"""

import frappe
from frappe import _
from frappe.utils import cstr

# set inside a job started by a checked request: {"user", "http_method", "path"}
CHECKED_JOB_FLAG = "brm_checked_request"
# set while a background job runs (hooks before_job / after_job)
JOB_FLAG = "brm_in_job"
# documents handled within the request; more go to a background job (as frappe does)
INLINE_LIMIT = 20
MAX_DOCUMENTS = 500
# the frappe functions a checked job may run
CHECKED_TARGETS = frozenset(
	(
		"frappe.model.workflow._bulk_workflow_action",
		"frappe.desk.doctype.bulk_update.bulk_update._bulk_action",
	)
)


def _names(docnames) -> list:
	names = frappe.parse_json(docnames) if isinstance(docnames, str) else docnames
	if not isinstance(names, list):
		frappe.throw(_("Document names must be given as a list."), frappe.ValidationError)
	if len(names) > MAX_DOCUMENTS:
		frappe.throw(
			_("Bulk actions support up to {0} documents.").format(MAX_DOCUMENTS),
			title=_("Too Many Documents"),
		)
	return names


def started_by() -> dict:
	"""Who sent the current request, and how: what a checked job carries."""
	request = frappe.local.request
	return {
		"user": frappe.session.user,
		"http_method": cstr(request.method).upper(),
		"path": cstr(request.path),
	}


def enqueue_checked(target: str, **kwargs) -> None:
	"""Run frappe's `target` in a background job that carries the current (POST) request's mark."""
	if target not in CHECKED_TARGETS:
		frappe.throw(_("{0} cannot run as a checked job.").format(target))
	frappe.enqueue(
		"brm_app.approvals.bulk.run_checked",
		queue="short",
		timeout=1000,
		target=target,
		started_by=started_by(),
		**kwargs,
	)


def run_checked(target: str, started_by: dict, **kwargs):
	"""The background job of `enqueue_checked`: runs `target` with the request's mark set for the guard."""
	if target not in CHECKED_TARGETS:
		frappe.throw(_("{0} cannot run as a checked job.").format(target))
	frappe.flags[CHECKED_JOB_FLAG] = started_by
	try:
		return frappe.get_attr(target)(**kwargs)
	finally:
		frappe.flags.pop(CHECKED_JOB_FLAG, None)


@frappe.whitelist(methods=["POST"])
def bulk_workflow_approval(docnames: str | list, doctype: str, action: str) -> None:
	"""frappe.model.workflow.bulk_workflow_approval, POST-only; its job carries the request's mark."""
	from frappe.model.workflow import _bulk_workflow_action

	names = _names(docnames)
	if len(names) < INLINE_LIMIT:
		return _bulk_workflow_action(names, doctype, action)
	frappe.msgprint(_("Bulk {0} is enqueued in background.").format(_(action)), alert=True)
	enqueue_checked(
		"frappe.model.workflow._bulk_workflow_action", docnames=names, doctype=doctype, action=action
	)


@frappe.whitelist(methods=["POST"])
def submit_cancel_or_update_docs(
	doctype: str,
	docnames: str | list,
	action: str = "submit",
	data: str | dict | None = None,
	task_id: str | None = None,
) -> list | None:
	"""frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs, POST-only; its job carries
	the request's mark."""
	from frappe.desk.doctype.bulk_update.bulk_update import _bulk_action

	names = _names(docnames)
	if len(names) < INLINE_LIMIT:
		return _bulk_action(doctype, names, action, data, task_id)
	frappe.msgprint(_("Bulk operation is enqueued in background."), alert=True)
	enqueue_checked(
		"frappe.desk.doctype.bulk_update.bulk_update._bulk_action",
		doctype=doctype,
		docnames=names,
		action=action,
		data=data,
		task_id=task_id,
	)


# --- what the guard asks -----------------------------------------------------------------------------


def job_started_by() -> dict | None:
	"""In a background job: the mark of the checked request that started it, else None."""
	return frappe.flags.get(CHECKED_JOB_FLAG)


def in_background_job() -> bool:
	"""Whether this code runs in a frappe background job: the before_job / after_job hooks mark its extent
	(frappe.local.job alone would stay set after a job run in-process)."""
	return bool(frappe.flags.get(JOB_FLAG))


def before_job(method: str | None = None, kwargs=None, transaction_type: str | None = None) -> None:
	"""hooks.before_job: this process now runs a background job."""
	frappe.flags[JOB_FLAG] = method or True


def after_job(method: str | None = None, kwargs=None, result=None) -> None:
	"""hooks.after_job: the job is over."""
	frappe.flags.pop(JOB_FLAG, None)
	frappe.flags.pop(CHECKED_JOB_FLAG, None)
