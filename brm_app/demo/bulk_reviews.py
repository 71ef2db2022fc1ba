"""The demo's service reviews (brm_app.demo.recipe.review_plan) as rows for the bulk writer
(brm_app.demo.bulk): the values the Service Review controller and brm_app.reviews would store — the default
period, the pack language, Held On, the attendees' names / e-mails / sides, one ToDo per action item
(Closed when the action is Done) and the portfolio's Last Reviewed On / Next Review Due.

A Held review written here has no agenda snapshot: building the agenda costs a few queries per customer,
too slow at the benchmark scale, and the form and the pack build it from the data when there is none.
"""

import json
from datetime import datetime, timedelta
from datetime import time as dtime

import frappe
from frappe.utils import add_days, add_months, getdate

from brm_app.demo import recipe
from brm_app.demo.bulk_tables import child, stamps
from brm_app.reviews.rhythm import DEFAULT_PERIOD_MONTHS
from brm_app.rhythm import cadence

REVIEW = "Service Review"
TABLES = ("Service Review", "Service Review Attendee", "Service Review Action", "ToDo")


def reviews_of(world, plan) -> list[tuple]:
	"""(review date, status, actions) of the customer's planned reviews, in date order."""
	return sorted(
		(world.today + timedelta(days=days), status, actions)
		for days, status, actions in recipe.review_plan(world.seed, plan.i)
	)


def rhythm(world, plan) -> dict:
	"""The portfolio's last_reviewed_on / next_review_due (brm_app.reviews.rhythm.apply_to_portfolio)."""
	held = [day for day, status, _actions in reviews_of(world, plan) if status == "Held"]
	last = max(held) if held else None
	portfolio = {"strategic_importance": plan.importance, "review_cadence_months": None}
	return {"last_reviewed_on": last, "next_review_due": cadence.next_due(cadence.REVIEW, portfolio, last)}


def count(world, plans) -> int:
	return sum(len(recipe.review_plan(world.seed, plan.i)) for plan in plans)


def write(world, ctx) -> None:
	"""The customer's service reviews with their attendees, action items and ToDos."""
	plan = ctx.plan
	months = cadence.cadence_months(cadence.REVIEW, plan.importance) or DEFAULT_PERIOD_MONTHS
	last_held = None
	contact = ctx.contacts[0]
	for review_date, status, actions in reviews_of(world, plan):
		name = next(world.names[REVIEW])
		created = datetime.combine(review_date - timedelta(days=14), dtime(10))
		created = min(created, world.now)
		parent_stamps = stamps(created, ctx.manager)
		period_from = add_days(last_held, 1) if last_held else add_days(add_months(review_date, -months), 1)
		open_owners = [ctx.manager] if any(a_status == "Open" for _d, a_status, _due in actions) else []
		world.t[REVIEW].add(
			{
				"name": name,
				"naming_series": world.series[REVIEW],
				**world.linked(ctx),
				"review_date": review_date,
				"status": status,
				"period_from": getdate(period_from),
				"period_to": review_date,
				"language": world.review_language,
				"held_on": datetime.combine(review_date, dtime(17)) if status == "Held" else None,
				"minutes": recipe.REVIEW_MINUTES if status == "Held" else None,
				"_assign": json.dumps(open_owners) if open_owners else None,
				**parent_stamps,
			}
		)
		world.t["Service Review Attendee"].add(
			{
				"contact": contact.name,
				"full_name": contact.full_name,
				"email": contact.email_id,
				"side": "Customer",
				**child(name, REVIEW, "attendees", 1, parent_stamps),
			}
		)
		world.t["Service Review Attendee"].add(
			{
				"user": ctx.manager,
				"full_name": world.manager_names[ctx.manager],
				"email": ctx.manager,
				"side": "Provider",
				**child(name, REVIEW, "attendees", 2, parent_stamps),
			}
		)
		for idx, (description, action_status, due) in enumerate(actions, 1):
			row = child(name, REVIEW, "actions", idx, parent_stamps)
			todo = f"{name}-A{idx}"
			world.t["Service Review Action"].add(
				{
					"description": description,
					"assigned_to": ctx.manager,
					"due_date": add_days(review_date, due),
					"status": action_status,
					"todo": todo,
					**row,
				}
			)
			world.t["ToDo"].add(
				{
					"name": todo,
					"status": "Closed" if action_status == "Done" else "Open",
					"allocated_to": ctx.manager,
					"description": frappe.utils.escape_html(description),
					"date": add_days(review_date, due),
					"reference_type": REVIEW,
					"reference_name": name,
					"assigned_by": "Administrator",
					**stamps(created, "Administrator"),
				}
			)
		if status == "Held":
			last_held = review_date
