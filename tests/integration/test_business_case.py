"""Business Case rules (docs/design.md "Business Case", docs/security.md cases 6, 7, 8, 17)."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from brm_app.brm_app.doctype.business_case.business_case import (
	MAX_LONG_TEXT,
	all_requirements_signed_off,
	payback_label,
)
from brm_app.controllers.customer_linked import MissingPortfolioError
from brm_app.exceptions import (
	BusinessCaseFinanceError,
	BusinessCaseOpportunityError,
	BusinessCaseSizeError,
	FundingError,
	PreparedByChangeError,
	SignatoryError,
)
from tests.support.factories import (
	make_business_case,
	make_contact,
	make_customer,
	make_opportunity,
	make_portfolio,
	uid,
)
from tests.support.formats import ENGLISH, INDONESIAN, number_format
from tests.support.users import as_role, as_user, make_user
from tests.support.workflow import (
	RELATIONSHIP_MANAGER,
	act,
	approve_business_case,
	customer_signs,
	make_approver,
	stakeholder_contact,
	to_customer_sign_off,
	to_pending_approval,
)

MANAGER = "BRM Process Manager"


def _cost(amount, year=0):
	return {"description": "Cost", "cost_type": "Capex", "year": year, "amount": amount}


def _benefit(amount, year=1):
	return {"description": "Benefit", "benefit_type": "Cost Saving", "year": year, "amount": amount}


# 1. portfolio and opportunity


def test_case_takes_portfolio_and_relationship_manager_of_its_customer():
	manager = make_user(f"{uid('rm')}@example.com", ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=manager)
	case = make_business_case(customer=portfolio.customer)
	assert case.portfolio == portfolio.name
	assert case.relationship_manager == manager
	assert case.customer_name == frappe.db.get_value("Customer", portfolio.customer, "customer_name")


def test_case_for_customer_without_portfolio_is_refused():
	customer = make_customer().name
	frappe.db.delete("Customer Portfolio", {"customer": customer})  # in case one was made automatically
	with pytest.raises(MissingPortfolioError):
		make_business_case(customer=customer)


def test_opportunity_of_another_customer_is_refused():
	opportunity = make_opportunity()
	other_customer = make_portfolio().customer
	with pytest.raises(BusinessCaseOpportunityError):
		make_business_case(customer=other_customer, service_opportunity=opportunity.name)


@pytest.mark.parametrize("status", ["New", "Assessing"])
def test_open_opportunity_is_linked_and_moves_to_business_case(status):
	opportunity = make_opportunity()
	frappe.db.set_value("Service Opportunity", opportunity.name, "status", status)
	case = make_business_case(customer=opportunity.customer, service_opportunity=opportunity.name)
	stored = frappe.db.get_value(
		"Service Opportunity", opportunity.name, ["business_case", "status"], as_dict=True
	)
	assert stored.business_case == case.name
	assert stored.status == "Business Case"


def test_opportunity_further_on_is_linked_but_keeps_its_status():
	opportunity = make_opportunity()
	frappe.db.set_value("Service Opportunity", opportunity.name, "status", "In Delivery")
	case = make_business_case(customer=opportunity.customer, service_opportunity=opportunity.name)
	stored = frappe.db.get_value(
		"Service Opportunity", opportunity.name, ["business_case", "status"], as_dict=True
	)
	assert stored.business_case == case.name
	assert stored.status == "In Delivery"


# 2. prepared by


def test_prepared_by_is_the_creating_user_whatever_the_client_sends():
	other = make_user(f"{uid('other')}@example.com", (MANAGER,))
	with as_role(MANAGER) as preparer:
		case = make_business_case(prepared_by=other)
	assert case.prepared_by == preparer
	assert frappe.db.get_value("Business Case", case.name, "prepared_by") == preparer


def test_prepared_by_cannot_change_even_for_administrator():
	with as_role(MANAGER) as preparer:
		case = make_business_case()
	assert frappe.session.user == "Administrator"
	case.prepared_by = "Administrator"
	with pytest.raises(PreparedByChangeError):
		case.save()
	assert frappe.db.get_value("Business Case", case.name, "prepared_by") == preparer


def test_prepared_by_cannot_be_cleared():
	case = make_business_case()
	case.prepared_by = None
	with pytest.raises(PreparedByChangeError):
		case.save()


def test_saving_with_the_same_preparer_works():
	case = make_business_case()
	case.title = "Renamed"
	case.save()
	assert frappe.db.get_value("Business Case", case.name, "title") == "Renamed"


# 3. finance


def test_hand_checked_example_through_the_document():
	# cost 1000 up front, benefit 400 at the end of years 1..3, 10 %:
	# NPV = -1000 + 400/1.1 + 400/1.21 + 400/1.331 = -5.26; ROI = 200/1000 = 20 %; payback 2.5; IRR 9.70 %
	with number_format(ENGLISH):
		case = make_business_case(
			costs=[_cost(1000, 0)], benefits=[_benefit(400, year) for year in (1, 2, 3)], discount_rate=10
		)
	case.reload()
	assert case.total_cost == 1000
	assert case.total_benefit == 1200
	assert case.net_benefit == 200
	assert case.npv == pytest.approx(-5.26, abs=0.005)
	assert case.roi_percent == pytest.approx(20)
	assert case.payback_years == pytest.approx(2.5)
	assert case.payback_label == "2.5 years"
	assert case.irr_percent == pytest.approx(9.70, abs=0.005)
	assert case.irr_label == "9.70%"


@pytest.mark.parametrize(
	("fmt", "payback", "irr"), [(INDONESIAN, "2,5 years", "9,70%"), (ENGLISH, "2.5 years", "9.70%")]
)
def test_payback_and_irr_labels_follow_the_sites_number_format(fmt, payback, irr):
	"""The Finance tab shows payback_years "2,5" beside its label: both read in the site's format."""
	with number_format(fmt):
		case = make_business_case(
			costs=[_cost(1000, 0)], benefits=[_benefit(400, year) for year in (1, 2, 3)], discount_rate=10
		)
	assert (case.payback_label, case.irr_label) == (payback, irr)


