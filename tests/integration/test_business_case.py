"""Business Case rules (docs/design.md "Business Case", docs/security.md cases 6, 7, 8, 17)."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from brm_app.brm_app.doctype.business_case.business_case import (
	MAX_LONG_TEXT,
	all_requirements_signed_off,
	payback_label,
	sign_off_requirement,
)
from brm_app.controllers.customer_linked import MissingPortfolioError
from brm_app.exceptions import (
	BusinessCaseFinanceError,
	BusinessCaseOpportunityError,
	BusinessCaseSizeError,
	FundingError,
	PreparedByChangeError,
	RequirementSignOffError,
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
from tests.support.workflow import act, approve_business_case, make_approver

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


def test_sign_off_needs_both_who_and_when():
	with pytest.raises(RequirementSignOffError):
		make_business_case(requirements=[{"requirement": "R", "signed_off_by": "Administrator"}])
	with pytest.raises(RequirementSignOffError):
		make_business_case(requirements=[{"requirement": "R", "signed_off_on": now_datetime()}])


def test_sign_off_cannot_be_in_the_future():
	with pytest.raises(RequirementSignOffError):
		make_business_case(
			requirements=[
				{
					"requirement": "R",
					"signed_off_by": "Administrator",
					"signed_off_on": add_to_date(now_datetime(), days=1),
				}
			]
		)


def test_own_sign_off_in_the_form_is_accepted():
	case = make_business_case(
		requirements=[{"requirement": "R", "signed_off_by": "Administrator", "signed_off_on": now_datetime()}]
	)
	assert case.requirements[0].signed_off_by == "Administrator"


def test_sign_off_in_someone_elses_name_is_refused():
	someone = make_user(f"{uid('approver')}@example.com", (MANAGER,))
	with pytest.raises(RequirementSignOffError):
		make_business_case(
			requirements=[{"requirement": "R", "signed_off_by": someone, "signed_off_on": now_datetime()}]
		)
	case = make_business_case()
	case.requirements[0].signed_off_by = someone
	case.requirements[0].signed_off_on = now_datetime()
	with pytest.raises(RequirementSignOffError):
		case.save()


def test_sign_off_requirement_records_the_user_and_time():
	case = make_business_case(requirements=[{"requirement": "R1"}, {"requirement": "R2"}])
	row = case.requirements[0]
	with as_role(MANAGER) as approver:
		before = now_datetime()
		result = sign_off_requirement(case.name, row.name, evidence="Minutes of 3 March")
	stored = frappe.get_doc("Business Case Requirement", row.name)
	assert stored.signed_off_by == approver
	assert stored.signed_off_on >= before.replace(microsecond=0)
	assert stored.sign_off_evidence == "Minutes of 3 March"
	assert result["all_signed_off"] is False
	assert (
		frappe.db.get_value("Business Case Requirement", case.requirements[1].name, "signed_off_by") is None
	)


def test_sign_off_requirement_needs_write_permission():
	case = make_business_case()
	reader = make_user(f"{uid('reader')}@example.com", ())
	with as_user(reader), pytest.raises(frappe.PermissionError):
		sign_off_requirement(case.name, case.requirements[0].name)
	assert not frappe.db.get_value("Business Case Requirement", case.requirements[0].name, "signed_off_by")
	# permission is checked first: a reader learns nothing about the case's rows or state
	with as_user(reader), pytest.raises(frappe.PermissionError):
		sign_off_requirement(case.name, "no-such-row")


def test_sign_off_requirement_refuses_unknown_or_signed_rows():
	case = make_business_case()
	other = make_business_case()
	with pytest.raises(RequirementSignOffError):
		sign_off_requirement(case.name, other.requirements[0].name)
	sign_off_requirement(case.name, case.requirements[0].name)
	with pytest.raises(RequirementSignOffError):
		sign_off_requirement(case.name, case.requirements[0].name)


def test_sign_off_requirement_refuses_submitted_case():
	case = approve_business_case(make_business_case())
	with pytest.raises(RequirementSignOffError):
		sign_off_requirement(case.name, case.requirements[0].name)


def test_sign_off_requirement_is_post_only():
	assert frappe.allowed_http_methods_for_whitelisted_func[sign_off_requirement] == ["POST"]
	from frappe.handler import is_valid_http_method

	previous = getattr(frappe.local, "request", None)
	frappe.local.request = SimpleNamespace(method="GET")
	try:
		with pytest.raises(frappe.PermissionError):
			is_valid_http_method(sign_off_requirement)
	finally:
		frappe.local.request = previous


def test_all_requirements_signed_off():
	case = make_business_case(requirements=[{"requirement": "R1"}, {"requirement": "R2"}])
	assert not all_requirements_signed_off(case)
	sign_off_requirement(case.name, case.requirements[0].name)
	case.reload()
	assert not case.all_requirements_signed_off()
	sign_off_requirement(case.name, case.requirements[1].name)
	case.reload()
	assert case.all_requirements_signed_off()
	assert all_requirements_signed_off(case)
	assert not all_requirements_signed_off(make_business_case(requirements=[]))


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
	with as_role(MANAGER) as preparer:
		case = make_business_case()
		sign_off_requirement(case.name, case.requirements[0].name)
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
	# the sign-off of the unchanged requirement carries over into the new version
	assert amended.requirements[0].signed_off_by == preparer
	assert frappe.db.get_value("Business Case", case.name, "docstatus") == 2
	assert frappe.db.get_value("Business Case", case.name, "discount_rate") == 10
