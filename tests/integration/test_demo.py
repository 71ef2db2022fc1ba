"""The demo generator makes consistent data and is idempotent."""

import frappe

from brm_app.demo import DEMO_PREFIX, generate
from brm_app.jobs.health import recompute_health_scores


def _demo_customers() -> list[str]:
	return frappe.get_all("Customer", filters={"customer_name": ["like", f"{DEMO_PREFIX}%"]}, pluck="name")


def test_generate_makes_a_consistent_world_and_is_idempotent():
	first = generate(scale=2, progress=False, commit=False)
	customers = _demo_customers()
	assert first["customers_created"] == 2
	assert len(customers) == 2

	for customer in customers:
		portfolio = frappe.get_doc("Customer Portfolio", customer)
		manager = frappe.db.get_value("Customer", customer, "account_manager")
		assert portfolio.relationship_manager == manager
		assert "Business Relationship Manager" in frappe.get_roles(manager)
		assert len(portfolio.stakeholders) == 2
		assert portfolio.business_outcomes and portfolio.services
		for doctype in ("Customer Agreement", "Service Opportunity", "Satisfaction Survey"):
			rows = frappe.get_all(
				doctype, filters={"customer": customer}, fields=["portfolio", "relationship_manager"]
			)
			assert rows, doctype
			assert all(r.portfolio == customer and r.relationship_manager == manager for r in rows), doctype
		assert frappe.db.count("Issue", {"customer": customer}) >= 2
		responded = frappe.get_all(
			"Satisfaction Survey",
			filters={"customer": customer, "status": "Responded"},
			fields=["nps_category"],
		)
		assert responded and all(r.nps_category for r in responded)

	# the demo ends with every portfolio's health computed: scored from its data, nothing left to change
	health = frappe.get_all(
		"Customer Portfolio",
		filters={"name": ("in", customers)},
		fields=["name", "health_score", "health_rag", "health_updated_on"],
	)
	assert all(row.health_updated_on for row in health)
	assert all(row.health_rag in ("Red", "Amber", "Green") and row.health_score is not None for row in health)
	assert recompute_health_scores(customers) == 0

	second = generate(scale=2, progress=False, commit=False)
	assert second["customers_created"] == 0
	assert len(_demo_customers()) == 2
