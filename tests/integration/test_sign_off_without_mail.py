"""A site with no outgoing e-mail account: the customer's signatories who sign by e-mailed link cannot be
asked, so Send for Customer Sign-off says so instead of failing inside frappe's mailer; a desk signatory
still gets their ToDo; an acceptance asked when a project completes notes on the case that its link was
not sent (docs/sign-off.md)."""

import frappe
import pytest

from brm_app.api.approvals import apply_action
from brm_app.exceptions import ApprovalPreconditionError
from brm_app.signoff import notify
from brm_app.signoff import records as rec
from tests.support.factories import forget_email_accounts, make_business_case, make_portfolio
from tests.support.users import as_user, make_user
from tests.support.workflow import act, add_signatory, make_ready, open_sign_offs


def without_outgoing_account():
	"""From here on the site has no outgoing account and e-mails are not muted (a real site not set up for
	e-mail); the next test that needs mail mutes it again (tests.support.workflow.quiet_mail)."""
	frappe.db.set_value("Email Account", {"enable_outgoing": 1}, "enable_outgoing", 0)
	frappe.flags.mute_emails = False
	forget_email_accounts()
	frappe.conf.pop("mail_server", None)
	assert not notify.can_send_mail()


def send_for_sign_off(case, rm: str):
	with as_user(rm):
		apply_action("Business Case", case.name, "Send for Customer Sign-off")
	return frappe.get_doc("Business Case", case.name)


def case_under_review(rm: str, desk_signatory: str | None = None):
	customer = make_portfolio(relationship_manager=rm).customer
	with as_user(rm):
		case = make_business_case(customer=customer)
	add_signatory(case, user=desk_signatory)
	make_ready(case)
	act(case, "Submit for Review", rm)  # mutes e-mails with an account, undone below
	without_outgoing_account()
	return case


def test_a_link_signatory_without_an_outgoing_account_is_refused_with_the_reason():
	rm = make_user("rm-nomail@example.com", ("Business Relationship Manager",))
	case = case_under_review(rm)
	with pytest.raises(ApprovalPreconditionError, match="no outgoing e-mail account"):
		send_for_sign_off(case, rm)
	case.reload()
	assert case.workflow_state == "Under Review"
	assert open_sign_offs(case) == []


def test_a_desk_signatory_is_asked_by_todo_without_an_outgoing_account():
	rm = make_user("rm-nomail-desk@example.com", ("Business Relationship Manager",))
	signatory = make_user("signatory-nomail@example.com", ("BRM Customer Signatory",))
	case = case_under_review(rm, desk_signatory=signatory)
	case = send_for_sign_off(case, rm)
	assert case.workflow_state == "Customer Sign-off"
	(sign_off,) = open_sign_offs(case)
	assert frappe.db.get_value(rec.SIGN_OFF, sign_off, "channel") == rec.DESK
	assert frappe.db.exists("ToDo", {"reference_name": sign_off, "allocated_to": signatory, "status": "Open"})
	assert not frappe.db.exists("Email Queue", {"reference_name": sign_off})
