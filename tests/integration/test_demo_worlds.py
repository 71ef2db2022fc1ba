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
		# service reviews (issue 18): dates, period, language, and their action items with their ToDos
		"service reviews": per_customer(
			"Service Review",
			["review_date", "status", "period_from", "period_to", "language", "relationship_manager"],
		),
		"review actions": Counter(
			(row.customer, row.description, row.assigned_to, row.due_date, row.status, row.todo_status)
			for row in frappe.db.sql(
				"""select r.customer, a.description, a.assigned_to, a.due_date, a.status, t.status as todo_status
				from `tabService Review Action` a join `tabService Review` r on r.name = a.parent
				left join `tabToDo` t on t.name = a.todo
				where r.customer in %(customers)s""",
				{"customers": customers or [""]},
				as_dict=True,
			)
		),
		"review rhythm": Counter(
			(row.name, row.last_reviewed_on, row.next_review_due)
			for row in frappe.get_all(
				"Customer Portfolio",
				filters={"name": ("in", customers)},
				fields=["name", "last_reviewed_on", "next_review_due"],
			)
		),
		# the customer's sign-offs (issue 16): made through the same rules on both paths
		"customer sign-offs": per_customer(
			"Customer Sign-off", ["purpose", "status", "channel", "signatory_contact", "signatory_name"]
		),
		"sign-off decisions": Counter(
			(row.customer, row.requirement_idx, row.decision)
			for row in frappe.db.sql(
				"""select so.customer, d.requirement_idx, d.decision
				from `tabCustomer Sign-off Decision` d join `tabCustomer Sign-off` so on so.name = d.parent
				where so.customer in %(customers)s""",
				{"customers": customers or [""]},
				as_dict=True,
			)
		),
		"signatories": Counter(
			(row.customer, row.contact, row.full_name, row.sign_off_status)
			for row in frappe.db.sql(
				"""select bc.customer, s.contact, s.full_name, s.sign_off_status
				from `tabBusiness Case Signatory` s join `tabBusiness Case` bc on bc.name = s.parent
				where bc.customer in %(customers)s""",
				{"customers": customers or [""]},
				as_dict=True,
			)
		),
		"requirements signed off": Counter(
			(row.customer, row.idx, row.signed_off_by, bool(row.sign_off_evidence))
			for row in frappe.db.sql(
				"""select bc.customer, r.idx, r.signed_off_by, r.sign_off_evidence
				from `tabBusiness Case Requirement` r join `tabBusiness Case` bc on bc.name = r.parent
				where bc.customer in %(customers)s""",
				{"customers": customers or [""]},
				as_dict=True,
			)
		),
		"stakeholders signing off": Counter(
			(row.parent, row.contact)
			for row in frappe.get_all(
				"Portfolio Stakeholder",
				filters={
					"parenttype": "Customer Portfolio",
					"parent": ("in", customers),
					"signs_off_requirements": 1,
				},
				fields=["parent", "contact"],
			)
		),
	}


def _sign_offs_hold(customers: list[str]) -> None:
	"""Every accepted sign-off of the demo cases matches the case as stored (brm_app.signoff.flow's own
	check, digests included), and the rows computed from the records are what is stored."""
	from brm_app.signoff import flow

	cases = frappe.get_all("Business Case", filters={"customer": ("in", customers)}, pluck="name")
	checked = 0
	for name in cases:
		case = frappe.get_doc("Business Case", name)
		stored = [(row.signed_off_by, row.signed_off_on, row.sign_off_evidence) for row in case.requirements]
		flow.refresh_case(case)
		assert [(r.signed_off_by, r.signed_off_on, r.sign_off_evidence) for r in case.requirements] == stored
		checked += sum(1 for row in case.requirements if row.sign_off_evidence)
	assert checked


def _relationship_survey_dates_hold(customers: list[str]) -> None:
	"""Both writers fill a portfolio's relationship survey dates the same way (issue 18,
	docs/rhythm-surveys.md): the last is the latest relationship survey sent, the next one cadence later."""
	from frappe.utils import getdate

	from brm_app.rhythm import cadence

	portfolios = frappe.get_all(
		"Customer Portfolio",
		filters={"name": ("in", customers)},
		fields=[
			"name",
			"strategic_importance",
			"survey_cadence_months",
			"last_relationship_survey_on",
			"next_relationship_survey_due",
		],
	)
	assert portfolios
	for row in portfolios:
		sent = frappe.db.sql(
			"""select max(date(sent_on)) from `tabSatisfaction Survey`
			where portfolio = %s and `trigger` = 'Periodic Relationship Review'""",
			row.name,
		)[0][0]
		assert row.last_relationship_survey_on == (getdate(sent) if sent else None), row.name
		assert row.next_relationship_survey_due == cadence.next_due(cadence.SURVEY, row), row.name
	assert any(row.last_relationship_survey_on for row in portfolios)


def test_both_writers_make_the_same_world_for_the_same_seed_and_scale(db):
	frappe.flags.in_test = True
	orm.generate(scale=SCALE, seed=SEED, progress=False, commit=False)
	by_orm = _world()
	_sign_offs_hold(_customers())
	_relationship_survey_dates_hold(_customers())
	frappe.db.rollback()
	bulk.generate(scale=SCALE, seed=SEED, progress=False, commit=False, health=False)
	by_bulk = _world()
	_sign_offs_hold(_customers())
	_relationship_survey_dates_hold(_customers())
	frappe.db.rollback()

	assert by_orm == by_bulk
	# and it is the recipe's world: its counts, and every state the recipe planned
	counts = recipe.expected_counts(SCALE)
	assert sum(by_bulk["customers"].values()) == counts["Customer"]
	assert sum(by_bulk["agreements"].values()) == counts["Customer Agreement"]
	assert sum(by_bulk["surveys"].values()) == counts["Satisfaction Survey"]
	assert sum(by_bulk["issues"].values()) == counts["Issue"]
	reviews = recipe.expected_reviews(SCALE)
	assert sum(by_bulk["service reviews"].values()) == reviews["Service Review"]
	assert sum(by_bulk["review actions"].values()) == reviews["Service Review Action"]
	assert sum(by_bulk["business cases"].values()) == counts["Business Case"]
	signed_cases = sum(
		n
		for (_c, state, _d), n in by_bulk["business cases"].items()
		if state in recipe.SIGNED_OFF_CASE_STATES
	)
	assert sum(by_bulk["customer sign-offs"].values()) == signed_cases > 0
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
