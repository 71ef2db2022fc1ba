"""Customer Satisfaction report (issue 6): CSAT / NPS / response rate by month, customer and service, computed
by hand from a small two-manager dataset; row-level access in rows, summary and chart alike."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.utils import add_days, add_to_date, formatdate, getdate, now_datetime, nowdate

from brm_app.brm_app.report.customer_satisfaction.customer_satisfaction import execute
from tests.support.factories import make_it_service, make_portfolio, make_survey, mute_mail
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

REPORT = "Customer Satisfaction"


@pytest.fixture(autouse=True)
def quiet():
	mute_mail()


def respond(customer, values, sent_on, responded_on=None):
	"""A survey answered with `values` (rating, rating, NPS, yes/no, text)."""
	survey = make_survey(customer)
	for row, value in zip(survey.answers, values, strict=True):
		row.answer = value
	survey.update({"status": "Responded", "sent_on": sent_on, "responded_on": responded_on})
	return survey.save(ignore_permissions=True)


@pytest.fixture
def dataset():
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	service, only_a = make_it_service().name, make_it_service().name
	a1 = make_portfolio(
		relationship_manager=rm_a, services=[{"it_service": service}, {"it_service": only_a}]
	).customer
	b1 = make_portfolio(relationship_manager=rm_b, services=[{"it_service": service}]).customer
	now = now_datetime()
	old_sent, old_responded = add_days(now, -40), add_days(now, -39)
	sent = add_to_date(now, hours=-2)

	respond(a1, [5, 5, 10, "Yes", ""], old_sent, old_responded)  # last month: 2 of 2 satisfied, promoter
	respond(a1, [3, 4, 6, "No", ""], sent)  # 1 of 2 satisfied, detractor
	waiting = make_survey(a1)
	frappe.db.set_value("Satisfaction Survey", waiting.name, {"status": "Sent", "sent_on": sent})
	respond(b1, [1, 2, 8, "No", ""], sent)  # 0 of 2 satisfied, passive
	return frappe._dict(
		rm_a=rm_a,
		manager=manager,
		service=service,
		only_a=only_a,
		a1=a1,
		b1=b1,
		old_month=getdate(old_responded).strftime("%Y-%m"),
		this_month=getdate(now).strftime("%Y-%m"),
		filters={"service": service, "from_date": add_days(nowdate(), -60), "to_date": nowdate()},
	)


FIELDS = (
	"sent",
	"responded",
	"response_rate",
	"ratings",
	"csat",
	"nps_answers",
	"promoters",
	"detractors",
	"nps",
)


def figures(row):
	return tuple(row[f] for f in FIELDS)


def by_group(rows):
	return {row["group"]: figures(row) for row in rows}


def summary_values(summary):
	return {item["label"]: item["value"] for item in summary}


SPLIT_LABELS = ("Relationship CSAT %", "Delivery CSAT %", "Relationship NPS", "Delivery NPS")


def test_by_month_for_the_process_manager(dataset):
	with as_user(dataset.manager):
		columns, rows, _message, chart, summary = execute({**dataset.filters, "group_by": "Month"})
	assert all(col.get("fieldname") for col in columns)
	assert by_group(rows) == {
		# sent, responded, rate, ratings, csat, nps answers, promoters, detractors, nps
		dataset.old_month: (1, 1, 100.0, 2, 100.0, 1, 1, 0, 100.0),
		dataset.this_month: (3, 2, 66.7, 4, 25.0, 2, 0, 1, -50.0),
	}
	assert [row["group"] for row in rows] == [dataset.old_month, dataset.this_month]
	# totals over the period: 4 sent, 3 responded; 3 of 6 ratings satisfied; 1 promoter 1 detractor of 3
	assert summary_values(summary) == {
		"Surveys Sent": 4,
		"Response Rate %": 75.0,
		"CSAT %": 50.0,
		"Rating Answers": 6,
		"NPS": 0.0,
		"NPS Answers": 3,
		"Detractors": 1,
		# the relationship / delivery split (issue 18): these surveys are Manual, in neither
		**dict.fromkeys(SPLIT_LABELS, "\u2014"),
	}
	# months as a reader reads them, each with its sample size (rating answers)
	old_label, this_label = (
		formatdate(f"{key}-01", "MMM yyyy") for key in (dataset.old_month, dataset.this_month)
	)
	assert [row["group_label"] for row in rows] == [old_label, this_label]
	assert chart["data"]["labels"] == [f"{old_label} (n=2)", f"{this_label} (n=4)"]
	# percentages only, on one axis: CSAT and response rate (NPS, -100..100, is not drawn with them)
	assert [d["name"] for d in chart["data"]["datasets"]] == ["CSAT %", "Response Rate %"]
	assert chart["data"]["datasets"][0]["values"] == [row["csat"] for row in rows]
	assert chart["data"]["datasets"][1]["values"] == [row["response_rate"] for row in rows]
	assert chart["fieldtype"] == "Percent"


def test_relationship_manager_sees_only_their_customers(dataset):
	with as_user(dataset.rm_a):
		_columns, rows, _message, chart, summary = execute({**dataset.filters, "group_by": "Month"})
		result = run(REPORT, filters={**dataset.filters, "group_by": "Month"}, user="Administrator")
		# and as the desk calls it (no user): Link columns must not need Customer read permission
		plain = run(REPORT, filters={**dataset.filters, "group_by": "Month"})
	expected = {
		dataset.old_month: (1, 1, 100.0, 2, 100.0, 1, 1, 0, 100.0),
		dataset.this_month: (2, 1, 50.0, 2, 50.0, 1, 0, 1, -100.0),
	}
	assert by_group(rows) == expected
	assert by_group(result["result"]) == expected
	assert summary_values(summary) == {
		"Surveys Sent": 3,
		"Response Rate %": 66.7,
		"CSAT %": 75.0,
		"Rating Answers": 4,
		"NPS": 0.0,
		"NPS Answers": 2,
		"Detractors": 1,
		# the relationship / delivery split (issue 18): these surveys are Manual, in neither
		**dict.fromkeys(SPLIT_LABELS, "\u2014"),
	}
	assert summary_values(result["report_summary"]) == summary_values(summary)
	assert chart["data"]["datasets"][0]["values"] == [100.0, 50.0]
	assert by_group(plain["result"]) == by_group(result["result"])


def test_by_customer_and_by_service(dataset):
	with as_user(dataset.manager):
		_c, customers, *_r = execute({**dataset.filters, "group_by": "Customer"})
		_c, services, *_r = execute({**dataset.filters, "group_by": "Service"})
		_c, only_a, _m, _chart, only_a_summary = execute(
			{**dataset.filters, "group_by": "Service", "service": dataset.only_a}
		)
	assert by_group(customers) == {
		dataset.a1: (3, 2, 66.7, 4, 75.0, 2, 1, 1, 0.0),
		dataset.b1: (1, 1, 100.0, 2, 0.0, 1, 0, 0, 0.0),
	}
	# a response counts for every service its customer consumes; the Service filter keeps A1 only
	assert by_group(services) == {
		dataset.service: (4, 3, 75.0, 6, 50.0, 3, 1, 1, 0.0),
		dataset.only_a: (3, 2, 66.7, 4, 75.0, 2, 1, 1, 0.0),
	}
	assert by_group(only_a) == {
		dataset.service: (3, 2, 66.7, 4, 75.0, 2, 1, 1, 0.0),
		dataset.only_a: (3, 2, 66.7, 4, 75.0, 2, 1, 1, 0.0),
	}
	assert summary_values(only_a_summary)["CSAT %"] == 75.0
	# a customer group reads as the customer's name, a manager's as their full name
	names = {row["group"]: row["group_label"] for row in customers}
	assert names == {
		dataset.a1: frappe.db.get_value("Customer", dataset.a1, "customer_name"),
		dataset.b1: frappe.db.get_value("Customer", dataset.b1, "customer_name"),
	}


def test_no_responses_is_no_figure_not_zero(dataset):
	"""A period with surveys sent but none answered: CSAT and NPS are "—", and the chart draws no CSAT."""
	with as_user(dataset.manager):
		_c, rows, _m, _chart, summary = execute(
			{
				"service": dataset.service,
				"from_date": add_days(nowdate(), -400),
				"to_date": add_days(nowdate(), -100),
			}
		)
	assert rows == []
	values = summary_values(summary)
	assert (values["CSAT %"], values["NPS"], values["Response Rate %"]) == ("\u2014", "\u2014", "\u2014")
	assert values["Surveys Sent"] == 0


def test_default_period_is_the_last_3_months(dataset):
	"""Blank dates: the 3 months up to today, so last month's response is in."""
	with as_user(dataset.manager):
		_c, rows, *_r = execute({"service": dataset.service, "group_by": "Month"})
	assert {row["group"] for row in rows} == {dataset.old_month, dataset.this_month}
	with as_user(dataset.manager):
		_c, rows, *_r = execute(
			{"service": dataset.service, "from_date": add_days(nowdate(), -30), "to_date": nowdate()}
		)
	assert [row["group"] for row in rows] == [dataset.this_month]
