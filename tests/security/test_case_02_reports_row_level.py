"""docs/security.md case 2: KPI and other script reports run as a relationship manager → only their customers'
rows and totals; the `user` parameter of report APIs cannot be spoofed.

Over HTTP against a real server on loopback, every BRM script report (found from the Report table, so a new
one is covered the day it lands) is run as relationship managers A and B and as a process manager:
- what B gets equals what the process manager gets when filtering on B's portfolios
  (relationship_manager = B) — rows and totals alike — and differs from the process manager's unfiltered
  result where A's data shows;
- B cannot widen the scope with filters (relationship_manager = A, customer = A's customer → nothing of A's);
- the `user` argument of query_report.run (Administrator, A, the process manager) changes nothing;
- a prepared report of another user cannot be loaded through `prepared_report_name`;
- the report export (query_report.export_query) contains none of A's customers.
"""

import json

import frappe
import pytest

from tests.security.conftest import PORTFOLIO
from tests.support.security import HttpUser

pytestmark = pytest.mark.usefixtures("world")

RUN = "frappe.desk.query_report.run"


def brm_script_reports() -> list[str]:
	return sorted(
		frappe.get_all(
			"Report",
			filters={"module": "BRM App", "report_type": "Script Report", "is_standard": "Yes"},
			pluck="name",
		)
	)


@pytest.fixture(scope="module")
def browsers(server, world):
	return {key: HttpUser(server, getattr(world, key)) for key in ("rm_a", "rm_b", "pm")}


@pytest.fixture(scope="module")
def reports(world):
	names = brm_script_reports()
	assert len(names) >= 5, names
	return names


def _run(browser, report, filters=None, **extra) -> dict:
	response = browser.call(RUN, report_name=report, filters=json.dumps(filters or {}), **extra)
	assert response.status_code == 200, (report, response.status_code, response.text[:800])
	message = response.json()["message"]
	message.pop("execution_time", None)
	return message


def _comparable(message: dict) -> str:
	return json.dumps(
		{k: message.get(k) for k in ("result", "report_summary", "chart", "columns")},
		sort_keys=True,
		default=str,
	)


def _customers(world, key) -> set[str]:
	return {world.records[key][PORTFOLIO]}


def test_every_report_as_a_relationship_manager_equals_the_managers_scope(world, browsers, reports):
	for report in reports:
		for key, user in (("rm_a", world.rm_a), ("rm_b", world.rm_b)):
			own = _run(browsers[key], report)
			scoped = _run(browsers["pm"], report, {"relationship_manager": user})
			assert _comparable(own) == _comparable(scoped), (report, key)


def test_reports_with_customer_rows_show_only_own_customers(world, browsers, reports):
	others = _customers(world, "a1") | _customers(world, "a2")
	shown_somewhere = False
	for report in reports:
		rows = _run(browsers["rm_b"], report).get("result") or []
		pm_rows = _run(browsers["pm"], report).get("result") or []
		customers = {row.get("customer") for row in rows if isinstance(row, dict)}
		assert not customers & others, report
		text = json.dumps(rows, default=str)
		for key in ("a1", "a2"):
			assert world.records[key][PORTFOLIO] not in text, (report, key)
		if others & {row.get("customer") for row in pm_rows if isinstance(row, dict)}:
			shown_somewhere = True  # the process manager does see A's customers in this report
	assert shown_somewhere, "no report lists customers: the check above proved nothing"


def test_filters_cannot_widen_the_scope(world, browsers, reports):
	a_customer = world.records["a1"][PORTFOLIO]
	for report in reports:
		nothing = _run(browsers["rm_b"], report, {"relationship_manager": world.rm_b, "customer": a_customer})
		for filters in ({"relationship_manager": world.rm_a}, {"customer": a_customer}):
			widened = _run(browsers["rm_b"], report, filters)
			assert _comparable(widened) == _comparable(nothing), (report, filters)
			assert a_customer not in json.dumps(widened.get("result"), default=str), (report, filters)


