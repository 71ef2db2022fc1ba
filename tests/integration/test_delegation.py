"""Approvers who are away (issue 16 point 9): BRM Approval Delegation, its rules and access, a customer
signatory's delegate deciding a desk sign-off "on behalf of", an internal approver's delegate recorded in
the approval log, and the preparer never acting as a delegate. On the real site, as real users."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.api import sign_off as sign_off_api
from brm_app.exceptions import SelfApprovalError
from brm_app.signoff import delegation
from brm_app.signoff.delegation import DELEGATION, DelegationError
from tests.support.factories import make_business_case, make_portfolio, uid
from tests.support.users import as_user, insert_user
from tests.support.workflow import (
	act,
	add_signatory,
	make_approver,
	open_sign_offs,
	quiet_mail,
	set_threshold,
	to_customer_sign_off,
	to_pending_approval,
)

PM, PO, RM = "BRM Process Manager", "BRM Process Owner", "Business Relationship Manager"
CS = "BRM Customer Signatory"
SYSTEM_MANAGER = "System Manager"


def signatory_user(*extra_roles: str) -> str:
	return insert_user(f"{uid('signatory-')}@example.com", (CS, *extra_roles))


def delegate(delegator: str, to: str, role: str, start: int = -1, end: int = 5, **kw):
	"""A delegation from `delegator` to `to` for `role`, from today + `start` to today + `end` days, saved
	by `kw.pop("by", delegator)`."""
	by = kw.pop("by", delegator)
	with as_user(by):
		return frappe.get_doc(
			{
				"doctype": DELEGATION,
				"delegator": delegator,
				"delegate": to,
				"role": role,
				"from_date": add_days(nowdate(), start),
				"to_date": add_days(nowdate(), end),
				"reason": "Leave",
				**kw,
			}
		).insert()


@pytest.fixture
def people():
	quiet_mail()
	set_threshold(10**12)
	preparer = make_approver(RM)
	portfolio = make_portfolio(relationship_manager=preparer)
	return SimpleNamespace(preparer=preparer, customer=portfolio.customer, pm=make_approver(PM))


def new_case(people, user: str | None = None):
	with as_user(user or people.preparer):
		return make_business_case(customer=people.customer)


# --- the record's rules --------------------------------------------------------------------------------


def test_the_delegator_is_the_session_user_by_default(people):
	stand_in = make_approver(PM)
	with as_user(people.pm):
		doc = frappe.get_doc(
			{
				"doctype": DELEGATION,
				"delegate": stand_in,
				"role": PM,
				"from_date": nowdate(),
				"to_date": add_days(nowdate(), 3),
			}
		).insert()
	assert doc.delegator == people.pm


def test_a_delegation_cannot_end_before_it_starts(people):
	with pytest.raises(DelegationError, match="before it starts"):
		delegate(people.pm, make_approver(PM), PM, start=3, end=1)


def test_the_delegate_must_hold_the_role_delegated(people):
	manager_only = make_approver(PM)
	with pytest.raises(DelegationError, match="does not hold the role"):
		delegate(people.pm, make_approver(RM), PM)
	with pytest.raises(DelegationError, match="does not hold the role"):
		delegate(people.pm, manager_only, PO, by="Administrator")


def test_the_delegator_must_hold_the_role_delegated(people):
	owner = make_approver(PO)
	with pytest.raises(DelegationError, match="does not hold the role"):
		delegate(people.pm, owner, PO)


def test_nobody_delegates_to_themselves(people):
	with pytest.raises(DelegationError, match="themselves"):
		delegate(people.pm, people.pm, PM)


def test_a_customer_signatory_delegates_only_to_the_customers_people(people):
	with pytest.raises(DelegationError, match="role of the provider"):
		delegate(signatory_user(), signatory_user(PM), CS)


def test_a_disabled_user_is_no_delegate(people):
	stand_in = make_approver(PM)
	frappe.db.set_value("User", stand_in, "enabled", 0)
	with pytest.raises(DelegationError, match="enabled user"):
		delegate(people.pm, stand_in, PM)


# --- who writes and who reads it ----------------------------------------------------------------------


def test_only_the_delegator_creates_their_delegation(people):
	other_manager = make_approver(PM)
	with pytest.raises(frappe.PermissionError):
		delegate(people.pm, make_approver(PM), PM, by=other_manager)
	# the permission hook refuses it, and the controller too (a save that skips the permission check)
	draft = frappe.get_doc(
		{
			"doctype": DELEGATION,
			"delegator": people.pm,
			"delegate": make_approver(PM),
			"role": PM,
			"from_date": nowdate(),
			"to_date": nowdate(),
		}
	)
	assert not frappe.has_permission(DELEGATION, "create", doc=draft, user=other_manager)
	with as_user(other_manager), pytest.raises(frappe.PermissionError):
		draft.insert(ignore_permissions=True)
	assert not frappe.db.exists(DELEGATION, {"delegator": people.pm})
	# a process owner may arrange it for them
	doc = delegate(people.pm, make_approver(PM), PM, by=make_approver(PO))
	assert doc.delegator == people.pm


def test_only_the_delegator_changes_or_deletes_their_delegation(people):
	stand_in = make_approver(PM)
	doc = delegate(people.pm, stand_in, PM)
	# the delegate cannot lengthen it, nor take it over by naming themselves the delegator
	with as_user(stand_in), pytest.raises(frappe.PermissionError):
		frappe.get_doc(DELEGATION, doc.name).update({"to_date": add_days(nowdate(), 90)}).save()
	other = make_approver(PM)
	with as_user(other), pytest.raises(frappe.PermissionError):
		frappe.get_doc(DELEGATION, doc.name).update({"delegator": other, "delegate": stand_in}).save()
	with as_user(stand_in), pytest.raises(frappe.PermissionError):
		frappe.delete_doc(DELEGATION, doc.name)
	assert frappe.db.get_value(DELEGATION, doc.name, ["delegator", "to_date"]) == (
		people.pm,
		frappe.utils.getdate(add_days(nowdate(), 5)),
	)
	with as_user(people.pm):
		frappe.delete_doc(DELEGATION, doc.name)
	assert not frappe.db.exists(DELEGATION, doc.name)


def test_a_user_sees_the_delegations_they_gave_or_received(people):
	giver, taker, stranger = signatory_user(), signatory_user(), signatory_user()
	mine = delegate(giver, taker, CS)
	theirs = delegate(stranger, signatory_user(), CS)
	for user in (giver, taker):
		with as_user(user):
			listed = set(frappe.get_list(DELEGATION, pluck="name"))
			assert mine.name in listed
			assert theirs.name not in listed
			assert frappe.has_permission(DELEGATION, "read", doc=mine.name)
			assert not frappe.has_permission(DELEGATION, "read", doc=theirs.name)
	with as_user(stranger):
		assert mine.name not in set(frappe.get_list(DELEGATION, pluck="name"))
		assert not frappe.has_permission(DELEGATION, "read", doc=mine.name)
	# full access: the process manager sees every delegation (but writes only their own)
	with as_user(people.pm):
		assert {mine.name, theirs.name} <= set(frappe.get_list(DELEGATION, pluck="name"))
		assert not frappe.has_permission(DELEGATION, "write", doc=mine.name)


# --- a customer signatory's delegate ------------------------------------------------------------------


def desk_sign_off(people, signer: str):
	"""A case of the people's preparer in Customer Sign-off, asking `signer` (a desk user) in the desk and
	a second signatory by e-mail (so that one decision leaves the case waiting for the other)."""
	case = new_case(people)
	add_signatory(case, user=signer)
	add_signatory(case)
	case = to_customer_sign_off(case, people.preparer)
	(name,) = [
		n for n in open_sign_offs(case) if frappe.db.get_value("Customer Sign-off", n, "channel") == "Desk"
	]
	assert frappe.db.get_value("Customer Sign-off", name, "signatory_user") == signer
	return case, name


def accept_all(name: str) -> dict:
	record = frappe.get_doc("Customer Sign-off", name)
	return {row.requirement_row: {"decision": "Accepted"} for row in record.decisions}


def test_a_delegate_decides_a_desk_sign_off_on_behalf_of_the_signatory(people):
	signer, stand_in = signatory_user(), signatory_user()
	case, name = desk_sign_off(people, signer)
	delegate(signer, stand_in, CS)
	with as_user(stand_in):
		assert frappe.has_permission("Customer Sign-off", "read", doc=name)
		assert name in frappe.get_list("Customer Sign-off", pluck="name")
		result = sign_off_api.decide(name, accept_all(name))
	assert result["status"] == "Accepted"
	record = frappe.db.get_value("Customer Sign-off", name, ["decided_by", "on_behalf_of"], as_dict=True)
	assert (record.decided_by, record.on_behalf_of) == (stand_in, signer)
	signatory = next(
		row for row in frappe.get_doc("Business Case", case.name).signatories if row.user == signer
	)
	assert signatory.sign_off_status == "Accepted"


@pytest.mark.parametrize("start, end", [(-10, -1), (2, 10)], ids=["ended", "not-yet-started"])
def test_a_delegation_outside_its_dates_gives_nothing(people, start, end):
	signer, stand_in = signatory_user(), signatory_user()
	_case, name = desk_sign_off(people, signer)
	delegate(signer, stand_in, CS, start=start, end=end)
	with as_user(stand_in):
		assert not frappe.has_permission("Customer Sign-off", "read", doc=name)
		assert name not in frappe.get_list("Customer Sign-off", pluck="name")
		with pytest.raises(frappe.PermissionError):
			sign_off_api.decide(name, accept_all(name))
	assert frappe.db.get_value("Customer Sign-off", name, "status") == "Requested"


def test_a_delegate_who_lost_the_role_decides_nothing(people):
	signer, stand_in = signatory_user(), signatory_user()
	_case, name = desk_sign_off(people, signer)
	delegate(signer, stand_in, CS)
	frappe.db.delete("Has Role", {"parent": stand_in, "role": CS})
	frappe.clear_cache(user=stand_in)
	assert delegation.acting_for(stand_in, frappe.get_doc("Customer Sign-off", name)) is None


def test_a_delegate_never_decides_a_case_they_prepared(people):
	signer, stand_in = signatory_user(), signatory_user()
	case, name = desk_sign_off(people, signer)
	delegate(signer, stand_in, CS)
	# the delegate is recorded as the case's preparer (e.g. an internal customer who drafted it)
	frappe.db.set_value("Business Case", case.name, "prepared_by", stand_in)
	with as_user(stand_in), pytest.raises(frappe.PermissionError):
		sign_off_api.decide(name, accept_all(name))
	assert frappe.db.get_value("Customer Sign-off", name, "status") == "Requested"


# --- an internal approver's delegate -------------------------------------------------------------------


def pending_case(people, preparer: str | None = None):
	case = new_case(people, preparer)
	return to_pending_approval(case, preparer or people.preparer)


def test_an_approval_by_a_delegate_is_logged_on_behalf_of_the_delegator(people):
	stand_in = make_approver(PM)
	delegate(people.pm, stand_in, PM)
	case = act(pending_case(people), "Approve", stand_in)
	assert case.workflow_state == "Approved"
	row = case.approval_log[-1]
	assert (row.action, row.user, row.on_behalf_of) == ("Approve", stand_in, people.pm)
	timeline = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Business Case", "reference_name": case.name, "comment_type": "Info"},
		pluck="content",
	)
	assert any(people.pm in text and "delegation" in text for text in timeline)


def test_an_approval_without_a_delegation_is_logged_for_the_approver_alone(people):
	stand_in = make_approver(PM)
	# a delegation that ended does not count
	delegate(people.pm, stand_in, PM, start=-9, end=-2)
	case = act(pending_case(people), "Approve", stand_in)
	assert case.approval_log[-1].on_behalf_of is None


def test_a_preparer_who_is_a_delegate_still_cannot_approve_their_case(people):
	preparer_manager = make_approver(PM)
	delegate(people.pm, preparer_manager, PM)
	case = pending_case(people, preparer_manager)
	with pytest.raises(SelfApprovalError):
		act(case, "Approve", preparer_manager)
	assert frappe.db.get_value("Business Case", case.name, "workflow_state") == "Pending Approval"
	# what they may do to their own case (send it back) they do as themselves, never as a delegate
	case = act(case, "Send Back", preparer_manager, comment="More detail")
	assert (case.approval_log[-1].action, case.approval_log[-1].on_behalf_of) == ("Send Back", None)


def test_nobody_approves_on_behalf_of_the_preparer(people):
	"""The delegator prepared the case: they could not approve it, so their delegate approves it as
	themselves, not for them."""
	preparer_manager, stand_in = make_approver(PM), make_approver(PM)
	delegate(preparer_manager, stand_in, PM)
	case = act(pending_case(people, preparer_manager), "Approve", stand_in)
	assert case.workflow_state == "Approved"
	assert case.approval_log[-1].on_behalf_of is None


def test_a_client_cannot_write_on_behalf_of_into_the_log(people):
	case = pending_case(people)
	case.approval_log[-1].on_behalf_of = people.pm
	case.decision_notes = "noted"
	case.save()
	assert frappe.db.get_value("BRM Approval Log", case.approval_log[-1].name, "on_behalf_of") is None
