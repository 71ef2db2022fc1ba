"""The demo recipe (brm_app.demo.recipe) without a site: generated names are unique by construction, and
the planned world has the recipe's shares."""

from collections import Counter

from brm_app.demo import recipe

# child tables of the demo world and the largest number of rows a parent has in each (brm_app.demo.bulk)
CHILD_TABLES = {
	"Contact": {"email_ids": 1, "links": 1},
	"Customer Portfolio": {"stakeholders": 2, "business_outcomes": 3, "services": 3},
	"Customer Agreement": {"services": 2, "approval_log": 2},
	"Business Case": {"requirements": 3, "costs": 6, "benefits": 5, "approval_log": 5},
	"Satisfaction Survey": {"answers": 5},
}


def test_row_names_are_unique_at_100000_customers_and_across_runs():
	"""The bulk writer's child row names used to be 10 characters from a seeded generator per customer: at
	100,000 customers (some 6 million rows) two of them met ("Duplicate entry … for key 'PRIMARY'"). Now a
	row is named by its parent, which is unique in its doctype."""
	places = [
		(parenttype, recipe.customer_name(i), parentfield, idx)
		for i in range(1, 1001)
		for parenttype, fields in CHILD_TABLES.items()
		for parentfield, rows in fields.items()
		for idx in range(1, rows + 1)
	]
	places += [("Satisfaction Survey", f"SRV-{n:06d}", "answers", 1) for n in range(1, 100_001)]
	names = {recipe.row_name(*place) for place in places}
	assert len(places) > 100_000
	assert len(names) == len(places)
	assert len({recipe.customer_name(i) for i in range(1, 100_001)}) == 100_000
	# a second run (a larger scale) names only its own customers' rows: none of the first run's again
	second = {
		recipe.row_name("Satisfaction Survey", recipe.customer_name(i), "answers", 1)
		for i in range(100_001, 100_101)
	}
	assert not second & names
	# no frappe hash name (10 letters and digits) can be one of these
	assert all("/" in name and len(name) > 10 for name in second)


def test_contact_names_are_unique_per_customer_even_for_the_same_person():
	names = recipe.contact_names([("Ayu", "Halim"), ("Ayu", "Halim"), ("Budi", "Wijaya")], "C 1")
	assert names == ["Ayu Halim-C 1", "Ayu Halim-C 1-1", "Budi Wijaya-C 1"]


def test_plans_are_seeded_and_have_the_recipe_shares():
	managers = [recipe.manager_email(n) for n in range(1, 4)]
	plans = [recipe.customer_plan(42, i, managers) for i in range(1, 4001)]
	again = recipe.customer_plan(42, 17, managers)
	assert (again.agreements, again.issues, again.surveys) == (
		plans[16].agreements,
		plans[16].issues,
		plans[16].surveys,
	)
	agreements = Counter(state for plan in plans for state in plan.agreements)
	assert sum(agreements.values()) == recipe.expected_counts(4000)["Customer Agreement"]
	signed = agreements["Active"] / sum(agreements.values())
	assert abs(signed - recipe.SIGNED_SHARE) < 0.02
	assert sum(1 for plan in plans if plan.case_state) == recipe.expected_counts(4000)["Business Case"]
	assert all(len(plan.issues) == recipe.ISSUES and len(plan.surveys) == recipe.SURVEYS for plan in plans)
	# the first customer belongs to the first relationship manager (tests and benchmarks log in as rm1)
	assert plans[0].manager == "rm1@brm-demo.example.com"


def test_relationship_surveys_follow_the_cadence():
	"""Issue 18: a demo portfolio's relationship surveys are one cadence apart, the latest within the last
	cadence (so the next ones fall due spread over the coming months); none by cadence when it is 0."""
	from datetime import datetime, timedelta

	from dateutil.relativedelta import relativedelta

	now = datetime(2026, 12, 6, 12, 0)
	latest = recipe.relationship_survey_sent(now, 3, 0, 200)
	before = recipe.relationship_survey_sent(now, 3, 1, 200)
	assert now - timedelta(days=90) <= latest < now
	assert before == latest - relativedelta(months=3)
	assert recipe.relationship_survey_sent(now, 0, 0, 200) is None
