"""The daily alert job (docs/alerts.md): each rule opens exactly one alert (and one ToDo for the relationship
manager) for its cause, and closes both when the cause clears; a second run opens nothing twice; a rule
switched off closes its alerts; Service Opportunity.status_since is the server's on every path."""

import frappe
import pytest
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, nowdate

from brm_app.brm_app.doctype.service_opportunity.service_opportunity import move_status
from brm_app.jobs.alerts import run_alerts
from brm_app.services import alerts as rules
from tests.support.factories import (
	make_agreement,
	make_opportunity,
	make_portfolio,
	make_survey,
	mute_mail,
	set_brm_settings,
	uid,
)
from tests.support.users import as_user
from tests.support.workflow import RELATIONSHIP_MANAGER, make_approver

ALERT = "BRM Alert"


@pytest.fixture
def rm():
	mute_mail()
	return make_approver(RELATIONSHIP_MANAGER)


def alerts_of(rule, cause_name):
	return frappe.get_all(
		ALERT,
		filters={"rule": rule.label, "cause_name": cause_name},
		fields=["name", "status", "todo", "relationship_manager", "cause_key", "closed_on", "message"],
	)


def only_open(rule, cause_name) -> frappe._dict:
	"""The one alert of the cause, open, with its ToDo assigned to the relationship manager."""
	rows = alerts_of(rule, cause_name)
	assert [row.status for row in rows] == ["Open"], rows
	return rows[0]


def todo_of(alert) -> frappe._dict:
	return frappe.db.get_value(
		"ToDo", alert.todo, ["status", "allocated_to", "reference_type", "reference_name"], as_dict=True
	)


def assert_opened_once(rule, cause_name, manager):
	"""One open alert after a run, still one (and one ToDo) after a second run; returns it."""
	run_alerts()
	alert = only_open(rule, cause_name)
	todo = todo_of(alert)
	assert (todo.status, todo.allocated_to, todo.reference_type, todo.reference_name) == (
		"Open",
		manager,
		ALERT,
		alert.name,
	)
	run_alerts()
	assert only_open(rule, cause_name).name == alert.name
	assert frappe.db.count("ToDo", {"reference_type": ALERT, "reference_name": alert.name}) == 1
	return alert


def assert_closed(alert):
	run_alerts()
	row = frappe.db.get_value(ALERT, alert.name, ["status", "closed_on", "open_key"], as_dict=True)
	assert (row.status, row.open_key) == ("Closed", None)
	assert row.closed_on is not None
	assert frappe.db.get_value("ToDo", alert.todo, "status") == "Closed"


def snapshot(portfolio, days_ago, score, reason="Weekly"):
	frappe.db.bulk_insert(
		"Customer Health Snapshot",
		["name", "portfolio", "snapshot_date", "reason", "health_score", "creation", "modified"],
		[
			(
				uid("snap-"),
				portfolio,
				add_days(nowdate(), -days_ago),
				reason,
				score,
				now_datetime(),
				now_datetime(),
			)
		],
	)


def test_health_drop_against_the_previous_weekly_snapshot(rm):
	set_brm_settings(alert_health_drop=1, alert_health_drop_points=10)
	portfolio = make_portfolio(relationship_manager=rm).name
	snapshot(portfolio, 14, 90)
	snapshot(portfolio, 7, 80)  # the previous weekly snapshot
	snapshot(portfolio, 3, 95, reason="Band Change")  # not a weekly one
	frappe.db.set_value("Customer Portfolio", portfolio, "health_score", 71)
	run_alerts()
	assert alerts_of(rules.HEALTH_DROP, portfolio) == []  # 9 points
	frappe.db.set_value("Customer Portfolio", portfolio, "health_score", 70)
	alert = assert_opened_once(rules.HEALTH_DROP, portfolio, rm)
	assert "80.0" in alert.message and "70.0" in alert.message
	frappe.db.set_value("Customer Portfolio", portfolio, "health_score", 75)
	assert_closed(alert)


