"""BRM KPI Scorecard, the customer's sign-off figures (issue 16 point 8): median days in customer sign-off
and deliveries accepted by the customer (a waiver is not an acceptance), "no data" empty, not 0; K2
"requirements signed off" counts customer sign-offs only."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.api.sign_off import waive_acceptance
from brm_app.brm_app.report.brm_kpi_scorecard.brm_kpi_scorecard import execute
from brm_app.integrations.projects import create_project
from brm_app.services import approval_rules as rules
from brm_app.signoff import records as rec
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_business_case,
	make_it_service,
	make_opportunity,
	make_portfolio,
	mute_mail,
)
from tests.support.users import as_user
from tests.support.workflow import approve_business_case, customer_decides, make_approver, set_threshold

RM, PM = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER


@pytest.fixture(autouse=True)
def quiet():
	mute_mail()
	discard_error_logs_afterwards()


def delivered_case(portfolio, manager, delivery, complete=True):
	"""An approved case of the portfolio's customer with its project (completed unless told otherwise)."""
	opportunity = make_opportunity(portfolio.customer)
	with as_user(portfolio.relationship_manager):
		case = make_business_case(portfolio.customer, service_opportunity=opportunity.name)
	case = approve_business_case(case, manager=manager)
	with as_user(delivery):
		project = frappe.get_doc("Project", create_project(case.name))
	if complete:
		project.reload()
		project.status = "Completed"
		project.percent_complete_method = "Manual"
		project.percent_complete = 100
		project.save()
	return SimpleNamespace(case=case, opportunity=opportunity, project=project)


@pytest.fixture
def world():
	"""Three approved cases of one customer (a fresh IT Service isolates them): one delivery accepted by
	the customer, one waived by a process manager, one project still open."""
	set_threshold(10**12)
	rm = make_approver(RM)
	manager = make_approver(PM)
	delivery = make_approver(PM, "Projects User")
	service = make_it_service().name
	portfolio = make_portfolio(relationship_manager=rm, services=[{"it_service": service}])
	accepted = delivered_case(portfolio, manager, delivery)
	for name in frappe.get_all(
		rec.SIGN_OFF,
		filters={"business_case": accepted.case.name, "purpose": rec.ACCEPTANCE, "status": rec.REQUESTED},
		pluck="name",
	):
		customer_decides(name)
	waived = delivered_case(portfolio, manager, delivery)
	with as_user(manager):
		waive_acceptance(waived.case.name, "Signed paper acceptance on file")
	running = delivered_case(portfolio, manager, delivery, complete=False)
	return SimpleNamespace(
		service=service, manager=manager, accepted=accepted, waived=waived, running=running
	)


def actual(rows, key):
	return next(row["actual"] for row in rows if row["key"] == key)


def test_deliveries_accepted_counts_acceptances_not_waivers(world):
	assert (
		frappe.db.get_value("Service Opportunity", world.accepted.opportunity.name, "status") == "Delivered"
	)
	assert frappe.db.get_value("Service Opportunity", world.waived.opportunity.name, "status") == "Delivered"
	with as_user(world.manager):
		_columns, rows, _message, chart, _summary = execute({"service": world.service})
	assert actual(rows, "k2_deliveries_accepted") == 50.0  # the accepted one of accepted + waived
	assert "K2 Deliveries accepted by the customer" in chart["data"]["labels"]


def test_median_days_in_customer_sign_off(world):
	days = [
		frappe.db.get_value("Business Case", w.case.name, "customer_sign_off_days")
		for w in (world.accepted, world.waived, world.running)
	]
	assert all(d is not None for d in days)
	# spread them so that the median is a real one
	for w, value in zip((world.accepted, world.waived, world.running), (2.0, 9.5, 4.25), strict=True):
		frappe.db.set_value("Business Case", w.case.name, "customer_sign_off_days", value)
	with as_user(world.manager):
		_columns, rows, *_ = execute({"service": world.service})
	assert actual(rows, "k2_days_in_customer_sign_off") == 4.2


def test_no_data_is_empty_not_zero(world):
	"""A period with no case signed off and no delivery asked for acceptance: both figures None (the cell
	shows "—"), no RAG and no trend."""
	with as_user(world.manager):
		_columns, rows, _message, chart, _summary = execute(
			{
				"service": world.service,
				"from_date": add_days(nowdate(), -400),
				"to_date": add_days(nowdate(), -300),
			}
		)
	for key in ("k2_days_in_customer_sign_off", "k2_deliveries_accepted"):
		row = next(r for r in rows if r["key"] == key)
		assert row["actual"] is None
		assert row["rag_key"] is None
		assert row["trend_key"] is None
	assert "K2 Deliveries accepted by the customer" not in chart["data"]["labels"]


def test_requirements_signed_off_counts_customer_sign_offs_only(world):
	"""A row marked signed off without a Customer Sign-off behind it (a provider's own sign-off, as before
	issue 16) does not count."""
	with as_user(world.manager):
		_columns, rows, *_ = execute({"service": world.service})
	assert actual(rows, "k2_requirements_signed_off") == 100.0
	row = frappe.get_doc("Business Case", world.running.case.name).requirements[0]
	frappe.db.set_value(
		"Business Case Requirement", row.name, {"sign_off_evidence": None, "signed_off_by": "Administrator"}
	)
	requirements = sum(
		len(frappe.get_doc("Business Case", w.case.name).requirements)
		for w in (world.accepted, world.waived, world.running)
	)
	with as_user(world.manager):
		_columns, rows, *_ = execute({"service": world.service})
	assert actual(rows, "k2_requirements_signed_off") == round(100 * (requirements - 1) / requirements, 1)
