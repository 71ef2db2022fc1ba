"""docs/security.md case 17: negative costs, discount rate ≥ 100 %, a horizon of 0 years, 10,000 cost rows,
1 MB of text → error or bounded, never a crash or a wrong NPV.

Over HTTP on a real server, as the relationship manager creating business cases through the REST API the
desk uses: every bad input gets a clear validation error (HTTP 417, never a 5xx) in bounded time and stores
nothing; a good case's figures are computed on the server and match a hand calculation, whatever figures
the client sends."""

import math
import time

import frappe
import pytest

from tests.support.security import (
	exc_type,
	refresh,
	rm_browser,
	server_message,
	workflow_people_fixture,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC = "Business Case"


def cost(amount, year=0):
	return {"description": "Build", "cost_type": "Capex", "year": year, "amount": amount}


def benefit(amount, year=1):
	return {"description": "Savings", "benefit_type": "Cost Saving", "year": year, "amount": amount}


people = workflow_people_fixture("c17")


rm = rm_browser  # the relationship manager logged in to the server


def case(people, **overrides):
	return {
		"title": "Finance " + frappe.generate_hash(length=6),
		"customer": people.customer,
		"discount_rate": 10,
		"horizon_years": 3,
		"costs": [cost(1000)],
		"benefits": [benefit(400, year) for year in (1, 2, 3)],
		"requirements": [{"requirement": "Available in office hours", "requirement_type": "Availability"}],
		**overrides,
	}


BAD = {
	"negative-cost": ({"costs": [cost(-1)]}, "BusinessCaseFinanceError"),
	"negative-benefit": ({"benefits": [benefit(-400)]}, "BusinessCaseFinanceError"),
	"rate-100": ({"discount_rate": 100}, "BusinessCaseFinanceError"),
	"rate-150": ({"discount_rate": 150}, "BusinessCaseFinanceError"),
	"rate-negative": ({"discount_rate": -5}, "BusinessCaseFinanceError"),
	"horizon-0": ({"horizon_years": 0}, "BusinessCaseFinanceError"),
	"horizon-1000": ({"horizon_years": 1000}, "BusinessCaseFinanceError"),
	"cost-after-horizon": ({"costs": [cost(100, 4)]}, "BusinessCaseFinanceError"),
	"huge-amount": ({"costs": [cost(1e300)]}, "BusinessCaseFinanceError"),
	"10000-cost-rows": ({"costs": [cost(1) for _ in range(10_000)]}, "BusinessCaseFinanceError"),
	"1-MB-objectives": ({"objectives": "x" * 1_000_000}, "BusinessCaseSizeError"),
	"1-MB-requirement": ({"requirements": [{"requirement": "z" * 1_000_000}]}, "BusinessCaseSizeError"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_finance_input_gets_a_clear_error_and_stores_nothing(rm, people, name):
	overrides, error = BAD[name]
	before = frappe.db.count(BC, {"customer": people.customer})
	started = time.monotonic()
	response = rm.resource("POST", BC, json=case(people, **overrides))
	elapsed = time.monotonic() - started
	assert response.status_code == 417, response.text[:500]
	assert exc_type(response) == error
	assert server_message(response)
	assert elapsed < 60, elapsed  # bounded: refused before heavy work
	refresh()
	assert frappe.db.count(BC, {"customer": people.customer}) == before


@pytest.mark.parametrize("amount", ["abc", [1], {"x": 1}])
def test_amounts_frappe_reads_as_no_number_count_as_nothing(rm, people, amount):
	response = rm.resource("POST", BC, json=case(people, costs=[cost(amount)]))
	assert response.status_code == 200, response.text[:500]
	stored = response.json()["data"]
	assert all(math.isfinite(stored[f]) for f in ("total_cost", "npv")), stored
	assert stored["total_cost"] == 0  # a value frappe reads as no amount counts as nothing


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_amounts_that_are_not_finite_are_refused(rm, people, amount):
	refresh()  # the cases the server committed for earlier tests count too
	before = frappe.db.count(BC, {"customer": people.customer})
	response = rm.resource("POST", BC, json=case(people, costs=[cost(amount)]))
	assert response.status_code == 417, response.text[:500]
	assert server_message(response)
	refresh()
	assert frappe.db.count(BC, {"customer": people.customer}) == before


def test_a_good_case_gets_the_right_npv_whatever_the_client_sends(committed, rm, people):
	response = rm.resource(
		"POST",
		BC,
		json=case(people, npv=999_999, total_cost=1, roi_percent=5000, irr_percent=1, payback_years=0),
	)
	assert response.status_code == 200, response.text[:500]
	data = response.json()["data"]
	committed.add(BC, data["name"])
	expected_npv = -1000 + sum(400 / 1.1**year for year in (1, 2, 3))  # -5.26
	assert data["npv"] == pytest.approx(expected_npv, abs=0.01)
	assert data["total_cost"] == 1000 and data["total_benefit"] == 1200
	assert data["roi_percent"] == pytest.approx(20)
	assert data["payback_years"] == pytest.approx(2.5)
	refresh()
	assert frappe.db.get_value(BC, data["name"], "npv") == pytest.approx(expected_npv, abs=0.01)


def test_the_largest_allowed_case_is_computed_in_bounded_time(committed, rm, people):
	started = time.monotonic()
	response = rm.resource(
		"POST",
		BC,
		json=case(
			people,
			discount_rate=99.99,
			horizon_years=30,
			costs=[cost(1, year % 31) for year in range(1000)],
			benefits=[benefit(2, year % 30 + 1) for year in range(1000)],
		),
	)
	assert response.status_code == 200, response.text[:500]
	committed.add(BC, response.json()["data"]["name"])
	assert time.monotonic() - started < 90
	data = response.json()["data"]
	assert data["total_cost"] == 1000 and data["total_benefit"] == 2000
	assert math.isfinite(data["npv"])