def test_a_scope_cache_sent_in_the_filters_is_ignored(world, browsers, reports):
	"""The portfolios in scope of a run are a ReportScope built beside the filters
	(brm_app.brm_app.report.shared.scope), never read from them; the key that once carried them
	(brm_app.brm_app.report.shared.common.SCOPE_CACHE), sent by a client in any shape, neither widens the
	scope nor breaks the report: the answer is the honest one, or the filter value is refused."""
	from brm_app.brm_app.report.shared.common import SCOPE_CACHE

	every_portfolio = frappe.get_all(PORTFOLIO, pluck="name")
	others = world.records["a1"][PORTFOLIO]
	accepted = 0
	for report in reports:
		honest = _run(browsers["rm_b"], report)
		for forged in (
			{"x": [every_portfolio, every_portfolio]},
			"everything",
			[[world.rm_b], [every_portfolio]],
		):
			filters = json.dumps({SCOPE_CACHE: forged})
			response = browsers["rm_b"].call(RUN, report_name=report, filters=filters)
			assert others not in response.text, (report, forged)
			if isinstance(forged, str):  # a scalar: accepted, and the scope is computed afresh
				assert response.status_code == 200, (report, forged, response.text[:300])
				accepted += 1
				spoof = response.json()["message"]
				spoof.pop("execution_time", None)
				assert _comparable(spoof) == _comparable(honest), (report, forged)
			else:
				# a filter value that is not a scalar is refused as such (brm_app.access.endpoints.run)
				assert response.status_code == 417, (
					report,
					forged,
					response.status_code,
					response.text[:300],
				)
				assert "Invalid value for report filter" in response.text
	# the string form reaches every report: the cache it would replace is really bypassed
	assert accepted == len(reports)


@pytest.mark.parametrize("spoofed", ["Administrator", "rm_a", "pm"])
def test_user_parameter_cannot_be_spoofed(world, browsers, reports, spoofed):
	user = getattr(world, spoofed, spoofed)
	for report in reports:
		honest = _run(browsers["rm_b"], report)
		spoof = _run(browsers["rm_b"], report, user=user)
		assert _comparable(spoof) == _comparable(honest), (report, spoofed)
		# over GET too (frappe.call from the desk may use GET for reports)
		response = browsers["rm_b"].get_method(RUN, report_name=report, filters="{}", user=user)
		assert response.status_code == 200
		got = response.json()["message"]
		got.pop("execution_time", None)
		assert _comparable(got) == _comparable(honest), (report, spoofed)


def test_another_users_prepared_report_cannot_be_loaded(world, browsers, reports):
	frappe.db.rollback()
	prepared = frappe.new_doc("Prepared Report")
	prepared.update({"report_name": reports[0], "status": "Completed", "filters": "{}"})
	prepared.owner = world.pm
	prepared.db_insert()
	frappe.db.commit()  # nosemgrep: the server must see it; deleted below
	try:
		response = browsers["rm_b"].call(
			RUN, report_name=reports[0], filters=json.dumps({"prepared_report_name": prepared.name})
		)
		assert response.status_code == 403, response.text[:500]
		export = browsers["rm_b"].call(
			"frappe.desk.query_report.export_query",
			report_name=reports[0],
			file_format_type="CSV",
			filters=json.dumps({"prepared_report_name": prepared.name}),
			visible_idx="[]",
		)
		assert export.status_code == 403, export.text[:500]
	finally:
		frappe.db.rollback()
		frappe.db.delete("Prepared Report", prepared.name)
		frappe.db.commit()  # nosemgrep: removes the row committed above


def test_report_export_holds_none_of_another_managers_customers(world, browsers, reports):
	for report in reports:
		response = browsers["rm_b"].call(
			"frappe.desk.query_report.export_query",
			report_name=report,
			file_format_type="CSV",
			filters="{}",
			visible_idx="[]",
		)
		assert response.status_code == 200, (report, response.text[:500])
		for key in ("a1", "a2"):
			assert world.records[key][PORTFOLIO] not in response.text, (report, key)