def test_client_sent_figures_are_overwritten():
	case = frappe.get_doc(
		{
			"doctype": "Business Case",
			"title": uid("Case "),
			"customer": make_portfolio().customer,
			"discount_rate": 10,
			"horizon_years": 3,
			"costs": [_cost(1000, 0)],
			"benefits": [_benefit(400, year) for year in (1, 2, 3)],
			"npv": 999,
			"total_cost": 1,
			"roi_percent": 500,
			"payback_years": 0.1,
			"payback_label": "at once",
			"irr_percent": 80,
		}
	).insert()
	assert case.npv == pytest.approx(-5.26, abs=0.005)
	assert case.total_cost == 1000
	assert case.roi_percent == pytest.approx(20)
	assert case.payback_label == payback_label(2.5)
	assert case.irr_percent == pytest.approx(9.70, abs=0.005)

	case.npv = 999
	case.save()
	assert frappe.db.get_value("Business Case", case.name, "npv") == pytest.approx(-5.26, abs=0.005)


def test_case_that_never_pays_back_says_never_and_has_no_irr():
	case = make_business_case(costs=[_cost(1000, 0)], benefits=[])
	assert case.payback_years == 0
	assert case.payback_label == "Never"
	assert case.irr_percent is None
	assert case.irr_label == "Not defined"
	assert case.npv == pytest.approx(-1000)


def test_figures_follow_edited_lines():
	case = make_business_case(costs=[_cost(1000, 0)], benefits=[_benefit(400, year) for year in (1, 2, 3)])
	case.append("costs", _cost(200, 1))
	case.save()
	assert case.total_cost == 1200
	assert case.net_benefit == 0
	assert case.roi_percent == pytest.approx(0)


@pytest.mark.parametrize(
	"overrides",
	[
		{"costs": [_cost(-1, 0)]},
		{"benefits": [_benefit(-400, 1)]},
		{"discount_rate": 0},
		{"discount_rate": 100},
		{"discount_rate": 150},
		{"discount_rate": -5},
		{"horizon_years": 0},
		{"horizon_years": 31},
		{"costs": [_cost(100, 4)]},  # horizon is 3
		{"benefits": [_benefit(100, -1)]},
		{"costs": [_cost(1e16, 0)]},
	],
	ids=[
		"negative-cost",
		"negative-benefit",
		"rate-0",
		"rate-100",
		"rate-150",
		"rate-negative",
		"horizon-0",
		"horizon-31",
		"cost-after-horizon",
		"benefit-before-year-0",
		"huge-amount",
	],
)
def test_bad_finance_input_is_refused(overrides):
	with pytest.raises(BusinessCaseFinanceError):
		make_business_case(**overrides)


def test_bad_finance_input_is_refused_on_save_too():
	case = make_business_case()
	case.discount_rate = 100
	with pytest.raises(BusinessCaseFinanceError):
		case.save()
	assert frappe.db.get_value("Business Case", case.name, "discount_rate") == 10


def test_thousand_lines_are_accepted():
	case = make_business_case(costs=[_cost(1, 0) for _ in range(1000)], benefits=[_benefit(2, 1)])
	assert len(case.costs) == 1000
	assert case.total_cost == 1000


