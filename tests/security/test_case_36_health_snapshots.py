"""Case 36 (docs/security.md): the health history (docs/health-over-time.md) is the system's record, read
only through row-level access.

Customer Health Snapshot rows are written by brm_app.jobs.health alone: no role has a write permission and
the controller refuses any insert, save or delete outside the jobs, whoever asks (System Manager included,
and with ignore_permissions). A relationship manager sees the snapshots of their own portfolios only: in the
list, by name, through the portfolio's trend endpoint and in Customer Health's change and movers columns.

Over HTTP against a real server on loopback: `rm` manages one committed portfolio, `rm2` another; both have
a weekly snapshot; `sm` is a System Manager.
"""

import frappe
import pytest

from brm_app.brm_app.report.customer_health.customer_health import execute
from brm_app.jobs.health import snapshot_weekly_health, week_start
from tests.support.factories import make_portfolio
from tests.support.security import RELATIONSHIP_MANAGER, HttpUser, exc_type, refresh, workflow_people_fixture
from tests.support.users import as_user

SNAPSHOT = "Customer Health Snapshot"
PORTFOLIO = "Customer Portfolio"
TREND = "brm_app.api.portfolio.get_health_trend"

people = workflow_people_fixture("c36", sm=("System Manager",), rm2=(RELATIONSHIP_MANAGER,))


@pytest.fixture(scope="module")
def snaps(committed, people):
	"""One committed weekly snapshot of each manager's portfolio (removed before the portfolios go)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	other = make_portfolio(relationship_manager=people.rm2)
	committed.add("Customer", other.customer)
	committed.add(PORTFOLIO, other.name)
	for name, score, rag in ((people.portfolio, 72.0, "Amber"), (other.name, 40.0, "Red")):
		frappe.db.set_value(PORTFOLIO, name, {"health_score": score, "health_rag": rag, "csat_score": score})
	assert snapshot_weekly_health(portfolios=[people.portfolio, other.name]) == 2
	names = {
		portfolio: frappe.db.get_value(SNAPSHOT, {"portfolio": portfolio}, "name")
		for portfolio in (people.portfolio, other.name)
	}
	committed.commit()
	yield frappe._dict(own=names[people.portfolio], foreign=names[other.name], other=other.name)
	frappe.db.rollback()
	frappe.db.delete(SNAPSHOT, {"portfolio": ("in", list(names))})
	committed.commit()


@pytest.fixture(scope="module")
def browsers(server, people):
	return {actor: HttpUser(server, getattr(people, actor)) for actor in ("rm", "pm", "sm")}


def stored(name: str) -> tuple:
	refresh()
	return tuple(frappe.db.get_value(SNAPSHOT, name, ["health_score", "health_rag", "portfolio"]) or ())


# --- no write path --------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["rm", "pm", "sm"])
def test_nobody_inserts_a_snapshot_over_rest(browsers, people, snaps, actor):
	before = frappe.db.count(SNAPSHOT)
	response = browsers[actor].resource(
		"POST",
		SNAPSHOT,
		json={
			"portfolio": people.portfolio,
			"snapshot_date": str(week_start()),
			"reason": "Band Change",
			"health_score": 99,
			"health_rag": "Green",
		},
	)
	assert response.status_code == 403, response.text
	refresh()
	assert frappe.db.count(SNAPSHOT) == before


@pytest.mark.parametrize("actor", ["rm", "sm"])
def test_nobody_changes_or_deletes_a_snapshot_over_rest(browsers, snaps, actor):
	before = stored(snaps.own)
	put = browsers[actor].resource(
		"PUT", SNAPSHOT, snaps.own, json={"health_score": 99, "health_rag": "Green"}
	)
	assert put.status_code == 403, put.text
	delete = browsers[actor].resource("DELETE", SNAPSHOT, snaps.own)
	assert delete.status_code == 403, delete.text
	set_value = browsers[actor].call(
		"frappe.client.set_value", doctype=SNAPSHOT, name=snaps.own, fieldname="health_score", value=99
	)
	assert exc_type(set_value) == "PermissionError", set_value.text
	assert stored(snaps.own) == before


def test_the_controller_refuses_writes_even_without_permission_checks(rolled_back, snaps, people):
	"""The last line: a System Manager's code path with ignore_permissions (an import, a console, a
	patch) still cannot insert, change or delete a snapshot."""
	with as_user(people.sm):
		doc = frappe.get_doc(SNAPSHOT, snaps.own)
		doc.health_score = 99
		with pytest.raises(frappe.PermissionError):
			doc.save(ignore_permissions=True)
		with pytest.raises(frappe.PermissionError):
			frappe.delete_doc(SNAPSHOT, snaps.own, ignore_permissions=True)
		new = frappe.get_doc(
			{
				"doctype": SNAPSHOT,
				"portfolio": people.portfolio,
				"snapshot_date": "2020-01-06",
				"health_score": 1,
			}
		)
		with pytest.raises(frappe.PermissionError):
			new.insert(ignore_permissions=True)
	assert frappe.db.get_value(SNAPSHOT, snaps.own, "health_score") == 72


# --- row-level access -----------------------------------------------------------------------------------


def test_a_relationship_manager_lists_and_reads_only_their_snapshots(browsers, snaps):
	rm = browsers["rm"]
	listed = rm.resource("GET", SNAPSHOT, params={"fields": '["name", "portfolio"]', "limit_page_length": 0})
	assert listed.status_code == 200, listed.text
	names = {row["name"] for row in listed.json()["data"]}
	assert snaps.own in names
	assert snaps.foreign not in names
	assert rm.resource("GET", SNAPSHOT, snaps.own).status_code == 200
	assert rm.resource("GET", SNAPSHOT, snaps.foreign).status_code == 403
	count = rm.call("frappe.client.get_count", doctype=SNAPSHOT, filters={"portfolio": snaps.other})
	assert count.json()["message"] == 0


def test_a_process_manager_reads_every_snapshot(browsers, snaps):
	assert browsers["pm"].resource("GET", SNAPSHOT, snaps.foreign).status_code == 200


def test_the_trend_endpoint_checks_the_portfolio(browsers, people, snaps):
	rm = browsers["rm"]
	own = rm.get_method(TREND, portfolio=people.portfolio)
	assert own.status_code == 200, own.text
	assert [point["score"] for point in own.json()["message"]["points"]] == [72]
	foreign = rm.get_method(TREND, portfolio=snaps.other)
	assert foreign.status_code == 403
	assert "points" not in foreign.text and "health_score" not in foreign.text


def test_the_report_shows_a_relationship_manager_only_their_trend(rolled_back, people, snaps):
	# last week's snapshots of both portfolios, then both scores move (all rolled back)
	last_week = frappe.utils.add_days(week_start(), -7)
	assert snapshot_weekly_health(last_week, [people.portfolio, snaps.other]) == 2
	frappe.db.set_value(PORTFOLIO, people.portfolio, "health_score", 80)
	frappe.db.set_value(PORTFOLIO, snaps.other, "health_score", 10)
	filters = {"view": "Biggest Movers", "compare_weeks": 1, "limit": 10000}
	with as_user(people.rm):
		_columns, mine, *_rest = execute(filters)
		_columns, at_risk, *_rest = execute({**filters, "view": ""})
	with as_user(people.pm):
		_columns, everyone, *_rest = execute(filters)
	assert [(row["portfolio"], row["score_change"]) for row in mine] == [(people.portfolio, 8)]
	assert snaps.other not in {row["portfolio"] for row in at_risk}
	assert {people.portfolio, snaps.other} <= {row["portfolio"] for row in everyone}
