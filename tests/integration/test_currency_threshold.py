"""Amounts compared in one currency (issue 16 point 10): the two-level approval threshold of BRM Settings is
in the default company's currency; a case in another currency is converted with ERPNext's Currency
Exchange records at the case's date before the comparison, and the conversion shows on the case. A
missing rate stops the case from being sent on with a clear error, never a silent 1. A case sent back and
changed (here: its currency) loses the customer's sign-offs. On the real site, real Currency Exchange
records."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_days, flt, getdate, nowdate

from brm_app.exceptions import ApprovalPreconditionError
from tests.support.factories import make_business_case, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import (
	act,
	customer_signs,
	make_approver,
	make_ready,
	open_sign_offs,
	quiet_mail,
	set_threshold,
	to_customer_sign_off,
	to_pending_approval,
)

CASE = "Business Case"
PM, RM = "BRM Process Manager", "Business Relationship Manager"
THRESHOLD = 1_000_000  # in the company's currency; the factory's case costs 1000 in its own currency
CES = "Currency Exchange Settings"


@pytest.fixture
def people():
	quiet_mail()
	set_threshold(THRESHOLD)
	preparer = make_approver(RM)
	portfolio = make_portfolio(relationship_manager=preparer)
	company = frappe.db.get_single_value("Global Defaults", "default_company")
	return SimpleNamespace(
		preparer=preparer,
		customer=portfolio.customer,
		pm=make_approver(PM),
		currency=frappe.db.get_value("Company", company, "default_currency"),
	)


@pytest.fixture
def no_rate_service():
	"""ERPNext asks an exchange-rate web service when it has no Currency Exchange record: off here, so a
	missing rate is missing (and no test reaches the network)."""

	def clear():
		frappe.clear_document_cache(CES, CES)

	frappe.db.set_single_value(CES, "disabled", 1)
	clear()
	frappe.db.after_rollback.add(clear)


def rate(people, from_currency: str, value: float, days: int = -1) -> None:
	"""A Currency Exchange record from `from_currency` into the company's currency, dated today + `days`."""
	frappe.get_doc(
		{
			"doctype": "Currency Exchange",
			"date": add_days(nowdate(), days),
			"from_currency": from_currency,
			"to_currency": people.currency,
			"exchange_rate": value,
			"for_buying": 1,
			"for_selling": 1,
		}
	).insert(ignore_permissions=True)


def new_case(people, **kw):
	with as_user(people.preparer):
		return make_business_case(customer=people.customer, **kw)


def conversion(case) -> tuple:
	return tuple(
		frappe.db.get_value(
			CASE, case.name, ["company_currency", "exchange_rate", "total_cost_company_currency"]
		)
	)


def foreign(people) -> str:
	assert people.currency != "USD"  # the site's company keeps its books in another currency
	return "USD"


# --- the conversion --------------------------------------------------------------------------------------


def test_a_case_in_the_company_currency_is_compared_as_it_is(people):
	case = new_case(people)
	assert conversion(case) == (people.currency, 1.0, 1000.0)
	assert frappe.db.get_value(CASE, case.name, "exchange_rate_date") == getdate(nowdate())
	assert case.approval_levels == 1


def test_a_case_in_another_currency_is_converted_before_the_threshold(no_rate_service, people):
	rate(people, foreign(people), 16_000)
	case = new_case(people, currency=foreign(people))
	assert conversion(case) == (people.currency, 16_000.0, 16_000_000.0)
	assert case.approval_levels == 2  # 1000 USD is 16,000,000 in the company's currency: over the threshold

	case = to_pending_approval(case, people.preparer)
	assert case.approval_levels == 2
	case = act(case, "Approve", people.pm)
	assert case.workflow_state == "Pending Final Approval"


