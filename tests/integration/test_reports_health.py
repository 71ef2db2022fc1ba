"""Customer Health report (issue 6): at-risk customers first, the parts as stored by the health job, the
summary and chart over every portfolio in scope (not only the rows shown), and row-level access."""

import frappe
import pytest
from frappe.desk.query_report import run

from brm_app.brm_app.report.customer_health.customer_health import execute
from tests.support.factories import make_it_service, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

REPORT = "Customer Health"


def portfolio(rm, service, score, rag, status="Active", **parts):
	doc = make_portfolio(relationship_manager=rm, services=[{"it_service": service}])
	# what the hourly health job stores (brm_app.jobs.health), written directly
	frappe.db.set_value(
		"Customer Portfolio",
		doc.name,
		{"health_score": score, "health_rag": rag, "relationship_status": status, **parts},
		update_modified=False,
	)
	return doc.name


@pytest.fixture
def dataset():
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	service = make_it_service().name
	data = frappe._dict(rm_a=rm_a, manager=manager, service=service)
	data.a_red = portfolio(rm_a, service, 30, "Red", csat_score=40, open_complaints=3, sla_compliance=70)
	data.a_green = portfolio(rm_a, service, 90, "Green")
	data.a_at_risk = portfolio(rm_a, service, 80, "Green", status="At Risk")
	data.a_ended = portfolio(rm_a, service, 10, "Red", status="Ended")
	data.b_amber = portfolio(rm_b, service, 60, "Amber")
	data.b_unscored = portfolio(rm_b, service, 0, "")
	return data


def summary_values(summary):
	return {item["label"]: item["value"] for item in summary}


def test_at_risk_first_for_the_process_manager(dataset):
	with as_user(dataset.manager):
		columns, rows, message, chart, summary = execute({"service": dataset.service})
	assert all(col.get("fieldname") for col in columns)
	# Red or At Risk first (lowest score first), then Amber, Green, not scored; Ended left out
	assert [row["portfolio"] for row in rows] == [
		dataset.a_red,
		dataset.a_at_risk,
		dataset.b_amber,
		dataset.a_green,
		dataset.b_unscored,
	]
	red = rows[0]
	assert (red["health_score"], red["csat_score"], red["open_complaints"], red["sla_compliance"]) == (
		30,
		40,
		3,
		70,
	)
	assert message is None
	assert summary_values(summary) == {
		"Portfolios": 5,
		"Mean Health Score": 65.0,  # (30 + 90 + 80 + 60) / 4 scored
		"Red": 1,
		"Amber": 1,
		"Green": 2,
		"Not Scored": 1,
		"Relationship At Risk": 1,
	}
	assert chart["data"]["datasets"][0]["values"] == [1, 1, 2, 1]


def test_relationship_manager_sees_only_their_customers(dataset):
	with as_user(dataset.rm_a):
		_c, rows, _m, chart, summary = execute({"service": dataset.service})
		result = run(REPORT, filters={"service": dataset.service}, user="Administrator")
		# and as the desk calls it (no user): Link columns must not need Customer read permission
		plain = run(REPORT, filters={"service": dataset.service})
	expected = [dataset.a_red, dataset.a_at_risk, dataset.a_green]
	assert [row["portfolio"] for row in rows] == expected
	assert [row["portfolio"] for row in result["result"]] == expected
	assert summary_values(summary) == {
		"Portfolios": 3,
		"Mean Health Score": 66.7,  # (30 + 90 + 80) / 3
		"Red": 1,
		"Amber": 0,
		"Green": 2,
		"Not Scored": 0,
		"Relationship At Risk": 1,
	}
	assert chart["data"]["datasets"][0]["values"] == [1, 0, 2, 0]
	assert summary_values(result["report_summary"]) == summary_values(summary)
	assert [row["portfolio"] for row in plain["result"]] == [row["portfolio"] for row in result["result"]]


def test_show_limits_rows_but_not_the_totals(dataset):
	with as_user(dataset.manager):
		_c, rows, message, _chart, summary = execute({"service": dataset.service, "limit": 2})
	assert [row["portfolio"] for row in rows] == [dataset.a_red, dataset.a_at_risk]
	assert "5" in message
	assert summary_values(summary)["Portfolios"] == 5


