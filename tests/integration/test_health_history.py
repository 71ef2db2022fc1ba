"""Health over time (docs/health-over-time.md): the weekly snapshot job (set-based, once per portfolio and
week), Band Change snapshots from the hourly recompute, the portfolio's trend, Customer Health's change
columns and Biggest movers views on a known history, and the snapshots following their portfolio."""

import frappe
import pytest
from frappe.utils import add_days, getdate

from brm_app.api.portfolio import get_health_trend
from brm_app.brm_app.report.customer_health.customer_health import compared_week, execute
from brm_app.jobs.health import recompute_health_scores, snapshot_weekly_health, week_start
from tests.support.factories import make_customer, make_it_service, make_portfolio, set_brm_settings, uid
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

SNAPSHOT = "Customer Health Snapshot"
PORTFOLIO = "Customer Portfolio"
HEALTH = (
	"health_score",
	"health_rag",
	"csat_score",
	"nps_score",
	"sla_compliance",
	"open_complaints",
	"agreement_coverage",
)


def store(portfolio: str, score, rag, **parts) -> None:
	"""What the hourly health job stores on the portfolio (brm_app.jobs.health), written directly."""
	frappe.db.set_value(
		PORTFOLIO, portfolio, {"health_score": score, "health_rag": rag, **parts}, update_modified=False
	)


def snapshots(portfolio: str, **filters) -> list:
	return frappe.get_all(
		SNAPSHOT,
		filters={"portfolio": portfolio, **filters},
		fields=["snapshot_date", "reason", "relationship_manager", *HEALTH],
		order_by="snapshot_date, reason",
	)


@pytest.fixture
def history():
	"""Four weeks ago (the report's default comparison): up 50 -> 70, down 80 -> 55, flat 60 -> 60 (rm_a's),
	other 40 -> 75 (rm_b's); fresh 90 has no snapshot then."""
	set_brm_settings(
		weight_csat=30, weight_nps=20, weight_sla=25, weight_complaints=15, weight_agreement_coverage=10
	)
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	service = make_it_service().name
	data = frappe._dict(rm_a=rm_a, rm_b=rm_b, manager=make_approver(PROCESS_MANAGER), service=service)
	for key, rm in (("up", rm_a), ("down", rm_a), ("flat", rm_a), ("fresh", rm_a), ("other", rm_b)):
		data[key] = make_portfolio(relationship_manager=rm, services=[{"it_service": service}]).name
	then = {"up": (50, "Amber"), "down": (80, "Green"), "flat": (60, "Amber"), "other": (40, "Red")}
	for key, (score, rag) in then.items():
		store(data[key], score, rag, csat_score=score, sla_compliance=score)
	data.then = compared_week({})
	assert snapshot_weekly_health(data.then, [data[key] for key in then]) == 4
	now = {
		"up": (70, "Amber"),
		"down": (55, "Amber"),
		"flat": (60, "Amber"),
		"fresh": (90, "Green"),
		"other": (75, "Green"),
	}
	for key, (score, rag) in now.items():
		store(data[key], score, rag, csat_score=score, sla_compliance=score)
	return data


def test_the_weekly_job_stores_one_snapshot_per_portfolio_and_week():
	scored = make_portfolio().name
	unscored = make_portfolio().name
	store(scored, 62.5, "Amber", csat_score=70, nps_score=-10, sla_compliance=80, open_complaints=2)
	monday = week_start()

	assert snapshot_weekly_health() >= 1
	assert snapshot_weekly_health() == 0  # the same week again: nothing
	assert snapshot_weekly_health(add_days(monday, 6)) == 0  # any day of that week is the same week
	store(scored, 70, "Amber")
	snapshot_weekly_health()  # a later run that week keeps the week's first figures

	rows = snapshots(scored)
	assert len(rows) == 1
	row = rows[0]
	assert (row.snapshot_date, row.reason) == (getdate(monday), "Weekly")
	assert (row.health_score, row.health_rag, row.csat_score, row.nps_score) == (62.5, "Amber", 70, -10)
	assert (row.sla_compliance, row.open_complaints, row.agreement_coverage) == (
		80,
		2,
		None,
	)  # no data: empty
	assert snapshots(unscored) == []

	assert snapshot_weekly_health(add_days(monday, 7)) >= 1  # the next week: a second row
	assert len(snapshots(scored)) == 2


def test_the_unique_key_refuses_a_second_row_for_the_same_week():
	portfolio = make_portfolio().name
	store(portfolio, 50, "Amber")
	snapshot_weekly_health(portfolios=[portfolio])
	with pytest.raises(Exception) as refused:
		frappe.db.sql(
			f"""insert into `tab{SNAPSHOT}` (name, portfolio, snapshot_date, reason, health_score)
			values ('duplicate-week', %s, %s, 'Weekly', 1)""",
			(portfolio, add_days(week_start(), 3)),  # not the Monday: the job never stores that
		)
		frappe.db.sql(
			f"""insert into `tab{SNAPSHOT}` (name, portfolio, snapshot_date, reason, health_score)
			values ('duplicate-week-2', %s, %s, 'Weekly', 1)""",
			(portfolio, week_start()),
		)
	assert frappe.db.is_unique_key_violation(refused.value)


def test_a_change_of_band_stores_a_band_change_snapshot():
	# one service consumed, no agreement: coverage 0 %, the only part with data -> score 0, Red
	portfolio = make_portfolio(services=[{"it_service": make_it_service().name}]).name
	first = make_portfolio(services=[{"it_service": make_it_service().name}]).name
	store(portfolio, 90, "Green", agreement_coverage=100)
	store(first, None, None)

	assert recompute_health_scores([portfolio, first]) == 2
	rows = snapshots(portfolio)
	assert [(r.reason, r.snapshot_date, r.health_score, r.health_rag) for r in rows] == [
		("Band Change", getdate(), 0, "Red")
	]
	assert snapshots(first) == []  # a first score is not a change of band

	recompute_health_scores([portfolio, first])  # nothing changed: nothing stored again
	assert len(snapshots(portfolio)) == 1


