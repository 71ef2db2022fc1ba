"""The BRM dashboard's and workspace's charts over HTTP, called as the desk's chart widget calls them (issue 15).

frappe's chart widget posts every argument it has, the unset ones as "" (jQuery sends null that way):
`to_date=""`, `timespan=""`. brm_app's override of dashboard_chart.get ran frappe's undecorated function with
those, and "Last Year" counted back from an empty date: HTTP 417, the Survey Responses chart stuck on
"Loading...". The server is a real one on loopback; it sees the committed survey made here.
"""

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from tests.support import security
from tests.support.factories import make_survey
from tests.support.security import HttpUser, http_user

committed = security.committed
RM = "brm-desk-charts-rm@example.com"
CHART_GET = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"


@pytest.fixture(scope="module")
def rm_session(committed, print_server):
	"""A relationship manager with one customer that answered a survey an hour ago (all committed)."""
	customer = security.survey_customer(committed, RM)
	http_user(committed, RM, ("Business Relationship Manager",))
	survey = make_survey(customer)
	committed.add("Satisfaction Survey Template", survey.template)
	committed.add("Satisfaction Survey", survey.name)
	for row, value in zip(survey.answers, [5, 4, 9, "Yes", ""], strict=True):
		row.answer = value
	survey.update({"status": "Responded", "sent_on": add_to_date(now_datetime(), hours=-2)})
	survey.save(ignore_permissions=True)
	committed.commit()
	return HttpUser(print_server, RM, security.PASSWORD)


def desk_arguments(chart_name: str) -> dict:
	"""What frappe's chart widget posts for a time-series chart on first load (fetch_and_update_chart)."""
	chart = frappe.get_doc("Dashboard Chart", chart_name)
	return {
		"chart_name": chart_name,
		"filters": chart.filters_json,
		"refresh": 1,
		"time_interval": "",
		"timespan": "",
		"from_date": "",
		"to_date": "",
		"heatmap_year": "",
	}


def test_survey_responses_chart_loads_with_the_desks_empty_arguments(rm_session):
	response = rm_session.call(CHART_GET, **desk_arguments("Survey Responses"))
	assert response.status_code == 200, response.text
	data = response.json()["message"]
	# the last year, month by month (frappe counts 13 month starts back from today), this month's response
	assert len(data["labels"]) == len(data["datasets"][0]["values"]) >= 12
	assert data["datasets"][0]["values"][-1] == 1
	assert sum(data["datasets"][0]["values"]) == 1


def test_monthly_labels_read_in_the_readers_language(rm_session, committed, print_server):
	"""frappe labels the months "Oct 2026" in English; a reader in Indonesian reads "Okt 2026"."""
	frappe.db.set_value("User", RM, "language", "id")
	committed.commit()
	try:
		session = HttpUser(print_server, RM, security.PASSWORD)
		response = session.call(CHART_GET, **desk_arguments("Survey Responses"))
		assert response.status_code == 200, response.text
		labels = response.json()["message"]["labels"]
	finally:
		frappe.db.set_value("User", RM, "language", None)
		committed.commit()
	lang, frappe.local.lang = frappe.local.lang, "id"
	try:
		this_month = [
			frappe.utils.formatdate(add_to_date(now_datetime(), months=-n), "MMM yyyy") for n in (2, 1, 0)
		]
	finally:
		frappe.local.lang = lang
	assert labels[-3:] == this_month
	# a year of months names at least one the two languages spell differently (Mei, Agu, Okt, Des)
	assert {label.split()[0] for label in labels} & {"Mei", "Agu", "Okt", "Des"}
