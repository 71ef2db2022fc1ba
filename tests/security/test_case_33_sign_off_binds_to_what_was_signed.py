"""Case 33 (docs/security.md), the other half: a customer sign-off binds to what was signed. Each accepted
sign-off stores a digest of every requirement (text, type, acceptance criteria, priority) and of the case's
money (currency, costs, benefits, discount rate, horizon). A later change that the digests no longer match
voids the sign-offs (status Voided with the reason), the requirement rows are no longer signed, and a case
under review goes back to Draft (the system step Sign-off Voided); so nobody can edit a case the customer
accepted and pass it on as accepted.

Over HTTP against a real server on loopback, as the relationship manager who prepared the case: a case the
customer (two signatories) accepted is sent back by the process manager and submitted for review again,
then changed with a PUT. A change of nothing signed keeps the sign-offs, and the case goes straight on to
Pending Approval when sent for sign-off again; a case sent back and changed asks the customer again.
"""

import frappe
import pytest

from brm_app.signoff import records as rec
from tests.security import test_case_33_nobody_signs_for_the_customer as bypass
from tests.security.test_case_33_nobody_signs_for_the_customer import CASE, SIGN_OFF, case_state, new_case
from tests.support.security import HttpUser, exc_type, refresh, workflow_people_fixture
from tests.support.workflow import act, add_signatory, to_pending_approval

people = workflow_people_fixture("c33d")
made = bypass.made  # a fixture: the module's cases, whose sign-offs are removed at the end
APPLY = "brm_app.api.approvals.apply_action"


@pytest.fixture(scope="module")
def rm(server, people):
	return HttpUser(server, people.rm)


def signed_case(committed, people, made, state: str) -> str:
	"""A case both signatories accepted, sent back by the process manager (Draft), and for "Under
	Review" submitted for review again."""
	refresh()
	frappe.set_user("Administrator")
	case = new_case(committed, people, made)
	add_signatory(case)
	add_signatory(case)
	case = to_pending_approval(case, people.rm)
	assert case.workflow_state == "Pending Approval"
	case = act(case, "Send Back", people.pm, comment="Check the figures")
	if state == "Under Review":
		case = act(case, "Submit for Review", people.rm)
	committed.commit()
	assert case.workflow_state == state
	return case.name


def accepted(case: str) -> list[str]:
	return sorted(
		frappe.get_all(SIGN_OFF, filters={"business_case": case, "status": rec.ACCEPTED}, pluck="name")
	)


def body(case: str) -> dict:
	refresh()
	doc = frappe.get_doc(CASE, case).as_dict(convert_dates_to_str=True)
	return {table: doc[table] for table in ("requirements", "costs", "benefits")} | {
		"discount_rate": doc["discount_rate"],
		"horizon_years": doc["horizon_years"],
	}


def _row(table: str, index: int, **values):
	def change(doc):
		doc[table][index].update(values)

	return change


CHANGES = {
	"requirement-text": _row("requirements", 0, requirement="Service desk answers in 4 hours"),
	"acceptance-criteria": _row("requirements", 1, acceptance_criteria="Any time this year"),
	"priority": _row("requirements", 1, moscow_priority="Could"),
	"requirement-type": _row("requirements", 0, requirement_type="Capacity"),
	"requirement-removed": lambda doc: doc["requirements"].pop(),
	"cost-amount": _row("costs", 0, amount=5000),
	"benefit-amount": _row("benefits", 0, amount=1),
	"discount-rate": lambda doc: doc.update(discount_rate=25),
	"horizon": lambda doc: doc.update(horizon_years=5),
}