def test_at_risk_opens_on_red_and_closes_when_the_health_is_back(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value("Customer Portfolio", portfolio, {"health_rag": "Red", "health_score": 30})
	alert = assert_opened_once(rules.AT_RISK, portfolio, rm)
	frappe.db.set_value("Customer Portfolio", portfolio, "health_rag", "Amber")
	assert_closed(alert)


def detractor_survey(customer, follow_up=None, responded_on=None):
	survey = make_survey(customer).name
	frappe.db.set_value(
		"Satisfaction Survey",
		survey,
		{
			"status": "Responded",
			"responded_on": responded_on or now_datetime(),
			"nps_score": 3,
			"nps_category": "Detractor",
			"needs_follow_up": 1,
			"follow_up": follow_up,
		},
	)
	return survey


def test_detractor_uses_the_follow_up_todo_of_the_response(rm):
	customer = make_portfolio(relationship_manager=rm).customer
	follow_up = frappe.get_doc(
		{"doctype": "ToDo", "allocated_to": rm, "description": "Low score", "status": "Open"}
	).insert(ignore_permissions=True)
	survey = detractor_survey(customer, follow_up.name)
	todos_before = frappe.db.count("ToDo", {"allocated_to": rm})
	run_alerts()
	run_alerts()
	alert = only_open(rules.DETRACTOR, survey)
	assert alert.todo == follow_up.name  # no second ToDo for one response
	assert frappe.db.count("ToDo", {"allocated_to": rm}) == todos_before
	follow_up.db_set("status", "Closed")
	run_alerts()
	assert [row.status for row in alerts_of(rules.DETRACTOR, survey)] == ["Closed"]
	# a response older than the window is not a fresh signal any more
	old = detractor_survey(customer, responded_on=add_days(now_datetime(), -91))
	run_alerts()
	assert alerts_of(rules.DETRACTOR, old) == []


def test_detractor_without_follow_up_gets_one_that_becomes_the_follow_up(rm):
	customer = make_portfolio(relationship_manager=rm).customer
	survey = detractor_survey(customer)
	alert = assert_opened_once(rules.DETRACTOR, survey, rm)
	assert frappe.db.get_value("Satisfaction Survey", survey, "follow_up") == alert.todo
	frappe.db.set_value("ToDo", alert.todo, "status", "Closed")  # followed up
	run_alerts()
	assert [row.status for row in alerts_of(rules.DETRACTOR, survey)] == ["Closed"]


def test_outcome_past_its_target_date_and_not_achieved(rm):
	portfolio = make_portfolio(
		relationship_manager=rm,
		business_outcomes=[
			{"objective": "Late", "status": "Proposed", "target_date": add_days(nowdate(), -1)},
			{"objective": "On time", "status": "Proposed", "target_date": add_days(nowdate(), 30)},
			{"objective": "Done", "status": "Proposed", "target_date": add_days(nowdate(), -5)},
		],
	)
	late, done = portfolio.business_outcomes[0].name, portfolio.business_outcomes[2].name
	frappe.db.set_value("Portfolio Business Outcome", done, "status", "Achieved")
	run_alerts()
	keys = {
		row.cause_key
		for row in frappe.get_all(
			ALERT, filters={"portfolio": portfolio.name, "status": "Open"}, fields=["cause_key"]
		)
	}
	assert keys == {rules.cause_key(rules.OUTCOME_OVERDUE, late)}
	alert = assert_opened_once(rules.OUTCOME_OVERDUE, portfolio.name, rm)
	frappe.db.set_value("Portfolio Business Outcome", late, "target_date", add_days(nowdate(), 10))
	assert_closed(alert)


def submitted_agreement(customer, end_in_days, notice_days):
	agreement = make_agreement(customer, end_date=add_days(nowdate(), end_in_days)).name
	frappe.db.set_value(
		"Customer Agreement",
		agreement,
		{"docstatus": 1, "status": "Expiring", "notice_period_days": notice_days},
	)
	return agreement


def test_agreement_in_its_notice_window_until_terminated(rm):
	customer = make_portfolio(relationship_manager=rm).customer
	inside = submitted_agreement(customer, 20, 30)
	before = submitted_agreement(customer, 60, 30)
	alert = assert_opened_once(rules.NOTICE_WINDOW, inside, rm)
	assert alerts_of(rules.NOTICE_WINDOW, before) == []
	frappe.db.set_value("Customer Agreement", inside, "terminated_on", nowdate())
	assert_closed(alert)


def test_renewed_agreement_leaves_its_notice_window(rm):
	customer = make_portfolio(relationship_manager=rm).customer
	inside = submitted_agreement(customer, 20, 30)
	alert = assert_opened_once(rules.NOTICE_WINDOW, inside, rm)
	make_agreement(customer, start_date=add_days(nowdate(), 21), previous_agreement=inside)
	assert_closed(alert)


def test_review_overdue_and_no_cadence(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	other = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value("Customer Portfolio", portfolio, "next_review_due", add_days(nowdate(), -1))
	frappe.db.set_value("Customer Portfolio", other, "next_review_due", None)  # no cadence
	alert = assert_opened_once(rules.REVIEW_OVERDUE, portfolio, rm)
	assert alerts_of(rules.REVIEW_OVERDUE, other) == []
	frappe.db.set_value("Customer Portfolio", portfolio, "next_review_due", add_days(nowdate(), 90))
	assert_closed(alert)


def test_opportunity_stuck_in_one_status_until_it_moves(rm):
	set_brm_settings(alert_opportunity_stale=1, alert_opportunity_stale_days=30)
	customer = make_portfolio(relationship_manager=rm).customer
	stuck = make_opportunity(customer).name
	fresh = make_opportunity(customer).name
	frappe.db.set_value("Service Opportunity", stuck, "status_since", add_days(now_datetime(), -31))
	frappe.db.set_value("Service Opportunity", fresh, "status_since", add_days(now_datetime(), -29))
	alert = assert_opened_once(rules.OPPORTUNITY_STALE, stuck, rm)
	assert alerts_of(rules.OPPORTUNITY_STALE, fresh) == []
	doc = frappe.get_doc("Service Opportunity", stuck)
	doc.status = "Assessing"
	doc.save(ignore_permissions=True)
	assert_closed(alert)


def test_switching_a_rule_off_closes_its_alerts(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value("Customer Portfolio", portfolio, {"health_rag": "Red", "health_score": 30})
	alert = assert_opened_once(rules.AT_RISK, portfolio, rm)
	set_brm_settings(alert_at_risk=0)
	assert_closed(alert)
	run_alerts()
	assert [row.status for row in alerts_of(rules.AT_RISK, portfolio)] == ["Closed"]


def test_job_twice_opens_nothing_twice_and_tells_the_manager(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value(
		"Customer Portfolio",
		portfolio,
		{"health_rag": "Red", "health_score": 30, "next_review_due": add_days(nowdate(), -3)},
	)
	first = run_alerts()
	alerts = frappe.db.count(ALERT, {"portfolio": portfolio})
	todos = frappe.db.count("ToDo", {"allocated_to": rm})
	assert (alerts, todos) == (2, 2)
	assert first["opened"] >= 2
	run_alerts()
	assert (
		frappe.db.count(ALERT, {"portfolio": portfolio}),
		frappe.db.count("ToDo", {"allocated_to": rm}),
	) == (
		2,
		2,
	)
	assert frappe.db.exists(
		"Notification Log", {"for_user": rm, "type": "Assignment", "document_type": ALERT}
	)
	# the cause comes back after it cleared: a new alert, the closed one stays closed
	frappe.db.set_value("Customer Portfolio", portfolio, "health_rag", "Green")
	run_alerts()
	frappe.db.set_value("Customer Portfolio", portfolio, "health_rag", "Red")
	run_alerts()
	assert sorted(row.status for row in alerts_of(rules.AT_RISK, portfolio)) == ["Closed", "Open"]


# --- status_since: the server's on every path ------------------------------------------------------------


def test_status_since_is_set_on_insert_and_on_every_status_change(rm):
	customer = make_portfolio(relationship_manager=rm).customer
	long_ago = get_datetime("2020-01-01 00:00:00")
	started = now_datetime().replace(microsecond=0)
	with as_user(rm):
		# REST / desk insert: the client's value is ignored
		doc = frappe.get_doc(
			{
				"doctype": "Service Opportunity",
				"opportunity_title": uid("Opportunity "),
				"customer": customer,
				"opportunity_type": "New Service",
				"status_since": long_ago,
			}
		).insert()
		assert get_datetime(doc.status_since) >= started
		frappe.db.set_value("Service Opportunity", doc.name, "status_since", long_ago)
		# a save without a status change keeps the stored value, whatever the client sends
		doc = frappe.get_doc("Service Opportunity", doc.name)
		doc.priority = "High"
		doc.status_since = add_days(now_datetime(), -3)
		doc.save()
		assert get_datetime(frappe.db.get_value("Service Opportunity", doc.name, "status_since")) == long_ago
		# frappe.client.set_value (REST PUT goes through the same save)
		frappe.client.set_value("Service Opportunity", doc.name, "status_since", "2021-01-01 00:00:00")
		assert get_datetime(frappe.db.get_value("Service Opportunity", doc.name, "status_since")) == long_ago
		frappe.client.set_value("Service Opportunity", doc.name, "status", "Assessing")
		assert get_datetime(frappe.db.get_value("Service Opportunity", doc.name, "status_since")) >= started


def test_status_since_moves_with_server_status_changes(rm):
	opportunity = make_opportunity(make_portfolio(relationship_manager=rm).customer).name
	long_ago = get_datetime("2020-01-01 00:00:00")
	frappe.db.set_value("Service Opportunity", opportunity, "status_since", long_ago)
	move_status(opportunity, "New")  # no change: stays
	assert get_datetime(frappe.db.get_value("Service Opportunity", opportunity, "status_since")) == long_ago
	move_status(opportunity, "Assessing")
	since = frappe.db.get_value("Service Opportunity", opportunity, ["status", "status_since"])
	assert since[0] == "Assessing"
	assert get_datetime(since[1]) > add_to_date(now_datetime(), minutes=-1)


def test_backfill_patch_fills_status_since_from_the_last_change(rm):
	from brm_app.patches.v0_6 import backfill_opportunity_status_since

	opportunity = make_opportunity(make_portfolio(relationship_manager=rm).customer).name
	frappe.db.set_value(
		"Service Opportunity",
		opportunity,
		{"status_since": None, "modified": "2024-05-06 07:08:09"},
		update_modified=False,
	)
	backfill_opportunity_status_since.execute()
	assert getdate(frappe.db.get_value("Service Opportunity", opportunity, "status_since")) == getdate(
		"2024-05-06"
	)


def test_open_alerts_follow_a_handover_of_the_portfolio(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value("Customer Portfolio", portfolio, {"health_rag": "Red", "health_score": 30})
	alert = assert_opened_once(rules.AT_RISK, portfolio, rm)
	successor = make_approver(RELATIONSHIP_MANAGER)
	frappe.db.set_value("Customer Portfolio", portfolio, "relationship_manager", successor)
	run_alerts()
	assert frappe.db.get_value(ALERT, alert.name, ["status", "relationship_manager"]) == ("Open", successor)


def test_the_manager_closes_the_alerts_todo_from_the_desk(rm):
	portfolio = make_portfolio(relationship_manager=rm).name
	frappe.db.set_value("Customer Portfolio", portfolio, "next_review_due", add_days(nowdate(), -1))
	alert = assert_opened_once(rules.REVIEW_OVERDUE, portfolio, rm)
	with as_user(rm):
		assert frappe.has_permission(ALERT, "read", doc=alert.name)
		todo = frappe.get_doc("ToDo", alert.todo)
		todo.status = "Closed"
		todo.save()
	assert frappe.db.get_value("ToDo", alert.todo, "status") == "Closed"
	run_alerts()  # the cause persists: the alert stays open (docs/alerts.md)
	assert only_open(rules.REVIEW_OVERDUE, portfolio).name == alert.name


def test_deleting_a_customer_takes_its_portfolios_alerts_with_it(rm):
	portfolio = make_portfolio(relationship_manager=rm)
	frappe.db.set_value("Customer Portfolio", portfolio.name, "next_review_due", add_days(nowdate(), -1))
	alert = assert_opened_once(rules.REVIEW_OVERDUE, portfolio.name, rm)
	frappe.delete_doc("Customer", portfolio.customer, ignore_permissions=True)
	assert not frappe.db.exists(ALERT, alert.name)
	assert not frappe.db.exists("ToDo", alert.todo)
