"""Threat model case 25: approve, submit or cancel through a GET, or through a bulk action run as a
background job, → refused.

frappe 15.44's bulk approval (`frappe.model.workflow.bulk_workflow_approval`) and bulk submit / cancel /
update (`frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs`) accept GET and, from 20
documents on, enqueue the work: in the job there is no request any more, so a GET that a process manager's
browser sends by itself (an `<img src=…>` of that URL) approved a case. Over HTTP on a real server, as a
logged-in process manager: those GETs, and a POST without the CSRF token, are refused, and the case is still
pending after the site's job queue has been run to the end (tests.support.jobs). The same bulk approval
sent as the desk sends it (POST with the CSRF token) runs in a job and approves; a job that a path other
than brm_app's checked bulk actions enqueued cannot approve (the guard refuses transitions in jobs that
do not carry a checked request's mark).
"""

import frappe
import pytest
import requests

from tests.support.jobs import queued_site_jobs, run_site_jobs
from tests.support.security import (
	HttpUser,
	committed_agreement,
	committed_case,
	exc_type,
	state_of,
	workflow_people_fixture,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC, AG = "Business Case", "Customer Agreement"
BULK_APPROVAL = "frappe.model.workflow.bulk_workflow_approval"
BULK_SUBMIT = "frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs"
# frappe runs a bulk action in a background job from this many documents on
IN_A_JOB = 20

people = workflow_people_fixture("c25")


@pytest.fixture(scope="module")
def manager(server, people):
	return HttpUser(server, people.pm)


@pytest.fixture(autouse=True)
def empty_queue(site):
	"""No job of an earlier test left in the site's queue, and none left behind."""
	run_site_jobs(site)
	yield
	run_site_jobs(site)


def bulk_params(method: str, doctype: str, name: str) -> dict:
	names = [name] * IN_A_JOB
	if method == BULK_APPROVAL:
		return {"docnames": names, "doctype": doctype, "action": "Approve"}
	return {"docnames": names, "doctype": doctype, "action": "submit"}


@pytest.mark.parametrize("method", [BULK_APPROVAL, BULK_SUBMIT])
def test_a_bulk_approval_over_get_approves_nothing_even_in_its_job(site, committed, people, manager, method):
	case = committed_case(committed, people)
	response = manager.get_method(method, **bulk_params(method, BC, case.name))
	assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text
	assert queued_site_jobs(site) == []
	run_site_jobs(site)
	assert state_of(BC, case.name) == ("Pending Approval", 0)
	assert not frappe.db.get_value(BC, case.name, "approver")


def test_a_bulk_activation_of_an_agreement_over_get_activates_nothing(site, committed, people, manager):
	agreement = committed_agreement(committed, people)
	response = manager.get_method(BULK_SUBMIT, **bulk_params(BULK_SUBMIT, AG, agreement.name))
	assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text
	run_site_jobs(site)
	assert state_of(AG, agreement.name) == ("Pending Sign-off", 0)


def test_an_img_src_of_the_bulk_approval_url_approves_nothing(site, server, committed, people, manager):
	"""What a browser sends for `<img src="/api/method/…bulk_workflow_approval?…">` in a page of the site: a
	GET with the session cookie, an image Accept header, no CSRF header."""
	case = committed_case(committed, people)
	params = {
		k: frappe.as_json(v) if isinstance(v, list) else v
		for k, v in bulk_params(BULK_APPROVAL, BC, case.name).items()
	}
	image = requests.Request(
		"GET",
		f"{server.url}/api/method/{BULK_APPROVAL}",
		params=params,
		headers={
			"Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
			"Sec-Fetch-Dest": "image",
			"Sec-Fetch-Mode": "no-cors",
			"Sec-Fetch-Site": "same-origin",
			"Referer": f"{server.url}/app/business-case/{case.name}",
		},
		cookies=manager.session.cookies,
	).prepare()
	response = requests.Session().send(image, timeout=120)
	assert response.status_code == 403, response.text
	run_site_jobs(site)
	assert state_of(BC, case.name) == ("Pending Approval", 0)


@pytest.mark.parametrize("method", [BULK_APPROVAL, BULK_SUBMIT])
def test_a_bulk_approval_posted_without_the_csrf_token_is_refused(
	site, server, committed, people, manager, method
):
	case = committed_case(committed, people)
	data = {
		k: frappe.as_json(v) if isinstance(v, list) else v
		for k, v in bulk_params(method, BC, case.name).items()
	}
	response = manager.session.post(f"{server.url}/api/method/{method}", data=data, timeout=120)
	assert (response.status_code, exc_type(response)) == (400, "CSRFTokenError"), response.text
	run_site_jobs(site)
	assert state_of(BC, case.name) == ("Pending Approval", 0)


def test_the_desks_bulk_approval_runs_in_a_job_and_approves(site, committed, people, manager):
	"""The same bulk approval as the desk sends it (POST, CSRF token): queued, and the job approves as the
	process manager, so the refusals above are about how the request came, not about bulk approval."""
	case = committed_case(committed, people)
	response = manager.call(BULK_APPROVAL, **bulk_params(BULK_APPROVAL, BC, case.name))
	assert response.status_code == 200, response.text
	assert queued_site_jobs(site) == ["brm_app.approvals.bulk.run_checked"]
	assert state_of(BC, case.name) == ("Pending Approval", 0)
	assert run_site_jobs(site) >= 1
	assert state_of(BC, case.name) == ("Approved", 1)
	assert frappe.db.get_value(BC, case.name, "approver") == people.pm


def test_a_job_that_no_checked_request_started_cannot_approve(site, committed, people):
	"""Any other path that enqueues an approval as the user (frappe's own bulk job here, queued as the
	process manager without brm_app's checked wrapper) is refused inside the job."""
	case = committed_case(committed, people)
	frappe.set_user(people.pm)
	try:
		frappe.enqueue(
			"frappe.model.workflow._bulk_workflow_action",
			queue="short",
			docnames=[case.name],
			doctype=BC,
			action="Approve",
		)
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()  # nosemgrep: the job is queued in Redis; nothing else is written
	assert queued_site_jobs(site) == ["frappe.model.workflow._bulk_workflow_action"]
	assert run_site_jobs(site) == 1
	assert state_of(BC, case.name) == ("Pending Approval", 0)
	logged = frappe.get_all(
		"Error Log",
		filters={"method": f"Workflow Approve threw an error for {BC} {case.name}"},
		pluck="error",
	)
	assert any("checked POST request" in error for error in logged), logged
