"""One recipe, two writers (brm_app.demo.recipe): the ORM writer and the bulk writer make the same world for
the same seed and scale — the same records of each kind, in the same states and of the same types, so the
recipe's shares hold on either path."""

from collections import Counter

import frappe

from brm_app.demo import bulk, fixtures, orm, recipe

SCALE = 4
SEED = 7


def _customers() -> list[str]:
	return frappe.get_all(
		"Customer", filters={"customer_name": ["like", f"{recipe.DEMO_PREFIX}%"]}, pluck="name"
	)


def _world() -> dict:
	"""What the world is made of, writer-independent: per customer name, its records' kinds and states."""
	customers = _customers()

	def per_customer(doctype: str, fields: list[str]) -> Counter:
		rows = frappe.get_all(doctype, filters={"customer": ("in", customers)}, fields=["customer", *fields])
		return Counter(tuple(row[f] for f in ["customer", *fields]) for row in rows)

	contacts = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": ("in", customers)},
		fields=["link_name", "parent"],
	)
	return {
		"customers": Counter(
			(row.name, row.account_manager)
			for row in frappe.get_all(
				"Customer", filters={"name": ("in", customers)}, fields=["name", "account_manager"]
			)
		),
		"contacts": Counter((row.link_name, row.parent) for row in contacts),
		"portfolios": Counter(
			(row.name, row.relationship_manager, row.strategic_importance)
			for row in frappe.get_all(
				"Customer Portfolio",
				filters={"name": ("in", customers)},
				fields=["name", "relationship_manager", "strategic_importance"],
			)
		),
		"portfolio services": Counter(
			(row.parent, row.it_service)
			for row in frappe.get_all(
				"Portfolio Service",
				filters={"parenttype": "Customer Portfolio", "parent": ("in", customers)},
				fields=["parent", "it_service"],
			)
		),
		"agreements": per_customer(
			"Customer Agreement", ["workflow_state", "docstatus", "agreement_title", "start_date", "end_date"]
		),
		"opportunities": per_customer("Service Opportunity", ["opportunity_type", "source"]),
		"business cases": per_customer("Business Case", ["workflow_state", "docstatus"]),
		"surveys": per_customer("Satisfaction Survey", ["status"]),
		"issues": per_customer("Issue", ["issue_type", "status"]),
	}


def test_both_writers_make_the_same_world_for_the_same_seed_and_scale(db):
	frappe.flags.in_test = True
	orm.generate(scale=SCALE, seed=SEED, progress=False, commit=False)
	by_orm = _world()
	frappe.db.rollback()
	bulk.generate(scale=SCALE, seed=SEED, progress=False, commit=False, health=False)
	by_bulk = _world()
	frappe.db.rollback()

	assert by_orm == by_bulk
	# and it is the recipe's world: its counts, and every state the recipe planned
	counts = recipe.expected_counts(SCALE)
	assert sum(by_bulk["customers"].values()) == counts["Customer"]
	assert sum(by_bulk["agreements"].values()) == counts["Customer Agreement"]
	assert sum(by_bulk["surveys"].values()) == counts["Satisfaction Survey"]
	assert sum(by_bulk["issues"].values()) == counts["Issue"]
	assert sum(by_bulk["business cases"].values()) == counts["Business Case"]
	managers = fixtures.ensure_relationship_managers(recipe.manager_count(SCALE))
	plans = [recipe.customer_plan(SEED, i, managers) for i in range(1, SCALE + 1)]
	planned = Counter(state for plan in plans for state in plan.agreements)
	written = Counter()
	for (_customer, state, *_rest), n in by_bulk["agreements"].items():
		written[state] += n
	assert written == planned
	planned_surveys = Counter(status for plan in plans for status in plan.surveys)
	written_surveys = Counter()
	for (_customer, status), n in by_orm["surveys"].items():
		written_surveys[status] += n
	assert written_surveys == planned_surveys
