"""Agreement Renewals report (issue 6): agreements ending within N days with their notice deadline, soonest
deadline first, the Service filter on the agreement's services, and row-level access."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.utils import add_days, getdate, nowdate

from brm_app.brm_app.report.agreement_renewals.agreement_renewals import execute
from tests.support.factories import make_agreement, make_it_service, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

REPORT = "Agreement Renewals"


def agreement(customer, ends_in, notice, services, status="Active"):
	doc = make_agreement(
		customer,
		start_date=add_days(nowdate(), -365),
		end_date=add_days(nowdate(), ends_in),
		notice_period_days=notice,
		services=[{"it_service": s} for s in services],
	)
	# submitted and Active / Expiring, as its sign-off would leave it (the workflow is tested elsewhere)
	doc.db_set({"docstatus": 1, "status": status})
	return doc.name


@pytest.fixture
def dataset():
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	service, other = make_it_service().name, make_it_service().name
	a1 = make_portfolio(relationship_manager=rm_a).customer
	a2 = make_portfolio(relationship_manager=rm_a).customer
	b1 = make_portfolio(relationship_manager=rm_b).customer
	data = frappe._dict(rm_a=rm_a, rm_b=rm_b, manager=manager, service=service, other=other)
	data.a1_soon = agreement(a1, 30, 60, [service])  # deadline passed 30 days ago
	data.a1_later = agreement(a1, 200, 30, [service])  # outside 90 days
	data.a2_expiring = agreement(a2, 10, 0, [service, other], status="Expiring")  # deadline in 10 days
	data.b1 = agreement(b1, 80, 30, [service])  # deadline in 50 days
	agreement(b1, 40, 10, [service], status="Terminated")  # not renewable: left out
	draft = make_agreement(b1, end_date=add_days(nowdate(), 20), services=[{"it_service": service}])
	data.draft = draft.name  # a draft is not in force: left out
	return data


def summary_values(summary):
	return {item["label"]: item["value"] for item in summary}


def test_process_manager_sees_soonest_deadline_first(dataset):
	with as_user(dataset.manager):
		columns, rows, _m, chart, summary = execute({"service": dataset.service})
	assert all(col.get("fieldname") for col in columns)
	assert [row["agreement"] for row in rows] == [dataset.a1_soon, dataset.a2_expiring, dataset.b1]
	today = getdate(nowdate())
	assert [(row["days_to_end"], row["days_to_notice_deadline"]) for row in rows] == [
		(30, -30),
		(10, 10),
		(80, 50),
	]
	assert rows[0]["notice_deadline"] == getdate(add_days(today, -30))
	assert summary_values(summary) == {
		"Agreements Ending": 3,
		"Notice Deadline Passed": 1,
		"Notice Deadline within 30 Days": 1,
		"Next Notice Deadline": frappe.utils.formatdate(add_days(today, 10)),
	}
	months = sorted({getdate(row["end_date"]).strftime("%Y-%m-01") for row in rows})
	assert chart["data"]["labels"] == [frappe.utils.formatdate(month, "MMM yyyy") for month in months]
	# the customer's full name and the manager's full name, not an id or an e-mail address
	assert [row["customer_name"] for row in rows] == [
		frappe.db.get_value("Customer", row["customer"], "customer_name") for row in rows
	]
	assert {row["relationship_manager_name"] for row in rows} == {
		frappe.utils.get_fullname(user) for user in (dataset.rm_a, dataset.rm_b)
	}
	assert not any("@" in row["relationship_manager_name"] for row in rows)
	assert sum(chart["data"]["datasets"][0]["values"]) == len(rows)


def test_relationship_manager_sees_only_their_agreements(dataset):
	with as_user(dataset.rm_a):
		_c, rows, _m, chart, summary = execute({"service": dataset.service})
		result = run(REPORT, filters={"service": dataset.service}, user="Administrator")
		# and as the desk calls it (no user): Link columns must not need Customer read permission
		plain = run(REPORT, filters={"service": dataset.service})
	expected = [dataset.a1_soon, dataset.a2_expiring]
	assert [row["agreement"] for row in rows] == expected
	assert [row["agreement"] for row in result["result"]] == expected
	assert summary_values(summary)["Agreements Ending"] == 2
	assert summary_values(result["report_summary"])["Notice Deadline Passed"] == 1
	assert sum(chart["data"]["datasets"][0]["values"]) == 2
	assert [row["agreement"] for row in plain["result"]] == [row["agreement"] for row in result["result"]]


def test_days_ahead_and_service_filters(dataset):
	with as_user(dataset.manager):
		_c, year, *_r = execute({"service": dataset.service, "days_ahead": 365})
		_c, other, *_r = execute({"service": dataset.other})
		_c, week, *_r = execute({"service": dataset.service, "days_ahead": 7})
	assert [row["agreement"] for row in year] == [
		dataset.a1_soon,
		dataset.a2_expiring,
		dataset.b1,
		dataset.a1_later,
	]
	assert [row["agreement"] for row in other] == [dataset.a2_expiring]
	assert week == []


def test_show_limits_the_rows_but_not_the_summary_or_chart(dataset):
	with as_user(dataset.manager):
		_c, rows, message, chart, summary = execute({"service": dataset.service, "limit": 2})
		_c, everything, no_message, *_r = execute({"service": dataset.service, "limit": 3})
	# the soonest notice deadlines first, cut at Show
	assert [row["agreement"] for row in rows] == [dataset.a1_soon, dataset.a2_expiring]
	assert [row["agreement"] for row in everything] == [dataset.a1_soon, dataset.a2_expiring, dataset.b1]
	# the summary and chart still count all three agreements of the window
	assert summary_values(summary)["Agreements Ending"] == 3
	assert summary_values(summary)["Notice Deadline Passed"] == 1
	assert sum(chart["data"]["datasets"][0]["values"]) == 3
	assert "2" in message and "3" in message
	assert no_message is None
