"""A business case waiting too long for a decision (issue 16 point 9; brm_app.jobs.escalation): one
reminder to whoever must act (and their active delegates) after N days (BRM Settings
approval_escalation_days), one notice to the BRM Process Owners (ToDo + e-mail) N days later; idempotent;
cleared by every transition. On the real site: the waiting times are set back in the database."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_days, now_datetime, nowdate

from brm_app.jobs import escalation
from brm_app.signoff.delegation import DELEGATION
from tests.support.factories import make_business_case, make_portfolio, set_brm_settings, uid
from tests.support.survey_mail import queued_mails
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

PM, PO, RM, CS = (
	"BRM Process Manager",
	"BRM Process Owner",
	"Business Relationship Manager",
	"BRM Customer Signatory",
)
CASE = "Business Case"
DAYS = 2
REMINDER = "Waiting for your decision"
NOTICE = "Escalation:"


@pytest.fixture
def people():
	quiet_mail()
	set_threshold(10**12)
	set_brm_settings(approval_escalation_days=DAYS)
	preparer = make_approver(RM)
	portfolio = make_portfolio(relationship_manager=preparer)
	return SimpleNamespace(
		preparer=preparer, customer=portfolio.customer, pm=make_approver(PM), po=make_approver(PO)
	)


def new_case(people, user: str | None = None):
	with as_user(user or people.preparer):
		return make_business_case(customer=people.customer)


def waited(case, field: str, days: float) -> None:
	frappe.db.set_value(CASE, case.name, field, add_days(now_datetime(), -days), update_modified=False)


def mails(case, subject: str) -> list:
	return [mail for mail in queued_mails(case.name, CASE) if subject in mail.subject]


def recipients(case, subject: str) -> set[str]:
	return {recipient for mail in mails(case, subject) for recipient in mail.recipients}


def todos(case, user: str) -> list[str]:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": CASE, "reference_name": case.name, "allocated_to": user},
		pluck="name",
	)


def stored(case, field: str):
	return frappe.db.get_value(CASE, case.name, field)


def pending(people, user: str | None = None):
	return to_pending_approval(new_case(people, user), user or people.preparer)


# --- the reminder ---------------------------------------------------------------------------------------


def test_a_case_waiting_too_long_for_approval_reminds_its_approvers_once(people):
	case = pending(people)
	waited(case, "submitted_for_approval_on", DAYS + 1)
	assert escalation.escalate_waiting_approvals() >= 1
	assert stored(case, "approval_reminded_on")
	to = recipients(case, REMINDER)
	assert people.pm in to
	assert people.po not in to  # one approval level: the process manager decides
	assert people.preparer not in to
	assert len(mails(case, REMINDER)) == len(to)
	assert not stored(case, "approval_escalated_on")  # the notice only comes N days after the reminder

	escalation.escalate_waiting_approvals()
	assert len(mails(case, REMINDER)) == len(to)
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": CASE, "reference_name": case.name, "comment_type": "Info"},
		pluck="content",
	)
	assert len([text for text in comments if "reminder sent to" in text]) == 1


def test_no_reminder_before_the_days_have_passed(people):
	case = pending(people)
	waited(case, "submitted_for_approval_on", DAYS - 1)
	escalation.escalate_waiting_approvals()
	assert not stored(case, "approval_reminded_on")
	assert mails(case, REMINDER) == []


def test_zero_days_turns_the_escalation_off(people):
	set_brm_settings(approval_escalation_days=0)
	case = pending(people)
	waited(case, "submitted_for_approval_on", 30)
	assert escalation.escalate_waiting_approvals() == 0
	assert not stored(case, "approval_reminded_on")
	assert mails(case, REMINDER) == []


def test_the_preparer_and_the_first_approver_get_no_reminder_for_the_final_approval(people):
	set_threshold(500)  # the factory's case costs 1000: two levels
	owner_preparer = make_approver(PO)
	both = make_approver(PM, PO)
	# the preparer stands in for another process owner: still not reminded of their own case
	with as_user(people.po):
		frappe.get_doc(
			{
				"doctype": DELEGATION,
				"delegate": owner_preparer,
				"role": PO,
				"from_date": nowdate(),
				"to_date": add_days(nowdate(), 3),
			}
		).insert()
	case = act(pending(people, owner_preparer), "Approve", both)
	assert case.workflow_state == "Pending Final Approval"
	waited(case, "first_approved_on", DAYS + 1)
	escalation.escalate_waiting_approvals()
	to = recipients(case, REMINDER)
	assert people.po in to
	assert owner_preparer not in to
	assert both not in to
	assert people.pm not in to  # the final approval is the process owner's


def test_a_delegate_of_an_approver_is_reminded_too(people):
	"""A process manager's stand-in holds the role anyway; the reminder tells them whom they stand in for."""
	stand_in = make_approver(PM)
	with as_user(people.pm):
		frappe.get_doc(
			{
				"doctype": DELEGATION,
				"delegate": stand_in,
				"role": PM,
				"from_date": nowdate(),
				"to_date": add_days(nowdate(), 3),
			}
		).insert()
	case = pending(people)
	waited(case, "submitted_for_approval_on", DAYS + 1)
	escalation.escalate_waiting_approvals()
	assert {people.pm, stand_in} <= recipients(case, REMINDER)