def assert_voided(case: str, signed: list[str]) -> None:
	refresh()
	records = frappe.get_all(
		SIGN_OFF, filters={"name": ("in", signed)}, fields=["status", "void_reason"], order_by="name"
	)
	assert [r.status for r in records] == [rec.VOIDED] * len(signed), records
	assert all(r.void_reason for r in records), records
	state = case_state(case)
	assert all(row[1] is None and row[2] is None and row[3] is None for row in state[2]), state
	assert all(s[1] is None for s in state[3]), state


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_change_under_review_voids_the_sign_offs_and_returns_to_draft(committed, people, made, rm, change):
	case = signed_case(committed, people, made, "Under Review")
	signed = accepted(case)
	assert len(signed) == 2 and all(row[1] and row[2] for row in case_state(case)[2])
	doc = body(case)
	CHANGES[change](doc)
	response = rm.resource("PUT", CASE, case, json=doc)
	assert response.status_code == 200, response.text[:500]
	assert_voided(case, signed)
	assert case_state(case)[0] == "Draft"
	log = frappe.get_all(
		"BRM Approval Log",
		filters={"parent": case},
		fields=["action", "state_to"],
		order_by="idx desc",
		limit=1,
	)
	assert (log[0].action, log[0].state_to) == ("Sign-off Voided", "Draft")


def test_a_case_sent_back_unchanged_keeps_its_sign_offs(committed, people, made, rm):
	case = signed_case(committed, people, made, "Under Review")
	signed = accepted(case)
	retitled = rm.resource("PUT", CASE, case, json={"title": "Same case, clearer title"})
	assert retitled.status_code == 200, retitled.text[:500]
	assert accepted(case) == signed and case_state(case)[0] == "Under Review"
	sent = rm.call(APPLY, doctype=CASE, docname=case, action="Send for Customer Sign-off")
	assert sent.status_code == 200, sent.text[:500]
	state = case_state(case)
	# nobody needed asking again: the customer's acceptances still match, so the case moves on
	assert state[0] == "Pending Approval", state
	assert [status for _name, status in state[4]] == [rec.ACCEPTED] * 2, state
	assert all(row[1] and row[2] for row in state[2]), state


def test_a_case_sent_back_and_changed_loses_its_sign_offs(committed, people, made, rm):
	case = signed_case(committed, people, made, "Draft")
	signed = accepted(case)
	doc = body(case)
	CHANGES["requirement-text"](doc)
	changed = rm.resource("PUT", CASE, case, json=doc)
	assert changed.status_code == 200, changed.text[:500]
	assert_voided(case, signed)
	assert case_state(case)[0] == "Draft"
	for action in ("Submit for Review", "Send for Customer Sign-off"):
		sent = rm.call(APPLY, doctype=CASE, docname=case, action=action)
		assert sent.status_code == 200, sent.text[:500]
	state = case_state(case)
	assert state[0] == "Customer Sign-off", state
	assert sorted(status for _name, status in state[4]) == [rec.REQUESTED] * 2 + [rec.VOIDED] * 2, state
	# and it cannot be pushed on: the customer has to sign the changed case
	pushed = rm.call(
		"frappe.client.set_value",
		doctype=CASE,
		name=case,
		fieldname="workflow_state",
		value="Pending Approval",
	)
	assert (pushed.status_code, exc_type(pushed)) == (417, "ApprovalTransitionError"), pushed.text[:500]


def test_removing_a_signatory_voids_only_their_sign_off(committed, people, made, rm):
	"""Only the sign-offs that no longer match are voided: a signatory taken off the case (in Draft) loses
	theirs; the other signatory's acceptance of the same requirements stands."""
	case = signed_case(committed, people, made, "Draft")
	refresh()
	signatories = frappe.get_doc(CASE, case).as_dict(convert_dates_to_str=True)["signatories"]
	kept, dropped = signatories
	response = rm.resource("PUT", CASE, case, json={"signatories": [kept]})
	assert response.status_code == 200, response.text[:500]
	refresh()
	records = {
		r.signatory_contact: r
		for r in frappe.get_all(
			SIGN_OFF,
			filters={"business_case": case},
			fields=["signatory_contact", "status", "void_reason"],
		)
	}
	assert records[kept["contact"]].status == rec.ACCEPTED
	assert records[dropped["contact"]].status == rec.VOIDED
	assert "no longer a signatory" in records[dropped["contact"]].void_reason
