"""Demo health history (docs/health-over-time.md): weeks of Customer Health Snapshots behind every demo
portfolio, so that the portfolio's trend, Customer Health's change columns and its *Biggest movers* view
show something on a fresh demo site. Used by both writers (brm_app.demo.orm and brm_app.demo.bulk) after
the health recompute.

Each demo portfolio's figures walk back from today's stored ones week by week (a seeded random walk of
CSAT, NPS, SLA compliance and open complaints per portfolio name, the same on either writer); the score
and band of each week are computed by brm_app.services.health from those figures, so a snapshot explains
itself like a real one. A week whose band differs from the week before also gets a Band Change snapshot.
This week's snapshot is the production job's (brm_app.jobs.health.snapshot_weekly_health). Idempotent:
the rows are named from their key and inserted with "ignore duplicates".
"""

import hashlib
import random

import frappe
from frappe.utils import add_days, now_datetime

from brm_app.demo import recipe
from brm_app.jobs.health import (
	BAND_CHANGE,
	SNAPSHOT,
	SNAPSHOT_COLUMNS,
	STORED_FIELDS,
	WEEKLY,
	snapshot_weekly_health,
	week_start,
)
from brm_app.services.health import band_changed, compute_health, parts_from_stored
from brm_app.settings import health_weights

HISTORY_WEEKS = 12
INSERT_CHUNK = 2000
# the largest weekly step of each figure in the walk
STEPS = {"csat_score": 4.0, "nps_score": 8.0, "sla_compliance": 4.0}


def write_health_history(seed: int = 42, weeks: int = HISTORY_WEEKS) -> int:
	"""`weeks` weeks of history for every scored demo portfolio, and this week's snapshot; returns how many
	history rows were new."""
	portfolios = frappe.get_all(
		"Customer Portfolio",
		filters={"customer_name": ["like", f"{recipe.DEMO_PREFIX}%"], "health_score": ["is", "set"]},
		fields=["name", "customer", "customer_name", "relationship_manager", *STORED_FIELDS],
		order_by="name",
	)
	weights = health_weights()
	this_week = week_start()
	stamp = now_datetime()
	existing = frappe.db.count(SNAPSHOT)
	# a portfolio whose oldest week is already there has its history (a re-run adds nothing)
	done = set(
		frappe.get_all(
			SNAPSHOT,
			filters={"reason": WEEKLY, "snapshot_date": add_days(this_week, -7 * weeks)},
			pluck="portfolio",
		)
	)
	rows = []
	for portfolio in portfolios:
		if portfolio.name in done:
			continue
		rng = random.Random(f"{seed}:{portfolio.name}")
		later = {field: portfolio.get(field) for field in STORED_FIELDS}
		for back in range(1, weeks + 1):
			figures = _step(rng, later, weights)
			day = add_days(this_week, -7 * back)
			rows.append(_row(portfolio, day, WEEKLY, figures, stamp))
			if band_changed(figures["health_rag"], later["health_rag"]):
				# the band changed during the following week: a Band Change snapshot of the new figures
				rows.append(_row(portfolio, add_days(day, 10), BAND_CHANGE, later, stamp))
			later = figures
	_insert(rows)
	added = frappe.db.count(SNAPSHOT) - existing
	snapshot_weekly_health()
	return added


def _insert(rows: list[tuple]) -> None:
	"""Multi-row INSERTs of INSERT_CHUNK rows, an existing key left alone (frappe.db.bulk_insert builds its
	statement through pypika, which takes most of a minute for 10,000 portfolios' history)."""
	fields = ", ".join(
		f"`{f}`" for f in ("name", *SNAPSHOT_COLUMNS, "creation", "modified", "owner", "modified_by")
	)
	table = f"`tab{SNAPSHOT}`"
	for start in range(0, len(rows), INSERT_CHUNK):
		chunk = rows[start : start + INSERT_CHUNK]
		placeholders = ", ".join(["(" + ", ".join(["%s"] * len(chunk[0])) + ")"] * len(chunk))
		frappe.db.sql(
			f"insert into {table} ({fields}) values {placeholders}"
			f" on duplicate key update {table}.`name` = {table}.`name`",
			[value for row in chunk for value in row],
		)


def _step(rng: random.Random, figures: dict, weights: dict) -> dict:
	"""The figures of the week before: each measure with data moved by a random step, the score from them."""
	moved = dict(figures)
	for field, step in STEPS.items():
		if moved[field] is not None:
			low = -100.0 if field == "nps_score" else 0.0
			moved[field] = round(min(100.0, max(low, float(moved[field]) + rng.uniform(-step, step))), 2)
	if moved["open_complaints"] is not None and rng.random() < 0.15:
		moved["open_complaints"] = max(0, int(moved["open_complaints"]) + rng.choice((-1, 1)))
	result = compute_health(parts_from_stored(moved), weights)
	moved["health_score"], moved["health_rag"] = result.score, result.rag
	return moved


def _row(portfolio, day, reason: str, figures: dict, stamp) -> tuple:
	key = f"{portfolio.name}|{day}|{reason}"
	return (
		hashlib.md5(key.encode()).hexdigest(),  # nosec: a name derived from the key, as the job's
		portfolio.name,
		portfolio.customer,
		portfolio.customer_name,
		portfolio.relationship_manager,
		day,
		reason,
		*(figures[field] for field in STORED_FIELDS),
		stamp,
		stamp,
		"Administrator",
		"Administrator",
	)
