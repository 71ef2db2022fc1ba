"""Service Opportunity (docs/design.md S3 c, d, g; S4): portfolio link, estimates, impacted services, status
pipeline and the "Create Business Case" mapping."""

import frappe
import pytest

from brm_app.brm_app.doctype.service_opportunity.service_opportunity import make_business_case
from brm_app.controllers.customer_linked import MissingPortfolioError
from brm_app.exceptions import (
	OpportunityBusinessCaseError,
	OpportunityImpactError,
	OpportunitySourceError,
	OpportunityStatusTransitionError,
	OpportunityValueError,
)
from tests.support import factories
from tests.support.factories import make_customer, make_it_service, make_opportunity, make_portfolio, uid
from tests.support.users import as_user, make_user


def new_opportunity(customer: str | None = None, **kw) -> "frappe.Document":
	"""An unsaved opportunity (for the tests that expect the insert to fail)."""
	return frappe.get_doc(
		{
			"doctype": "Service Opportunity",
			"opportunity_title": uid("Opportunity "),
			"customer": customer or make_portfolio().customer,
			"opportunity_type": "New Service",
			**kw,
		}
	)


def move(doc: "frappe.Document", *statuses: str) -> "frappe.Document":
	for status in statuses:
		doc.status = status
		doc.save()
	return doc


# --- rule 1: portfolio, estimates, impacted services, sources -------------------------------------


def test_opportunity_of_customer_without_portfolio_is_refused():
	customer = make_customer().name
	frappe.db.delete("Customer Portfolio", {"customer": customer})  # may be auto-created with the customer
	with pytest.raises(MissingPortfolioError):
		new_opportunity(customer).insert()


def test_opportunity_takes_portfolio_and_relationship_manager_from_the_customer():
	manager = make_user(f"{uid('rm')}@example.com", ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=manager)
	doc = make_opportunity(portfolio.customer)
	assert doc.portfolio == portfolio.name
	assert doc.relationship_manager == manager


@pytest.mark.parametrize("fieldname", ["estimated_value", "estimated_cost"])
def test_negative_estimates_are_refused(fieldname):
	with pytest.raises(OpportunityValueError):
		new_opportunity(**{fieldname: -1}).insert()


def test_zero_and_positive_estimates_are_accepted():
	doc = make_opportunity(estimated_value=0, estimated_cost=2500)
	assert doc.estimated_cost == 2500


@pytest.mark.parametrize("opportunity_type", ["Service Change", "Retirement"])
def test_service_change_and_retirement_need_an_impacted_service(opportunity_type):
	with pytest.raises(OpportunityImpactError):
		new_opportunity(opportunity_type=opportunity_type).insert()
	service = make_it_service()
	doc = make_opportunity(
		opportunity_type=opportunity_type, impacted_services=[{"it_service": service.name}]
	)
	assert [row.it_service for row in doc.impacted_services] == [service.name]


@pytest.mark.parametrize(
	"opportunity_type", ["New Service", "Technology Innovation", "Cost Reduction", "Continual Improvement"]
)
def test_other_types_need_no_impacted_service(opportunity_type):
	assert make_opportunity(opportunity_type=opportunity_type).name


def test_complaint_or_survey_sources_may_link_their_origin_but_need_not():
	customer = make_portfolio().customer
	survey = factories.make_survey(customer)
	linked = make_opportunity(customer, source="Survey", source_survey=survey.name)
	assert linked.source_survey == survey.name
	assert make_opportunity(customer, source="Complaint or Feedback").name
	assert make_opportunity(customer, source="Survey").name


def test_a_source_of_another_customer_is_refused():
	"""K7 counts a linked complaint / detractor for the opportunity's customer: the source must be theirs."""
	customer, other = make_portfolio().customer, make_portfolio().customer
	theirs_issue, other_issue = factories.make_issue(customer), factories.make_issue(other)
	theirs_survey, other_survey = factories.make_survey(customer), factories.make_survey(other)
	assert make_opportunity(customer, source="Complaint or Feedback", source_issue=theirs_issue.name).name
	assert make_opportunity(customer, source="Survey", source_survey=theirs_survey.name).name
	for field, value in (("source_issue", other_issue.name), ("source_survey", other_survey.name)):
		with pytest.raises(OpportunitySourceError, match="is not of customer"):
			make_opportunity(customer, source="Survey", **{field: value})
	# and re-pointing a saved opportunity at another customer's ticket is refused too
	doc = make_opportunity(customer, source="Complaint or Feedback", source_issue=theirs_issue.name)
	doc.source_issue = other_issue.name
	with pytest.raises(OpportunitySourceError):
		doc.save()


def test_a_source_that_does_not_exist_is_refused():
	customer = make_portfolio().customer
	doc = make_opportunity(customer, source="Complaint or Feedback")
	# an HD Ticket is a Data field (Helpdesk may be absent): frappe's link check does not cover it
	doc.source_hd_ticket = "999999999"
	if frappe.db.table_exists("HD Ticket"):
		with pytest.raises(OpportunitySourceError, match="does not exist"):
			doc.save()
	else:
		doc.save()  # without Helpdesk there is nothing to check it against
		assert doc.source_hd_ticket == "999999999"