# --- the customer's desk signatories ---------------------------------------------------------------------


def desk_signatory_case(people):
	signer = insert_user(f"{uid('signer-')}@example.com", (CS,))
	case = new_case(people)
	add_signatory(case, user=signer)
	case = to_customer_sign_off(case, people.preparer)
	(sign_off,) = open_sign_offs(case)
	assert frappe.db.get_value("Customer Sign-off", sign_off, "channel") == "Desk"
	return case, signer, sign_off


def delegation(delegator: str, to: str, start: int, end: int) -> None:
	with as_user(delegator):
		frappe.get_doc(
			{
				"doctype": DELEGATION,
				"delegate": to,
				"role": CS,
				"from_date": add_days(nowdate(), start),
				"to_date": add_days(nowdate(), end),
			}
		).insert()


def test_a_desk_signatory_and_their_active_delegate_are_reminded(people):
	case, signer, sign_off = desk_signatory_case(people)
	stand_in = insert_user(f"{uid('stand-in-')}@example.com", (CS,))
	former = insert_user(f"{uid('former-')}@example.com", (CS,))
	delegation(signer, stand_in, -1, 3)
	delegation(signer, former, -10, -2)
	waited(case, "customer_sign_off_started_on", DAYS + 1)
	escalation.escalate_waiting_approvals()
	assert recipients(case, REMINDER) == {signer, stand_in}
	(to_stand_in,) = [mail for mail in mails(case, REMINDER) if mail.recipients == [stand_in]]
	assert "delegate of" in to_stand_in.html
	assert f"/app/customer-sign-off/{sign_off}" in to_stand_in.html  # the record they decide


def test_a_case_waiting_only_for_e_mailed_links_is_left_to_their_own_reminders(people):
	case = to_customer_sign_off(new_case(people), people.preparer)  # an e-mail signatory
	assert frappe.db.get_value("Customer Sign-off", open_sign_offs(case)[0], "channel") == "E-mail Link"
	waited(case, "customer_sign_off_started_on", DAYS + 5)
	escalation.escalate_waiting_approvals()
	assert not stored(case, "approval_reminded_on")
	assert mails(case, REMINDER) == []


def test_an_undecided_desk_sign_off_is_escalated_and_stamped(people):
	case, _signer, sign_off = desk_signatory_case(people)
	waited(case, "customer_sign_off_started_on", 2 * DAYS + 2)
	escalation.escalate_waiting_approvals()
	assert stored(case, "approval_reminded_on")
	assert not frappe.db.get_value("Customer Sign-off", sign_off, "escalated_on")
	waited(case, "approval_reminded_on", DAYS + 1)
	escalation.escalate_waiting_approvals()
	assert frappe.db.get_value("Customer Sign-off", sign_off, "escalated_on")
	assert len(todos(case, people.po)) == 1


# --- the notice to the process owners ----------------------------------------------------------------------


def test_after_another_n_days_the_process_owners_get_a_todo_and_an_email_once(people):
	case = pending(people)
	waited(case, "submitted_for_approval_on", 3 * DAYS)
	escalation.escalate_waiting_approvals()
	assert todos(case, people.po) == []  # the reminder first

	waited(case, "approval_reminded_on", DAYS - 1)
	escalation.escalate_waiting_approvals()
	assert not stored(case, "approval_escalated_on")
	assert todos(case, people.po) == []

	waited(case, "approval_reminded_on", DAYS + 1)
	escalation.escalate_waiting_approvals()
	assert stored(case, "approval_escalated_on")
	assert len(todos(case, people.po)) == 1
	assert people.po in recipients(case, NOTICE)
	assert people.pm not in recipients(case, NOTICE)

	escalation.escalate_waiting_approvals()
	assert len(todos(case, people.po)) == 1
	assert len([mail for mail in mails(case, NOTICE) if people.po in mail.recipients]) == 1


# --- the record of it ------------------------------------------------------------------------------------------


def test_every_transition_clears_the_escalation_and_no_client_sets_it(people):
	case = pending(people)
	waited(case, "approval_reminded_on", 1)
	waited(case, "approval_escalated_on", 0)
	case = act(case, "Send Back", people.pm, comment="More detail")
	assert (stored(case, "approval_reminded_on"), stored(case, "approval_escalated_on")) == (None, None)

	case.approval_reminded_on = now_datetime()
	case.approval_escalated_on = now_datetime()
	case.save()
	assert (stored(case, "approval_reminded_on"), stored(case, "approval_escalated_on")) == (None, None)


def test_the_escalation_runs_daily():
	assert (
		"brm_app.jobs.escalation.escalate_waiting_approvals" in frappe.get_hooks("scheduler_events")["daily"]
	)
