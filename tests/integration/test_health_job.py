"""Portfolio health recompute job (docs/design.md "Customer Portfolio" derived health; issue 5): set-based
queries, the BRM Settings weights, idempotence, and the portfolio's `modified` left alone."""

import frappe
import pytest
from frappe.utils import add_days, now_datetime, nowdate

from brm_app.jobs.health import recompute_health_scores
from brm_app.services.health import compute_health, health_parts
from brm_app.settings import health_weights
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_agreement,
	make_contact,
	make_issue,
	make_issue_type,
	make_it_service,
	make_portfolio,
	make_survey,
	make_survey_template,
	mute_mail,
	set_brm_settings,
)

PORTFOLIO = "Customer Portfolio"


@pytest.fixture(autouse=True)
def muted_mail():
	mute_mail()


@pytest.fixture(autouse=True)
def no_error_logs_left():
	discard_error_logs_afterwards()


def set_complaint_type(issue_type: str) -> None:
	make_issue_type(issue_type)
	settings = frappe.get_single("BRM Settings")
	settings.set("complaint_issue_types", [{"issue_type": issue_type}])
	settings.save(ignore_permissions=True)
	set_brm_settings()


def respond(customer, values):
	survey = make_survey(customer)
	for row, value in zip(survey.answers, values, strict=True):
		row.answer = value
	survey.status = "Responded"
	return survey.save(ignore_permissions=True)


def ticket(customer, contact, agreement_status=None, **kw):
	issue = make_issue(customer, contact, **kw)
	if agreement_status:
		frappe.db.set_value("Issue", issue.name, "agreement_status", agreement_status)
	return issue


def rich_portfolio():
	"""A portfolio with data for every health part."""
	set_complaint_type("Complaint")
	covered, uncovered = make_it_service(), make_it_service()
	portfolio = make_portfolio(services=[{"it_service": covered.name}, {"it_service": uncovered.name}])
	customer = portfolio.customer
	contact = make_contact(customer)
	# ratings: 5, 4, 2, 1 -> 2 of 4 satisfied = 50 %; NPS answers 10 (promoter), 3 (detractor) -> 0
	respond(customer, [5, 4, 10, "Yes", ""])
	respond(customer, [2, 1, 3, "No", ""])
	for status in ("Fulfilled", "Fulfilled", "Fulfilled", "Failed"):
		ticket(customer, contact, status)
	ticket(customer, contact, issue_type="Complaint")  # an open complaint
	agreement = make_agreement(
		customer,
		start_date=add_days(nowdate(), -10),
		end_date=add_days(nowdate(), 300),
		signed_on=add_days(nowdate(), -10),
		services=[{"it_service": covered.name}],
	)
	# submitted and Active, as its sign-off would leave it (the approval workflow is another issue's)
	agreement.db_set({"docstatus": 1, "status": "Active"})
	return portfolio


def stored(portfolio):
	return frappe.db.get_value(
		PORTFOLIO,
		portfolio.name,
		[
			"health_score",
			"health_rag",
			"csat_score",
			"nps_score",
			"sla_compliance",
			"open_complaints",
			"agreement_coverage",
			"health_updated_on",
			"modified",
		],
		as_dict=True,
	)


def test_health_parts_and_score_are_computed_from_the_records():
	portfolio = rich_portfolio()

	assert recompute_health_scores([portfolio.name]) == 1

	values = stored(portfolio)
	assert float(values.csat_score) == 50
	assert float(values.nps_score) == 0
	assert float(values.sla_compliance) == 75
	assert values.open_complaints == 1
	assert float(values.agreement_coverage) == 50
	expected = compute_health(
		health_parts(
			csat_percent=50,
			nps_score=0,
			sla_fulfilled=3,
			sla_failed=1,
			open_complaints=1,
			covered_services=1,
			consumed_services=2,
		),
		health_weights(),
	)
	assert float(values.health_score) == expected.score
	assert values.health_rag == expected.rag
	assert values.health_updated_on


def test_the_weights_come_from_brm_settings():
	portfolio = rich_portfolio()
	set_brm_settings(
		weight_csat=100, weight_nps=0, weight_sla=0, weight_complaints=0, weight_agreement_coverage=0
	)
	recompute_health_scores([portfolio.name])
	assert float(stored(portfolio).health_score) == 50  # the CSAT part alone