def test_the_rate_of_the_cases_date_is_used(no_rate_service, people):
	usd = foreign(people)
	rate(people, usd, 14_000, days=-30)
	rate(people, usd, 15_000, days=-10)
	rate(people, usd, 99_999, days=1)  # tomorrow's rate is not the case's
	case = new_case(people, currency=usd)
	assert conversion(case)[1] == 15_000.0

	# the case's date is kept as stored, whatever a client sends: an older case keeps its older rate
	frappe.db.set_value(CASE, case.name, "exchange_rate_date", add_days(nowdate(), -20))
	case.reload()
	case.exchange_rate_date = add_days(nowdate(), 1)
	case.save()
	assert frappe.db.get_value(CASE, case.name, "exchange_rate_date") == getdate(add_days(nowdate(), -20))
	assert conversion(case)[1] == 14_000.0


def test_a_client_cannot_set_the_conversion(no_rate_service, people):
	rate(people, foreign(people), 16_000)
	case = new_case(people, currency=foreign(people))
	case.update({"company_currency": "EUR", "exchange_rate": 0.0001, "total_cost_company_currency": 1})
	case.save()
	assert conversion(case) == (people.currency, 16_000.0, 16_000_000.0)
	assert case.approval_levels == 2


def test_a_missing_rate_is_a_clear_error_when_the_case_is_sent_on_never_a_silent_one(no_rate_service, people):
	case = new_case(people, currency="CHF")
	# a draft without a rate can be saved: it is not compared yet, and the conversion shows nothing
	assert conversion(case) == (people.currency, 0.0, 0.0)
	assert case.approval_levels == 2  # it cannot be shown to be under the threshold

	with as_user(people.preparer):
		make_ready(case)
	case = act(case, "Submit for Review", people.preparer)
	with pytest.raises(ApprovalPreconditionError, match="no exchange rate from <strong>CHF</strong> to"):
		act(case, "Send for Customer Sign-off", people.preparer)
	assert frappe.db.get_value(CASE, case.name, "workflow_state") == "Under Review"

	rate(people, "CHF", 18_000)
	case = act(case, "Send for Customer Sign-off", people.preparer)
	assert case.workflow_state == "Customer Sign-off"
	assert conversion(case)[1] == 18_000.0


def test_the_conversion_stays_as_sent_while_the_case_awaits_its_decision(no_rate_service, people):
	usd = foreign(people)
	rate(people, usd, 16_000, days=-1)
	case = to_customer_sign_off(new_case(people, currency=usd), people.preparer)
	rate(people, usd, 1, days=0)  # a new rate for the case's date, after it was sent

	case = customer_signs(case)
	assert case.workflow_state == "Pending Approval"
	assert conversion(case)[1] == 16_000.0
	assert case.approval_levels == 2  # compared as the customer signed it
	case.decision_notes = "Checked"
	case.save()
	assert conversion(case) == (people.currency, 16_000.0, 16_000_000.0)


# --- a changed currency voids the customer's sign-offs -------------------------------------------------------


def test_a_case_sent_back_and_changed_in_currency_loses_its_sign_offs(no_rate_service, people):
	rate(people, foreign(people), 16_000)
	set_threshold(10**12)
	case = to_pending_approval(new_case(people), people.preparer)
	(accepted,) = frappe.get_all(
		"Customer Sign-off", filters={"business_case": case.name, "status": "Accepted"}, pluck="name"
	)
	case = act(case, "Send Back", people.pm, comment="Price it in dollars")
	assert frappe.db.get_value("Customer Sign-off", accepted, "status") == "Accepted"
	assert all(row.signed_off_on for row in case.requirements)

	with as_user(people.preparer):
		case.currency = foreign(people)
		case.save()
	record = frappe.db.get_value("Customer Sign-off", accepted, ["status", "void_reason"], as_dict=True)
	assert record.status == "Voided"
	assert "costs or benefits" in record.void_reason
	case.reload()
	assert not any(row.signed_off_by or row.signed_off_on for row in case.requirements)
	assert flt(case.exchange_rate) == 16_000.0
	assert open_sign_offs(case) == []