def test_a_score_change_within_its_band_stores_nothing():
	portfolio = make_portfolio(services=[{"it_service": make_it_service().name}]).name
	store(portfolio, 20, "Red", agreement_coverage=50)
	assert recompute_health_scores([portfolio]) == 1  # 20 -> 0, still Red
	assert snapshots(portfolio) == []


def test_the_report_shows_the_score_then_the_change_and_the_band_then(history):
	with as_user(history.manager):
		columns, rows, *_rest = execute({"service": history.service})
	fieldnames = [column["fieldname"] for column in columns]
	assert {"score_then", "score_change", "rag_then", "explanation"} <= set(fieldnames)
	by_portfolio = {row["portfolio"]: row for row in rows}
	assert (by_portfolio[history.up]["score_then"], by_portfolio[history.up]["score_change"]) == (50, 20)
	assert by_portfolio[history.down]["score_change"] == -25
	assert by_portfolio[history.down]["rag_then"] == "Green"
	assert by_portfolio[history.flat]["score_change"] == 0
	assert by_portfolio[history.fresh]["score_then"] is None
	assert by_portfolio[history.fresh]["score_change"] is None
	# the explanation: the points of each part with data (CSAT 70 and SLA 70 share the weights: 30 / 55
	# and 25 / 55 of 100 -> 38.2 + 31.8 = 70)
	one_decimal = {"fieldtype": "Float", "precision": 1}  # the site's number format
	expected = f"CSAT {frappe.format(38.2, one_decimal)} · SLA {frappe.format(31.8, one_decimal)}"
	assert by_portfolio[history.up]["explanation"] == expected


@pytest.mark.parametrize(
	("view", "expected"),
	[
		("Biggest Movers", ["other", "down", "up"]),  # +35, -25, +20; flat and fresh did not move
		("Biggest Rises", ["other", "up"]),
		("Biggest Falls", ["down"]),
	],
)
def test_the_movers_views_sort_by_the_absolute_change(history, view, expected):
	with as_user(history.manager):
		_columns, rows, message, *_rest = execute({"service": history.service, "view": view})
	assert [row["portfolio"] for row in rows] == [history[key] for key in expected]
	assert message


def test_the_movers_and_the_change_of_a_relationship_manager_are_their_own(history):
	with as_user(history.rm_a):
		_c, movers, *_r = execute({"service": history.service, "view": "Biggest Movers"})
		_c, rows, *_r = execute({"service": history.service})
	assert [row["portfolio"] for row in movers] == [history.down, history.up]
	assert history.other not in {row["portfolio"] for row in rows}


def test_the_comparison_week_is_checked(history):
	with as_user(history.manager), pytest.raises(frappe.ValidationError):
		execute({"service": history.service, "compare_weeks": 0})
	with as_user(history.manager), pytest.raises(frappe.ValidationError):
		execute({"service": history.service, "view": "Sideways"})
	with as_user(history.manager):
		_c, rows, *_r = execute({"service": history.service, "compare_weeks": 1})
	assert all(row["score_then"] is None for row in rows)  # no snapshot a week ago


def test_the_trend_of_a_portfolio_and_its_explanation(history):
	snapshot_weekly_health(portfolios=[history.up])
	with as_user(history.rm_a):
		trend = get_health_trend(history.up)
	assert [(p["date"], p["score"], p["reason"]) for p in trend["points"]] == [
		(str(history.then), 50, "Weekly"),
		(str(week_start()), 70, "Weekly"),
	]
	assert (trend["score"], trend["change"]) == (70, 20)
	points = {row["part"]: row["contribution"] for row in trend["explanation"]}
	assert points == {
		"csat": 38.2,
		"nps": None,
		"sla_compliance": 31.8,
		"complaints": None,
		"agreement_coverage": None,
	}
	assert sum(v for v in points.values() if v is not None) == pytest.approx(trend["score"], abs=0.1)
	with as_user(history.rm_b), pytest.raises(frappe.PermissionError):
		get_health_trend(history.up)


def test_snapshots_follow_their_portfolio(history):
	portfolio = frappe.get_doc(PORTFOLIO, history.up)
	portfolio.relationship_manager = history.rm_b
	portfolio.save(ignore_permissions=True)
	assert {row.relationship_manager for row in snapshots(history.up)} == {history.rm_b}

	frappe.delete_doc(PORTFOLIO, history.down, ignore_permissions=True)
	assert snapshots(history.down) == []


def test_the_demo_history_walks_back_weekly_and_is_idempotent():
	from brm_app.demo import recipe
	from brm_app.demo.health_history import write_health_history

	customer = make_customer(customer_name=f"{recipe.DEMO_PREFIX} {uid()}").name
	portfolio = make_portfolio(customer).name
	store(portfolio, 62.0, "Amber", csat_score=70, nps_score=10, sla_compliance=60)

	assert write_health_history(seed=1, weeks=3) >= 3
	rows = snapshots(portfolio, reason="Weekly")
	assert [row.snapshot_date for row in rows] == [
		getdate(add_days(week_start(), -7 * n)) for n in (3, 2, 1, 0)
	]
	assert all(row.health_score is not None and row.health_rag for row in rows)
	before = len(snapshots(portfolio))
	assert write_health_history(seed=1, weeks=3) == 0
	assert len(snapshots(portfolio)) == before