@pytest.mark.parametrize(
	("table", "rows"),
	[("costs", 1001), ("benefits", 1001), ("costs", 10_000)],
	ids=["1001-costs", "1001-benefits", "10000-costs"],
)
def test_too_many_lines_are_refused(table, rows):
	line = _cost(1, 0) if table == "costs" else _benefit(1, 1)
	with pytest.raises(BusinessCaseFinanceError, match="at most 1000"):
		make_business_case(**{table: [dict(line) for _ in range(rows)]})


@pytest.mark.parametrize("fieldname", ["objectives", "risks"])
def test_one_megabyte_of_text_is_refused(fieldname):
	with pytest.raises(BusinessCaseSizeError):
		make_business_case(**{fieldname: "x" * 1_000_000})


def test_long_text_up_to_the_limit_is_kept():
	text = "y" * MAX_LONG_TEXT
	case = make_business_case(objectives=text)
	assert frappe.db.get_value("Business Case", case.name, "objectives") == text
	with pytest.raises(BusinessCaseSizeError):
		make_business_case(risks=text + "y")


def test_oversized_requirement_text_is_refused():
	with pytest.raises(BusinessCaseSizeError):
		make_business_case(requirements=[{"requirement": "z" * 1_000_000}])


# 4. requirements and sign-off


# The sign-off fields of a requirement row are results of the customer's Customer Sign-off records
# (brm_app.signoff.flow.refresh_case): nobody at the provider signs a requirement, whatever they send.

FORGED_SIGN_OFF = {
	"signed_off_by": "Administrator",
	"signed_off_on": "2026-01-01 10:00:00",
	"sign_off_evidence": "Minutes of 3 March",
	"accepted_by": "Administrator",
	"accepted_on": "2026-01-02 10:00:00",
}


def stored_sign_off(row_name: str) -> dict:
	return frappe.db.get_value("Business Case Requirement", row_name, list(FORGED_SIGN_OFF), as_dict=True)


def test_sign_off_fields_sent_with_a_new_case_are_overwritten():
	case = make_business_case(requirements=[{"requirement": "R", **FORGED_SIGN_OFF}])
	assert stored_sign_off(case.requirements[0].name) == dict.fromkeys(FORGED_SIGN_OFF)


def test_sign_off_fields_sent_with_a_save_are_overwritten():
	with as_role(MANAGER):
		case = make_business_case(requirements=[{"requirement": "R1"}, {"requirement": "R2"}])
		case.requirements[0].update(FORGED_SIGN_OFF)
		case.save()
	assert stored_sign_off(case.requirements[0].name) == dict.fromkeys(FORGED_SIGN_OFF)
	assert not all_requirements_signed_off(frappe.get_doc("Business Case", case.name))


def test_a_customers_sign_off_cannot_be_rewritten_while_awaiting_approval():
	case = to_pending_approval(make_business_case())
	row = case.requirements[0]
	real = stored_sign_off(row.name)
	assert real.signed_off_by == case.signatories[0].full_name and real.signed_off_on
	row.update(
		{"signed_off_by": "Someone else", "signed_off_on": "2020-01-01 00:00:00", "sign_off_evidence": "x"}
	)
	case.save()  # result fields may "change" in a frozen state: they are recomputed, not taken
	assert stored_sign_off(row.name) == real


def test_all_requirements_signed_off():
	case = make_business_case(requirements=[{"requirement": "R1"}, {"requirement": "R2"}])
	assert not all_requirements_signed_off(case)
	case = to_customer_sign_off(case)
	assert not case.all_requirements_signed_off()
	case = customer_signs(case)
	assert case.workflow_state == "Pending Approval"
	assert case.all_requirements_signed_off()
	assert all_requirements_signed_off(case)
	assert not all_requirements_signed_off(make_business_case(requirements=[]))


# 4b. signatories: stakeholders of the customer marked Signs Off Requirements, never the provider


@pytest.fixture
def prepared():
	"""A case prepared by a relationship manager of its customer."""
	preparer = make_approver(RELATIONSHIP_MANAGER)
	portfolio = make_portfolio(relationship_manager=preparer)
	with as_user(preparer):
		case = make_business_case(customer=portfolio.customer)
	return SimpleNamespace(case=case, preparer=preparer)


def name_signatory(prepared, *contacts):
	case = frappe.get_doc("Business Case", prepared.case.name)
	for contact in contacts:
		case.append("signatories", {"contact": contact})
	with as_user(prepared.preparer):
		case.save()
	return case


