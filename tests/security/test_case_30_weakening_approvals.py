"""Threat model case 30: weaken approvals (thresholds, levels) without the Process Owner's role → refused;
a case keeps the levels it had when first submitted for approval. And four eyes on agreements: the user who
prepared an agreement cannot activate it.

Over HTTP on a real server: a process manager's PUT of BRM Settings' two-level approval threshold (0 turns
the second level off) is refused and the stored value stays; a process owner may change it. After the owner
lowers the threshold, a large case that was pending keeps needing two approvals, also after Send Back and
being sent again. A process manager who prepared an agreement cannot activate it (the form's action, frappe's
apply_workflow), even after rewriting its Prepared By; another process manager can.
"""

import frappe
import pytest
from frappe.utils import add_days, nowdate

from tests.support.security import (
	HttpUser,
	committed_case,
	exc_type,
	refresh,
	state_of,
	workflow_people_fixture,
)
from tests.support.workflow import set_threshold

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC, AG, SETTINGS = "Business Case", "Customer Agreement", "BRM Settings"
THRESHOLD = "two_level_approval_threshold"
APPLY = "brm_app.api.approvals.apply_action"

people = workflow_people_fixture("c30")


@pytest.fixture(scope="module")
def browsers(server, people):
	return {key: HttpUser(server, getattr(people, key)) for key in ("rm", "pm", "pm2", "po")}


def stored_threshold() -> float:
	refresh()
	return frappe.db.get_single_value(SETTINGS, THRESHOLD, cache=False)


@pytest.fixture
def low_threshold(committed):
	"""Two levels above 500 (the test case costs 1,000)."""
	refresh()
	set_threshold(500)
	frappe.db.commit()  # nosemgrep: the live server reads the committed settings; the module restores them
	yield
	refresh()
	set_threshold(10**12)
	frappe.db.commit()  # nosemgrep: as above


@pytest.mark.parametrize("value", [0, 10**15])
def test_a_process_manager_cannot_change_the_approval_threshold(browsers, value):
	before = stored_threshold()
	put = browsers["pm"].resource("PUT", SETTINGS, SETTINGS, json={THRESHOLD: value})
	assert (put.status_code, exc_type(put)) == (403, "PermissionError"), put.text
	set_value = browsers["pm"].call(
		"frappe.client.set_value", doctype=SETTINGS, name=SETTINGS, fieldname=THRESHOLD, value=value
	)
	assert (set_value.status_code, exc_type(set_value)) == (403, "PermissionError"), set_value.text
	assert stored_threshold() == before
	# the rest of the settings stays the process manager's
	days = frappe.db.get_single_value(SETTINGS, "reminder_after_days", cache=False)
	for value in (days + 1, days):
		other = browsers["pm"].resource("PUT", SETTINGS, SETTINGS, json={"reminder_after_days": value})
		assert other.status_code == 200, other.text
		refresh()
		assert frappe.db.get_single_value(SETTINGS, "reminder_after_days", cache=False) == value


def test_a_process_owner_may_change_the_approval_threshold(browsers, low_threshold):
	put = browsers["po"].resource("PUT", SETTINGS, SETTINGS, json={THRESHOLD: 750})
	assert put.status_code == 200, put.text
	assert stored_threshold() == 750


def approve(browser, case, comment=None):
	return browser.call(APPLY, doctype=BC, docname=case, action="Approve", comment=comment)


def test_a_pending_case_keeps_its_two_levels_after_the_threshold_is_lowered(
	committed, people, browsers, low_threshold
):
	case = committed_case(committed, people).name
	assert frappe.db.get_value(BC, case, ["approval_levels", "first_approval_levels"]) == (2, 2)
	# the owner switches the second level off
	put = browsers["po"].resource("PUT", SETTINGS, SETTINGS, json={THRESHOLD: 0})
	assert put.status_code == 200, put.text
	assert stored_threshold() == 0

	assert approve(browsers["pm"], case).status_code == 200
	assert state_of(BC, case) == ("Pending Final Approval", 0)
	# sent back and sent again: the customer's acceptance of the unchanged case still counts, so it is
	# back in Pending Approval at once (nobody is asked again), and still needs two levels
	back = browsers["po"].call(APPLY, doctype=BC, docname=case, action="Send Back", comment="check the costs")
	assert back.status_code == 200, back.text
	for action in ("Submit for Review", "Send for Customer Sign-off"):
		step = browsers["rm"].call(APPLY, doctype=BC, docname=case, action=action)
		assert step.status_code == 200, step.text
	refresh()
	assert frappe.db.get_value(BC, case, ["workflow_state", "approval_levels"]) == ("Pending Approval", 2)
	assert frappe.db.count("Customer Sign-off", {"business_case": case}) == 1
	assert approve(browsers["pm"], case).status_code == 200
	assert state_of(BC, case) == ("Pending Final Approval", 0)
	assert approve(browsers["po"], case).status_code == 200
	assert state_of(BC, case) == ("Approved", 1)


# --- four eyes on agreements ----------------------------------------------------------------------------


@pytest.fixture
def own_agreement(committed, people, browsers):
	"""An agreement the process manager prepared (over REST) and submitted for sign-off."""
	created = browsers["pm"].resource(
		"POST",
		AG,
		json={
			"agreement_title": "Prepared by the process manager",
			"customer": people.customer,
			"agreement_kind": "Internal",
			"start_date": nowdate(),
			"end_date": add_days(nowdate(), 365),
			"signed_on": nowdate(),
		},
	)
	assert created.status_code == 200, created.text
	name = committed.add(AG, created.json()["data"]["name"])
	refresh()
	assert frappe.db.get_value(AG, name, "prepared_by") == people.pm
	step = browsers["pm"].call(APPLY, doctype=AG, docname=name, action="Submit for Sign-off")
	assert step.status_code == 200, step.text
	return name


def test_the_preparer_of_an_agreement_cannot_activate_it(people, browsers, own_agreement):
	by_form = browsers["pm"].call(APPLY, doctype=AG, docname=own_agreement, action="Activate")
	assert (by_form.status_code, exc_type(by_form)) == (417, "SelfApprovalError"), by_form.text
	doc = frappe.get_doc(AG, own_agreement).as_dict(convert_dates_to_str=True)
	by_frappe = browsers["pm"].call("frappe.model.workflow.apply_workflow", doc=doc, action="Activate")
	assert (by_frappe.status_code, exc_type(by_frappe)) == (417, "SelfApprovalError"), by_frappe.text
	assert state_of(AG, own_agreement) == ("Pending Sign-off", 0)

	# Prepared By is the server's: rewriting it does not help
	browsers["pm"].resource("PUT", AG, own_agreement, json={"prepared_by": people.pm2})
	refresh()
	assert frappe.db.get_value(AG, own_agreement, "prepared_by") == people.pm
	again = browsers["pm"].call(APPLY, doctype=AG, docname=own_agreement, action="Activate")
	assert (again.status_code, exc_type(again)) == (417, "SelfApprovalError"), again.text
	assert state_of(AG, own_agreement) == ("Pending Sign-off", 0)

	# another process manager activates it
	other = browsers["pm2"].call(APPLY, doctype=AG, docname=own_agreement, action="Activate")
	assert other.status_code == 200, other.text
	assert state_of(AG, own_agreement) == ("Active", 1)
