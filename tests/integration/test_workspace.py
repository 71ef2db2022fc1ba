"""The Business Relationship Management workspace, dashboard, number cards and dashboard charts (issue 6):
installed from the module's standard files, linking every BRM doctype, report and the settings; the cards
and charts over BRM doctypes count only what the reader may see."""

import json

import frappe
import pytest
from frappe.desk.doctype.number_card.number_card import get_result
from frappe.utils import add_to_date, now_datetime

from brm_app.brm_app.report.shared.cards import NO_DATA, csat_last_90_days, nps_last_90_days
from tests.support.desk_calls import REPORTS
from tests.support.factories import make_portfolio, make_survey, mute_mail
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

WORKSPACE = "Business Relationship Management"
MODULE = "BRM App"


def test_workspace_links_every_brm_doctype_report_and_the_settings():
	workspace = frappe.get_doc("Workspace", WORKSPACE)
	assert (workspace.module, workspace.public) == (MODULE, 1)
	links = {(link.link_type, link.link_to) for link in workspace.links if link.type == "Link"}
	doctypes = frappe.get_all("DocType", filters={"module": MODULE, "istable": 0}, pluck="name")
	assert "BRM Settings" in doctypes
	for doctype in doctypes:
		assert ("DocType", doctype) in links, doctype
	for report in REPORTS:
		assert ("Report", report) in links, report
		assert frappe.db.get_value("Report", report, ["module", "report_type", "is_standard"]) == (
			MODULE,
			"Script Report",
			"Yes",
		)
	for link_type, target in links:
		assert frappe.db.exists(link_type, target), (link_type, target)


def test_workspace_content_points_at_standard_cards_charts_and_shortcuts():
	workspace = frappe.get_doc("Workspace", WORKSPACE)
	blocks = json.loads(workspace.content)
	card_labels = {row.label for row in workspace.number_cards}
	chart_labels = {row.label for row in workspace.charts}
	shortcut_labels = {row.label for row in workspace.shortcuts}
	for block in blocks:
		if block["type"] == "number_card":
			assert block["data"]["number_card_name"] in card_labels
		elif block["type"] == "chart":
			assert block["data"]["chart_name"] in chart_labels
		elif block["type"] == "shortcut":
			assert block["data"]["shortcut_name"] in shortcut_labels
	for row in workspace.number_cards:
		assert frappe.db.get_value("Number Card", row.number_card_name, ["module", "is_standard"]) == (
			MODULE,
			1,
		)
	for row in workspace.charts:
		assert frappe.db.get_value("Dashboard Chart", row.chart_name, ["module", "is_standard"]) == (
			MODULE,
			1,
		)
	dashboard = frappe.get_doc("Dashboard", WORKSPACE)
	assert dashboard.is_standard and dashboard.module == MODULE
	assert {row.card for row in dashboard.cards} == card_labels
	assert chart_labels <= {row.chart for row in dashboard.charts}


@pytest.fixture
def people():
	mute_mail()
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	mine = [make_portfolio(relationship_manager=rm_a).name for _ in range(2)]
	theirs = [make_portfolio(relationship_manager=rm_b).name for _ in range(3)]
	return frappe._dict(rm_a=rm_a, manager=manager, mine=mine, theirs=theirs)


def card_count(name):
	card = frappe.get_doc("Number Card", name)
	return get_result(card.as_dict(), card.filters_json)


def test_count_cards_count_only_the_readers_records(people):
	"""frappe's count cards go through get_list, which applies brm_app's permission_query_conditions."""
	all_active = frappe.db.count("Customer Portfolio", {"relationship_status": "Active"})
	with as_user(people.rm_a):
		assert card_count("Active Customer Portfolios") == 2
	with as_user(people.manager):
		assert card_count("Active Customer Portfolios") == all_active >= 5


