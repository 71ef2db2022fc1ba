"""The BRM reports only read (issue 6): frappe runs them @frappe.read_only, possibly on a read replica, so
execute() must not insert, update, delete or commit. Checked with MariaDB's own statement counters."""

import importlib

import frappe
import pytest
from frappe.desk.query_report import run

from tests.support.factories import make_portfolio
from tests.support.users import as_user
from tests.support.workflow import RELATIONSHIP_MANAGER, make_approver

REPORTS = {
	"BRM KPI Scorecard": "brm_kpi_scorecard",
	"Customer Satisfaction": "customer_satisfaction",
	"Customer Health": "customer_health",
	"Agreement Renewals": "agreement_renewals",
	"Business Case Pipeline": "business_case_pipeline",
}
WRITES = ("Com_insert", "Com_update", "Com_delete", "Com_replace", "Com_commit", "Com_insert_select")


def write_counters() -> dict:
	rows = frappe.db.sql("show session status where Variable_name in %(names)s", {"names": WRITES})
	return {name: int(value) for name, value in rows}


@pytest.mark.parametrize("report", list(REPORTS))
def test_report_writes_nothing(report):
	rm = make_approver(RELATIONSHIP_MANAGER)
	make_portfolio(relationship_manager=rm)
	module = importlib.import_module(f"brm_app.brm_app.report.{REPORTS[report]}.{REPORTS[report]}")
	with as_user(rm):
		before = write_counters()
		columns, _data, _message, chart, summary = module.execute({})
		after = write_counters()
	assert after == before
	assert columns and chart and summary
	assert all(column.get("fieldname") for column in columns)


@pytest.mark.parametrize("report", list(REPORTS))
def test_report_runs_through_query_report_run_for_a_relationship_manager(report):
	rm = make_approver(RELATIONSHIP_MANAGER)
	with as_user(rm):
		result = run(report, filters={})
	assert result["chart"] and result["report_summary"]


def test_the_counters_do_see_a_write():
	"""The check above would catch a write: an UPDATE moves the counters."""
	portfolio = make_portfolio()
	before = write_counters()
	frappe.db.set_value("Customer Portfolio", portfolio.name, "health_score", 1, update_modified=False)
	assert write_counters() != before