def test_filters_for_rag_and_status(dataset):
	with as_user(dataset.manager):
		_c, amber, *_r = execute({"service": dataset.service, "health_rag": "Amber"})
		_c, unscored, *_r = execute({"service": dataset.service, "health_rag": "Not Scored"})
		_c, ended, *_r = execute({"service": dataset.service, "relationship_status": "Ended"})
	assert [row["portfolio"] for row in amber] == [dataset.b_amber]
	assert [row["portfolio"] for row in unscored] == [dataset.b_unscored]
	assert [row["portfolio"] for row in ended] == [dataset.a_ended]


@pytest.mark.parametrize("small_scope", [2000, 0], ids=["one sorted query", "bucket by bucket"])
def test_the_page_is_the_head_of_the_full_order_for_every_show(dataset, small_scope, monkeypatch):
	"""brm_app.brm_app.report.shared.queries.health_rows sorts a small scope in one query and reads a large one bucket by
	bucket (forced here with SMALL_SCOPE = 0); either way, whatever Show cuts, the page is the head of the
	one order: Red or At Risk, Amber, Green, not scored; score, then name."""
	import random

	from brm_app.brm_app.report.shared import queries

	monkeypatch.setattr(queries, "SMALL_SCOPE", small_scope)

	rng = random.Random(6)
	service = dataset.service
	made_not_ended = 0
	for _n in range(14):
		rag = rng.choice(["Red", "Amber", "Green", ""])
		status = rng.choice(["Active", "Active", "At Risk", "Prospect", "Dormant", "Ended"])
		score = 0 if not rag else rng.choice([20, 45, 45, 70, 95])
		portfolio(dataset.rm_a, service, score, rag, status=status)
		made_not_ended += status != "Ended"

	def bucket(row):
		if row["health_rag"] == "Red" or row["relationship_status"] == "At Risk":
			return 0
		return {"Amber": 1, "Green": 2}.get(row["health_rag"] or "", 3)

	with as_user(dataset.manager):
		_c, everything, *_r = execute({"service": service, "limit": 1000})
		expected = sorted(everything, key=lambda r: (bucket(r), r["health_score"], r["portfolio"]))
		assert [r["portfolio"] for r in everything] == [r["portfolio"] for r in expected]
		assert all(r["relationship_status"] != "Ended" for r in everything)
		in_scope = frappe.db.sql(
			"""select count(*) from `tabCustomer Portfolio` p
			where p.relationship_status != 'Ended' and p.name in (select ps.parent from `tabPortfolio Service` ps
				where ps.parenttype = 'Customer Portfolio' and ps.it_service = %s)""",
			service,
		)[0][0]
		# the fixture's five portfolios that are not Ended, and those made here
		assert len(everything) == in_scope == 5 + made_not_ended
		for show in range(1, len(everything) + 1):
			_c, page, *_r = execute({"service": service, "limit": show})
			assert [r["portfolio"] for r in page] == [r["portfolio"] for r in expected[:show]], show


def test_rows_read_by_name_once_with_no_data_empty(dataset):
	"""One customer column with the full name (not the id, the name and the portfolio, three times the same
	words), the manager by full name, and a portfolio without data has no score (not 0)."""
	frappe.db.set_value("Customer Portfolio", dataset.b_unscored, "health_score", None, update_modified=False)
	with as_user(dataset.manager):
		columns, rows, *_rest = execute({"service": dataset.service})
	shown = [col["fieldname"] for col in columns if not col.get("hidden")]
	assert shown[:2] == ["customer_name", "relationship_manager_name"]
	assert "customer" not in shown and "portfolio" not in shown and "relationship_manager" not in shown
	by_portfolio = {row["portfolio"]: row for row in rows}
	red = by_portfolio[dataset.a_red]
	assert red["customer_name"] == frappe.db.get_value("Customer Portfolio", dataset.a_red, "customer_name")
	assert red["relationship_manager_name"] == frappe.utils.get_fullname(dataset.rm_a)
	assert "@" not in red["relationship_manager_name"]
	unscored = by_portfolio[dataset.b_unscored]
	assert unscored["health_score"] is None and unscored["health_rag"] == "Not Scored"