def test_a_signatory_is_filled_from_the_contact_whatever_the_client_sends(prepared):
	contact = stakeholder_contact(prepared.case, role="Sponsor", email="sponsor@example.com")
	case = frappe.get_doc("Business Case", prepared.case.name)
	case.append(
		"signatories",
		{
			"contact": contact,
			"full_name": "Forged",
			"email_id": "rm@example.com",
			"sign_off_status": "Accepted",
		},
	)
	with as_user(prepared.preparer):
		case.save()
	row = frappe.get_doc("Business Case", case.name).signatories[0]
	contact_doc = frappe.get_doc("Contact", contact)
	assert (row.full_name, row.email_id, row.stakeholder_role) == (
		contact_doc.full_name,
		"sponsor@example.com",
		"Sponsor",
	)
	assert (row.sign_off_status, row.signed_off_on) == (None, None)


def test_a_signatory_not_marked_signs_off_is_refused(prepared):
	contact = stakeholder_contact(prepared.case, signs_off=False)
	with pytest.raises(SignatoryError, match="marked Signs Off Requirements"):
		name_signatory(prepared, contact)
	assert frappe.get_all("Business Case Signatory", filters={"parent": prepared.case.name}) == []


def test_a_contact_who_is_no_stakeholder_is_refused(prepared):
	contact = make_contact(prepared.case.customer).name
	with pytest.raises(SignatoryError, match="marked Signs Off Requirements"):
		name_signatory(prepared, contact)


def test_the_preparers_own_contact_is_refused(prepared):
	by_user = stakeholder_contact(prepared.case, user=prepared.preparer)
	with pytest.raises(SignatoryError, match="the preparer never signs off"):
		name_signatory(prepared, by_user)
	# a contact without a desk user but with the preparer's e-mail address (any case)
	by_email = stakeholder_contact(prepared.case, email=prepared.preparer.upper())
	with pytest.raises(SignatoryError, match="the preparer never signs off"):
		name_signatory(prepared, by_email)


@pytest.mark.parametrize(
	"role", ["BRM Process Manager", "BRM Process Owner", RELATIONSHIP_MANAGER, "System Manager"]
)
def test_a_user_holding_a_provider_role_is_refused(prepared, role):
	provider = make_approver(role)
	contact = stakeholder_contact(prepared.case, user=provider)
	with pytest.raises(SignatoryError, match="holds a role of the provider"):
		name_signatory(prepared, contact)


def test_a_signatory_named_twice_is_refused(prepared):
	contact = stakeholder_contact(prepared.case)
	with pytest.raises(SignatoryError, match="is named twice"):
		name_signatory(prepared, contact, contact)
	assert len(name_signatory(prepared, contact).signatories) == 1


# 5. funding


def test_budget_holder_must_be_a_contact_of_the_customer():
	case_customer = make_portfolio().customer
	stranger = make_contact(make_customer().name)
	with pytest.raises(FundingError):
		make_business_case(customer=case_customer, budget_holder=stranger.name)
	holder = make_contact(case_customer)
	case = make_business_case(customer=case_customer, budget_holder=holder.name, funding_status="Requested")
	assert case.budget_holder == holder.name


def test_unknown_funding_status_is_refused():
	with pytest.raises(FundingError):
		make_business_case(funding_status="Promised")


# 6. submitted cases are immutable; amendments make a new version


def test_new_case_has_no_decision_whatever_the_client_sends():
	case = make_business_case(decision="Approved", approver="Administrator", decided_on=now_datetime())
	assert (case.decision, case.approver, case.decided_on) == (None, None, None)


def test_submitted_case_cannot_change():
	case = approve_business_case(make_business_case())
	case.discount_rate = 12
	with pytest.raises(frappe.UpdateAfterSubmitError):
		case.save()
	assert frappe.db.get_value("Business Case", case.name, "discount_rate") == 10


def test_amendment_creates_a_new_version():
	with as_role(MANAGER):
		case = make_business_case()
	# approved by another manager (nobody approves their own case), then cancelled to be amended
	manager = make_approver(MANAGER)
	case = approve_business_case(case, manager=manager)
	case = act(case, "Cancel", manager, comment="Scope changes")
	amended = frappe.copy_doc(case)
	amended.amended_from = case.name
	amended.docstatus = 0  # frappe.copy_doc keeps it under tests
	amended.discount_rate = 12
	amended.insert()
	assert amended.name != case.name
	assert amended.name.startswith(case.name)
	assert amended.docstatus == 0
	assert amended.discount_rate == 12
	assert amended.npv != case.npv
	assert amended.prepared_by == "Administrator"
	# the signatories carry over; the customer signs the new version again (its own sign-off records)
	assert [row.contact for row in amended.signatories] == [row.contact for row in case.signatories]
	assert case.requirements[0].signed_off_by
	assert (amended.requirements[0].signed_off_by, amended.requirements[0].sign_off_evidence) == (None, None)
	assert frappe.db.get_value("Business Case", case.name, "docstatus") == 2
	assert frappe.db.get_value("Business Case", case.name, "discount_rate") == 10