def test_a_second_run_changes_nothing_and_modified_is_left_alone():
	portfolio = rich_portfolio()
	modified = frappe.db.get_value(PORTFOLIO, portfolio.name, "modified")
	recompute_health_scores([portfolio.name])
	first = stored(portfolio)
	assert first.modified == modified  # no conflict for someone editing the portfolio meanwhile

	assert recompute_health_scores([portfolio.name]) == 0
	assert stored(portfolio) == first


def test_new_data_changes_the_score_on_the_next_run():
	portfolio = rich_portfolio()
	recompute_health_scores([portfolio.name])
	before = stored(portfolio)
	respond(portfolio.customer, [1, 1, 0, "No", ""])
	assert recompute_health_scores([portfolio.name]) == 1
	assert float(stored(portfolio).csat_score) < float(before.csat_score)


PARTS = ("csat_score", "nps_score", "sla_compliance", "open_complaints", "agreement_coverage")


def test_a_portfolio_without_any_data_gets_no_score_and_no_parts():
	"""No data is NULL (shown empty), never a score or part of 0."""
	portfolio = make_portfolio()
	recompute_health_scores([portfolio.name])
	values = stored(portfolio)
	assert not values.health_rag  # the Select's empty option: "Not Scored"
	assert values.health_score is None
	assert {part: values[part] for part in PARTS} == dict.fromkeys(PARTS)


def test_a_part_without_data_stays_null_beside_the_parts_with_data():
	"""Ratings but no NPS answer, no ticket, no service: only CSAT (and the score) are stored."""
	portfolio = make_portfolio()
	template = make_survey_template([("Service?", "Rating"), ("Your manager?", "Rating")]).name
	survey = make_survey(portfolio.customer, template=template)
	for row, value in zip(survey.answers, [5, 2], strict=True):
		row.answer = value
	survey.status = "Responded"
	survey.save(ignore_permissions=True)
	recompute_health_scores([portfolio.name])
	values = stored(portfolio)
	assert float(values.csat_score) == 50
	assert float(values.health_score) == 50  # the CSAT part alone carries the score
	assert values.health_rag == "Amber"
	assert (values.nps_score, values.sla_compliance, values.open_complaints, values.agreement_coverage) == (
		None,
		None,
		None,
		None,
	)


def test_a_stored_zero_without_data_is_corrected_to_null_and_a_save_keeps_null():
	"""A site that stored 0 for "no data" before gets NULL on the next run; saving the form keeps it."""
	portfolio = make_portfolio()
	frappe.db.set_value(PORTFOLIO, portfolio.name, dict.fromkeys(("health_score", *PARTS), 0))
	assert recompute_health_scores([portfolio.name]) == 1
	assert stored(portfolio).health_score is None

	doc = frappe.get_doc(PORTFOLIO, portfolio.name)
	doc.business_drivers = "Grow the managed services"
	doc.save(ignore_permissions=True)
	values = stored(portfolio)
	assert values.health_score is None
	assert {part: values[part] for part in PARTS} == dict.fromkeys(PARTS)


def test_responses_older_than_the_window_are_left_out():
	portfolio = make_portfolio()
	old = respond(portfolio.customer, [1, 1, 0, "No", ""])
	frappe.db.set_value("Satisfaction Survey", old.name, "responded_on", add_days(now_datetime(), -400))
	respond(portfolio.customer, [5, 5, 10, "Yes", ""])
	recompute_health_scores([portfolio.name])
	assert float(stored(portfolio).csat_score) == 100


@pytest.fixture
def sql_counter(monkeypatch):
	"""Counts the SQL statements frappe runs (a spy: every call still goes to the database)."""
	real_sql = frappe.db.sql
	calls = []

	def spy(query, *args, **kwargs):
		calls.append(str(query))
		return real_sql(query, *args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", spy)
	return calls


def test_the_number_of_queries_does_not_grow_with_the_number_of_portfolios(sql_counter):
	few = [rich_portfolio().name for _ in range(2)]
	many = few + [rich_portfolio().name for _ in range(4)]

	sql_counter.clear()
	recompute_health_scores(few)
	queries_for_few = len(sql_counter)

	for name in many:  # make every portfolio change again
		frappe.db.set_value(PORTFOLIO, name, "health_score", 1, update_modified=False)
	sql_counter.clear()
	recompute_health_scores(many)
	assert len(sql_counter) == queries_for_few
	assert queries_for_few <= 12