# --- rule 2: status pipeline ------------------------------------------------------------------------


def test_a_new_opportunity_must_start_as_new():
	with pytest.raises(OpportunityStatusTransitionError):
		new_opportunity(status="Approved").insert()
	assert make_opportunity().status == "New"


def test_the_pipeline_moves_one_step_at_a_time():
	doc = move(
		make_opportunity(),
		"Assessing",
		"Business Case",
		"Approved",
		"In Delivery",
		"Awaiting Acceptance",
		"Delivered",
	)
	assert frappe.db.get_value("Service Opportunity", doc.name, "status") == "Delivered"


@pytest.mark.parametrize(
	"path,bad",
	[
		((), "Business Case"),
		((), "Delivered"),
		(("Assessing",), "Approved"),
		(("Assessing", "Business Case"), "New"),
	],
)
def test_skipping_or_going_back_is_refused(path, bad):
	doc = move(make_opportunity(), *path)
	doc.status = bad
	with pytest.raises(OpportunityStatusTransitionError):
		doc.save()


@pytest.mark.parametrize("closing", ["Rejected", "Withdrawn"])
def test_an_open_opportunity_can_be_rejected_or_withdrawn_and_that_is_final(closing):
	doc = move(make_opportunity(), "Assessing", closing)
	for status in ("New", "Assessing", "Delivered"):
		doc.reload()
		doc.status = status
		with pytest.raises(OpportunityStatusTransitionError):
			doc.save()


def test_delivered_is_final():
	doc = move(
		make_opportunity(),
		"Assessing",
		"Business Case",
		"Approved",
		"In Delivery",
		"Awaiting Acceptance",
		"Delivered",
	)
	doc.status = "Withdrawn"
	with pytest.raises(OpportunityStatusTransitionError):
		doc.save()


def test_saving_other_fields_keeps_the_status_valid():
	doc = move(make_opportunity(), "Assessing")
	doc.priority = "High"
	doc.save()
	assert doc.status == "Assessing"


def test_the_system_may_set_the_status_directly():
	doc = make_opportunity()
	doc.db_set("status", "Approved")
	doc.reload()
	doc.status = "In Delivery"
	doc.save()
	assert frappe.db.get_value("Service Opportunity", doc.name, "status") == "In Delivery"


# --- rule 3: create business case ---------------------------------------------------------------------


def test_make_business_case_maps_the_opportunity():
	doc = make_opportunity(currency="EUR", business_impact="<p>Faster onboarding</p>")
	case = make_business_case(doc.name)
	assert case.doctype == "Business Case"
	assert case.is_new()
	assert case.title == doc.opportunity_title
	assert case.customer == doc.customer
	assert case.service_opportunity == doc.name
	assert case.currency == "EUR"
	assert case.objectives == "<p>Faster onboarding</p>"


def test_make_business_case_is_refused_when_the_opportunity_has_one():
	doc = make_opportunity()
	factories.make_business_case(doc.customer, service_opportunity=doc.name)
	assert frappe.db.get_value("Service Opportunity", doc.name, "business_case")
	with pytest.raises(OpportunityBusinessCaseError):
		make_business_case(doc.name)


def test_make_business_case_is_refused_for_a_closed_opportunity():
	doc = move(make_opportunity(), "Withdrawn")
	with pytest.raises(OpportunityBusinessCaseError):
		make_business_case(doc.name)


def test_make_business_case_needs_permission():
	doc = make_opportunity()
	user = make_user(f"{uid('nobody')}@example.com", ())
	with as_user(user), pytest.raises(frappe.PermissionError):
		make_business_case(doc.name)


def test_make_business_case_checks_create_permission_before_anything_else():
	doc = move(make_opportunity(), "Withdrawn")
	user = make_user(f"{uid('reader')}@example.com", ())
	frappe.share.add_docshare(
		"Service Opportunity", doc.name, user, read=1, flags={"ignore_share_permission": True}
	)
	with as_user(user):
		assert frappe.has_permission("Service Opportunity", "read", doc.name)
		with pytest.raises(frappe.PermissionError):
			make_business_case(doc.name)


def test_make_business_case_needs_read_access_to_the_opportunity():
	doc = make_opportunity()
	# a relationship manager who may create business cases, but only for another customer
	user = make_user(f"{uid('author')}@example.com", ("Business Relationship Manager",))
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Customer", "for_value": make_customer().name}
	).insert(ignore_permissions=True)
	with as_user(user):
		assert frappe.has_permission("Business Case", "create")
		assert not frappe.has_permission("Service Opportunity", "read", doc.name)
		with pytest.raises(frappe.PermissionError):
			make_business_case(doc.name)


def test_make_business_case_accepts_post_only():
	assert frappe.allowed_http_methods_for_whitelisted_func[make_business_case] == ["POST"]
