"""docs/security.md case 8: writes over GET (approve, sign off, submit survey) → refused (`methods=["POST"]`).

frappe 15.44 accepts GET for its own `apply_workflow` and `bulk_workflow_approval`, and its e-mailed
"confirm" link applies a workflow action over GET without a login: the app must refuse those on its own.

Over HTTP on a real server: every whitelisted function of brm_app (found by importing every module of the
app, so a new one is covered automatically) is POST-only unless it is a known read, and a GET to each is
refused; frappe's workflow endpoints over GET, and its e-mail links, leave the document where it was; the
survey endpoint over GET stores nothing.
"""

import frappe
import pytest
import requests
from frappe.utils import get_url
from frappe.utils.verified_command import get_signed_params

from tests.support import app_modules
from tests.support.security import (
	GOOD,
	SUBMIT,
	HttpUser,
	answers_for,
	committed_case,
	exc_type,
	new_link,
	restore_threshold,
	state_of,
	survey_customer,
)
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC = "Business Case"
# whitelisted functions of brm_app that only read and are not marked so (see `reads`)
READS = {"brm_app.api.approvals.pending_approval_states", "brm_app.api.sign_off.desk_actions"}


def read_only(fn) -> bool:
	"""Whether frappe.read_only() is among the decorators of `fn` (frappe's own wrap it further)."""
	while fn is not None:
		if "read_only" in getattr(getattr(fn, "__code__", None), "co_qualname", ""):
			return True
		fn = getattr(fn, "__wrapped__", None)
	return False


def reads(found: dict[str, object]) -> set[str]:
	"""The whitelisted functions that may be called with GET: the explicit READS, those wrapped in
	frappe.read_only() (number cards), and the replacements of frappe endpoints (hooks
	override_whitelisted_methods) the desk calls with GET, e.g. get_count, link search, frappe's e-mailed
	workflow confirm link (which must not act: test_the_e_mailed_workflow_links_do_not_act)."""
	overrides = {
		path for paths in frappe.get_hooks("override_whitelisted_methods").values() for path in paths
	}
	marked = {path for path, fn in found.items() if read_only(fn)}
	return (READS | marked | overrides) & set(found)


def brm_whitelisted() -> dict[str, object]:
	"""Dotted path -> function of every whitelisted function defined in brm_app (the controllers' too)."""
	return app_modules.whitelisted()


@pytest.fixture(scope="module")
def people(committed, server):
	from tests.support.security import workflow_people

	people = workflow_people(committed, "c08")
	yield people
	restore_threshold(people)


@pytest.fixture(scope="module")
def manager(server, people):
	return HttpUser(server, people.pm)


def test_every_whitelisted_function_that_writes_is_post_only(site):
	found = brm_whitelisted()
	assert "brm_app.api.survey.submit" in found and "brm_app.api.approvals.apply_action" in found
	assert "brm_app.brm_app.doctype.customer_agreement.customer_agreement.terminate_agreement" in found
	assert READS <= set(found)
	allowed_get = reads(found)
	assert "brm_app.api.approvals.confirm_workflow_action" in allowed_get
	assert "brm_app.api.approvals.apply_action" not in allowed_get
	not_post_only = sorted(
		path
		for path, fn in found.items()
		if path not in allowed_get and frappe.allowed_http_methods_for_whitelisted_func.get(fn) != ["POST"]
	)
	assert not_post_only == []


def test_a_get_to_each_post_only_function_is_refused(site, manager):
	refused = {}
	found = brm_whitelisted()
	allowed_get = reads(found)
	for path, fn in found.items():
		if path in allowed_get:
			continue
		if "." in fn.__qualname__:  # a document method: reached through run_doc_method
			response = manager.get_method(
				"run_doc_method", dt="BRM Settings", dn="BRM Settings", method=fn.__name__
			)
		else:
			response = manager.get_method(path)
		refused[path] = (response.status_code, exc_type(response))
	assert refused
	assert set(refused.values()) == {(403, "PermissionError")}, refused


def test_frappes_apply_workflow_over_get_is_refused(committed, people, manager):
	case = committed_case(committed, people)
	doc = frappe.get_doc(BC, case.name).as_dict(convert_dates_to_str=True)
	response = manager.get_method("frappe.model.workflow.apply_workflow", doc=doc, action="Approve")
	assert response.status_code == 403, response.text
	assert "POST" in response.text
	assert state_of(BC, case.name) == ("Pending Approval", 0)
	# the same approval sent with POST goes through: it was the method that was refused
	posted = manager.call("frappe.model.workflow.apply_workflow", doc=doc, action="Approve")
	assert posted.status_code == 200, posted.text
	assert state_of(BC, case.name) == ("Approved", 1)


def test_frappes_bulk_approval_over_get_approves_nothing(committed, people, manager):
	case = committed_case(committed, people)
	response = manager.get_method(
		"frappe.model.workflow.bulk_workflow_approval", docnames=[case.name], doctype=BC, action="Approve"
	)
	# brm_app's replacement (brm_app.approvals.bulk) is POST-only: frappe refuses the GET before it runs
	assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text
	assert state_of(BC, case.name) == ("Pending Approval", 0)


@pytest.mark.parametrize("method", ["confirm_action", "apply_action"])
def test_the_e_mailed_workflow_links_do_not_act(committed, people, server, method):
	case = committed_case(committed, people)
	frappe.db.rollback()
	params = {"action": "Approve", "doctype": BC, "docname": case.name, "user": people.pm}
	if method == "apply_action":
		params.update({"current_state": "Pending Approval", "last_modified": str(case.modified)})
	path = f"/api/method/frappe.workflow.doctype.workflow_action.workflow_action.{method}"
	link = get_url(path + "?" + get_signed_params(params)).replace(get_url(), server.url)
	response = requests.get(link, timeout=60)  # the approver clicks it, not logged in
	assert response.status_code == 200, response.text
	assert state_of(BC, case.name) == ("Pending Approval", 0)
	assert not frappe.db.get_value(BC, case.name, "approver")


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	return survey_customer(committed, "brm-sec-c08-survey-rm@example.com")


def test_submitting_a_survey_over_get_is_refused(server, committed, customer, fresh_limits):
	survey, link = new_link(committed, customer)
	response = requests.get(
		server.url + SUBMIT,
		params={"token": token_of(link), "answers": frappe.as_json(answers_for(survey, GOOD))},
		headers={"Accept": "application/json"},
		timeout=30,
	)
	assert response.status_code == 403, response.text[:500]
	frappe.db.rollback()
	assert frappe.db.get_value("Satisfaction Survey", survey, "status") == "Sent"