def test_health_donut_counts_only_the_readers_portfolios_in_rag_order_and_colours(people):
	"""The workspace's health donut is the Customer Health report's chart: Red, Amber, Green, Not Scored in
	that order, whatever the counts, so the chart's colours (red, orange, green, grey) keep their meaning."""
	from frappe.desk.query_report import run

	for name in people.mine + people.theirs:
		frappe.db.set_value("Customer Portfolio", name, {"health_rag": "Red", "health_score": 10})
	all_red = frappe.db.count(
		"Customer Portfolio", {"health_rag": "Red", "relationship_status": ("!=", "Ended")}
	)
	chart_doc = frappe.get_doc("Dashboard Chart", "Customer Health RAG")
	assert (chart_doc.chart_type, chart_doc.report_name, chart_doc.use_report_chart) == (
		"Report",
		"Customer Health",
		1,
	)
	assert json.loads(chart_doc.custom_options)["colors"] == ["#e24c4c", "#f8a13f", "#2e9e5b", "#a8b3bf"]
	with as_user(people.rm_a):
		mine = run("Customer Health", filters={})["chart"]
	with as_user(people.manager):
		everyone = run("Customer Health", filters={})["chart"]
	assert mine["data"]["labels"] == ["Red", "Amber", "Green", "Not Scored"]
	assert mine["data"]["datasets"][0]["values"] == [2, 0, 0, 0]
	assert everyone["data"]["datasets"][0]["values"][0] == all_red


def respond(customer, values):
	survey = make_survey(customer)
	for row, value in zip(survey.answers, values, strict=True):
		row.answer = value
	survey.update({"status": "Responded", "sent_on": add_to_date(now_datetime(), hours=-1)})
	return survey.save(ignore_permissions=True)


def test_csat_and_nps_cards_are_scoped_to_the_reader(people):
	mine = frappe.db.get_value("Customer Portfolio", people.mine[0], "customer")
	theirs = frappe.db.get_value("Customer Portfolio", people.theirs[0], "customer")
	respond(mine, [5, 4, 10, "Yes", ""])  # 2 of 2 satisfied, promoter
	respond(theirs, [1, 1, 0, "No", ""])  # 0 of 2, detractor
	with as_user(people.rm_a):
		assert csat_last_90_days()["value"] == 100.0
		assert nps_last_90_days()["value"] == 100.0
	with as_user(people.manager):
		# only these two responses exist on the throw-away test site in this transaction
		assert csat_last_90_days()["value"] == 50.0
		assert nps_last_90_days()["value"] == 0.0


def test_csat_and_nps_cards_show_a_dash_without_responses_not_zero(people):
	"""A relationship manager whose customers have no response in 90 days has no CSAT / NPS: "—"."""
	with as_user(people.rm_a):
		assert csat_last_90_days() == NO_DATA == "\u2014"
		assert nps_last_90_days() == NO_DATA


def test_relationship_manager_gets_the_whole_workspace(people):
	"""As desk builds it for the reader: every card, chart, shortcut and link is allowed to a relationship
	manager (frappe drops the items a user may not open)."""
	from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items

	workspace = frappe.get_doc("Workspace", WORKSPACE)
	with as_user(people.rm_a):
		sidebar = [page["name"] for page in get_workspace_sidebar_items()["pages"]]
		page = get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
	assert WORKSPACE in sidebar
	assert {c.label for c in page["number_cards"]["items"]} == {row.label for row in workspace.number_cards}
	assert {c.label for c in page["charts"]["items"]} == {row.label for row in workspace.charts}
	links = {link.link_to for card in page["cards"]["items"] for link in card.links}
	# BRM Settings is read-only for a relationship manager but still readable; everything else is theirs
	assert set(REPORTS) <= links
	assert {"Customer Portfolio", "Business Case", "Satisfaction Survey", "BRM Settings"} <= links


def test_count_charts_keep_an_axis_of_whole_numbers():
	"""frappe-charts steps an axis in halves when the largest value is 1 or 2; the count charts ask for an
	axis of at least 0..4 (whole steps), merged into the chart's axis options by frappe's chart widget."""
	for name in ("Survey Responses", "Business Cases by State"):
		options = json.loads(frappe.db.get_value("Dashboard Chart", name, "custom_options"))
		assert options["axisOptions"]["yAxisRange"] == {"min": 0, "max": 4}, name
