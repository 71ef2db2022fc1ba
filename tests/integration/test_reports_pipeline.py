"""Business Case Pipeline report (issue 6): cases per workflow state with cost, benefit and NPV summed from the
cases themselves, the Service filter through the opportunity's impacted services, and row-level access."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.utils import add_days, flt, nowdate

from brm_app.brm_app.report.business_case_pipeline.business_case_pipeline import execute
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_business_case,
	make_it_service,
	make_opportunity,
	make_portfolio,
	mute_mail,
)
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, approve_business_case, make_approver

REPORT = "Business Case Pipeline"


@pytest.fixture(autouse=True)
def quiet():
	mute_mail()
	discard_error_logs_afterwards()


def case(customer, service, amount):
	opportunity = make_opportunity(customer, impacted_services=[{"it_service": service}])
	return make_business_case(
		customer,
		service_opportunity=opportunity.name,
		costs=[{"description": "Build", "cost_type": "Capex", "year": 0, "amount": amount}],
	)


@pytest.fixture
def dataset():
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	service, other = make_it_service().name, make_it_service().name
	a1 = make_portfolio(relationship_manager=rm_a).customer
	b1 = make_portfolio(relationship_manager=rm_b).customer
	a_draft = case(a1, service, 1000)
	a_approved = approve_business_case(case(a1, service, 500), manager=manager)
	b_draft = case(b1, service, 2000)
	a_other = case(a1, other, 700)  # another service: out of the Service filter
	cases = [frappe.get_doc("Business Case", c.name) for c in (a_draft, a_approved, b_draft, a_other)]
	return frappe._dict(
		rm_a=rm_a,
		manager=manager,
		service=service,
		a_draft=cases[0],
		a_approved=cases[1],
		b_draft=cases[2],
		a_other=cases[3],
		filters={"service": service, "from_date": add_days(nowdate(), -1), "to_date": nowdate()},
	)


def expected(*cases):
	"""state -> (cases, total cost, total benefit, NPV, positive NPV count) summed from the documents."""
	result = {}
	for doc in cases:
		state = doc.workflow_state or "Draft"
		n, cost, benefit, npv, positive = result.get(state, (0, 0.0, 0.0, 0.0, 0))
		result[state] = (
			n + 1,
			flt(cost + doc.total_cost, 2),
			flt(benefit + doc.total_benefit, 2),
			flt(npv + doc.npv, 2),
			positive + (1 if doc.npv > 0 else 0),
		)
	return result


def by_state(rows):
	return {
		row["state"]: (row["cases"], row["total_cost"], row["total_benefit"], row["npv"], row["positive_npv"])
		for row in rows
	}


def summary_values(summary):
	return {item["label"]: item["value"] for item in summary}


def test_process_manager_sees_both_managers_cases(dataset):
	with as_user(dataset.manager):
		columns, rows, _m, chart, summary = execute(dataset.filters)
	assert all(col.get("fieldname") for col in columns)
	assert dataset.a_approved.workflow_state == "Approved"
	assert by_state(rows) == expected(dataset.a_draft, dataset.a_approved, dataset.b_draft)
	assert [row["state"] for row in rows] == ["Draft", "Approved"]
	assert rows[0]["total_cost"] == 3000  # 1000 + 2000, by hand
	values = summary_values(summary)
	assert (values["Business Cases"], values["In Approval"], values["Approved"]) == (3, 0, 1)
	currency = dataset.a_approved.currency
	assert values[f"Approved NPV ({currency or '-'})"] == flt(dataset.a_approved.npv, 2)
	assert chart["data"]["datasets"][0]["values"] == [2, 1]


def test_relationship_manager_sees_only_their_cases(dataset):
	with as_user(dataset.rm_a):
		_c, rows, _m, chart, summary = execute(dataset.filters)
		result = run(REPORT, filters=dataset.filters, user="Administrator")
		# and as the desk calls it (no user): Link columns must not need Customer read permission
		plain = run(REPORT, filters=dataset.filters)
	assert by_state(rows) == expected(dataset.a_draft, dataset.a_approved)
	assert by_state(result["result"]) == by_state(rows)
	assert summary_values(summary)["Business Cases"] == 2
	assert summary_values(result["report_summary"]) == summary_values(summary)
	assert chart["data"]["datasets"][0]["values"] == [1, 1]
	assert by_state(plain["result"]) == by_state(result["result"])


def test_without_the_service_filter_and_outside_the_period(dataset):
	with as_user(dataset.rm_a):
		_c, rows, *_r = execute({"from_date": dataset.filters["from_date"], "to_date": nowdate()})
		_c, before, *_r = execute({"from_date": add_days(nowdate(), -30), "to_date": add_days(nowdate(), -1)})
	assert by_state(rows) == expected(dataset.a_draft, dataset.a_approved, dataset.a_other)
	assert before == []
