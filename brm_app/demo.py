"""Demo data: a realistic, internally consistent BRM dataset on a site.

    bench --site SITE execute brm_app.demo.generate --kwargs "{'scale': 20}"
    bench --site SITE brm-demo --scale 20          (the same, as a bench command)

For each of `scale` customers: two contacts, a portfolio (stakeholders, business outcomes, services
consumed), agreements, opportunities, sometimes a business case, answered satisfaction surveys and
helpdesk Issues. Records go through the ORM, so every rule of the app holds for them.

Idempotent: customers are named "BRM Demo Customer 00001"…; a customer that already exists is
skipped, so running it again (or with a larger scale) only adds what is missing. Random choices come
from a seeded generator, so the same scale gives the same data.
"""

import random
import time

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate, update_progress_bar

from brm_app.jobs.health import recompute_health_scores

DEMO_PREFIX = "BRM Demo Customer"
SERVICES = [
	("Managed Workplace", 99.5),
	("Service Desk", 99.9),
	("Email and Collaboration", 99.9),
	("ERP Hosting", 99.5),
	("Network and Connectivity", 99.95),
	("Backup and Recovery", 99.0),
	("Identity and Access", 99.9),
	("Data Warehouse", 98.5),
	("Cloud Infrastructure", 99.95),
	("Security Operations", 99.5),
	("Field Services", 97.0),
	("Application Development", 95.0),
]
INDUSTRIES = [
	"Banking",
	"Retail",
	"Manufacturing",
	"Healthcare",
	"Government",
	"Education",
	"Logistics",
	"Energy",
]
OBJECTIVES = [
	("Open 20 new branches", "Branch IT live within 2 weeks of opening", "Days to go-live"),
	("Cut operating costs by 10%", "Lower cost per user of workplace services", "Cost per user per month"),
	("Launch online ordering", "Online channel available 24x7", "Availability %"),
	("Meet new data-protection law", "Audit passed without major findings", "Audit findings"),
	("Shorten month-end close", "Close in 3 working days", "Working days"),
	("Improve patient waiting times", "Appointment system response under 2 s", "Response time"),
]
OPPORTUNITY_TYPES = [
	("New Service", "Customer Request"),
	("Service Change", "Business Change"),
	("Technology Innovation", "Technology Development"),
	("Cost Reduction", "Service Review"),
	("Continual Improvement", "Complaint or Feedback"),
]
ISSUE_TYPES = ["Incident", "Service Request", "Complaint"]
FIRST_NAMES = [
	"Ayu",
	"Budi",
	"Citra",
	"Dewi",
	"Eko",
	"Fajar",
	"Gita",
	"Hadi",
	"Indah",
	"Joko",
	"Kartika",
	"Lestari",
]
LAST_NAMES = ["Santoso", "Wijaya", "Pratama", "Kusuma", "Hidayat", "Saputra", "Nugroho", "Halim"]


def generate(scale: int = 20, seed: int = 42, progress: bool = True, commit: bool = True) -> dict:
	"""Fill the site with `scale` demo customers and everything around them; returns counts and seconds."""
	scale = int(scale)
	if scale < 1:
		frappe.throw("scale must be at least 1")
	started = time.monotonic()
	frappe.flags.in_demo = True
	try:
		managers = _ensure_relationship_managers(max(2, scale // 25))
		services = _ensure_services()
		_ensure_issue_types()
		templates = _survey_templates()
		created = 0
		for i in range(1, scale + 1):
			customer_name = f"{DEMO_PREFIX} {i:05d}"
			# each customer gets its own generator so adding customers never changes earlier ones
			crng = random.Random(f"{seed}-{i}")
			if not frappe.db.exists("Customer", {"customer_name": customer_name}):
				_make_customer_world(customer_name, crng, managers, services, templates)
				created += 1
				if commit:
					frappe.db.commit()  # nosemgrep: one commit per customer keeps a long run resumable
			if progress:
				update_progress_bar("Generating BRM demo data", i - 1, scale)
		if progress:
			print()
		# the health job runs hourly; without this the first screen would show every portfolio unscored
		recompute_health_scores()
		if commit:
			frappe.db.commit()  # nosemgrep: the health figures of the demo portfolios
	finally:
		frappe.flags.in_demo = False
	result = {"customers_created": created, "scale": scale, "seconds": round(time.monotonic() - started, 1)}
	print(result)
	return result


def _ensure_relationship_managers(count: int) -> list[str]:
	emails = []
	for n in range(1, count + 1):
		email = f"rm{n}@brm-demo.example.com"
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
					"last_name": f"(RM {n})",
					"send_welcome_email": 0,
					"user_type": "System User",
					# with the role at once: a second save of a User is slow (its on_update is heavy)
					# Sales User: an account manager's ERPNext role (reads Customers, as the BRM reports' links do)
					"roles": [{"role": "Business Relationship Manager"}, {"role": "Sales User"}],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
		emails.append(email)
	return emails


def _ensure_services() -> list[str]:
	names = []
	for service_name, availability in SERVICES:
		if not frappe.db.exists("IT Service", service_name):
			frappe.get_doc(
				{
					"doctype": "IT Service",
					"service_name": service_name,
					"lifecycle_status": "Catalogue",
					"service_type": "Customer-facing",
					"max_committable_availability": availability,
					"description": f"{service_name} delivered under the standard service catalogue.",
				}
			).insert(ignore_permissions=True)
		names.append(service_name)
	return names


def _ensure_issue_types() -> None:
	for issue_type in ISSUE_TYPES:
		if not frappe.db.exists("Issue Type", issue_type):
			frappe.get_doc({"doctype": "Issue Type", "name": issue_type}).insert(ignore_permissions=True)
	settings = frappe.get_single("BRM Settings")
	if not any(row.issue_type == "Complaint" for row in settings.get("complaint_issue_types") or []):
		settings.append("complaint_issue_types", {"issue_type": "Complaint"})
		settings.save(ignore_permissions=True)


def _survey_templates() -> list[str]:
	"""The enabled templates, those in the site's language first (the demo's surveys use the first)."""
	templates = frappe.get_all(
		"Satisfaction Survey Template",
		filters={"enabled": 1},
		fields=["name", "language"],
		order_by="creation desc",
	)
	if templates:
		site_language = frappe.db.get_default("lang")
		return [t.name for t in sorted(templates, key=lambda t: t.language != site_language)]
	return [make_demo_template()]


def make_demo_template() -> str:
	"""The demo's survey template (its questions); returns its name. Used by demo_bulk too."""
	doc = frappe.get_doc(
		{
			"doctype": "Satisfaction Survey Template",
			"template_name": "Demo Relationship Review",
			"trigger": "Periodic Relationship Review",
			"questions": [
				{
					"question": "How satisfied are you with our services?",
					"question_type": "Rating",
					"mandatory": 1,
				},
				{
					"question": "How satisfied are you with your relationship manager?",
					"question_type": "Rating",
					"mandatory": 1,
				},
				{
					"question": "How likely are you to recommend us to a colleague?",
					"question_type": "NPS",
					"mandatory": 1,
				},
				{
					"question": "Did we meet your business needs this quarter?",
					"question_type": "Yes/No",
					"mandatory": 1,
				},
				{"question": "What should we improve?", "question_type": "Text", "mandatory": 0},
			],
		}
	).insert(ignore_permissions=True)
	return doc.name


def _pick_group(doctype: str) -> str:
	return frappe.db.get_value(doctype, {"is_group": 0}, "name") or frappe.db.get_value(doctype, {}, "name")


def _make_customer_world(customer_name, rng, managers, services, templates) -> None:
	manager = rng.choice(managers)
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": customer_name,
			"customer_type": "Company",
			"customer_group": _pick_group("Customer Group"),
			"territory": _pick_group("Territory"),
			"account_manager": manager,
		}
	).insert(ignore_permissions=True)

	contacts = [_make_contact(customer.name, rng, n) for n in range(2)]
	portfolio = _make_portfolio(customer.name, manager, rng, contacts, services)
	_make_agreements(customer.name, rng, contacts, manager, portfolio)
	opportunities = _make_opportunities(customer.name, rng, portfolio)
	if rng.random() < 0.4:
		_make_business_case(customer.name, rng, opportunities[0], contacts[0])
	_make_surveys(customer.name, rng, contacts, templates)
	_make_issues(customer.name, rng, contacts)


def _make_contact(customer: str, rng: random.Random, n: int) -> "frappe.Document":
	first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
	slug = customer.lower().replace(" ", "-")
	return frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first,
			"last_name": last,
			"email_ids": [{"email_id": f"{first.lower()}.{n}@{slug}.example.com", "is_primary": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert(ignore_permissions=True)


def _make_portfolio(customer, manager, rng, contacts, services) -> "frappe.Document":
	if frappe.db.exists("Customer Portfolio", customer):
		doc = frappe.get_doc("Customer Portfolio", customer)
	else:
		doc = frappe.new_doc("Customer Portfolio")
		doc.customer = customer
	doc.relationship_manager = manager
	doc.strategic_importance = rng.choice(["Strategic", "Important", "Important", "Commodity"])
	doc.relationship_status = "Active"
	doc.business_strategy = f"Grow in {rng.choice(INDUSTRIES).lower()} markets while keeping IT costs flat."
	doc.business_drivers = "Customer experience, regulatory compliance, cost control."
	doc.set("stakeholders", [])
	for contact, role in zip(contacts, ["Decision Maker", "Key User"], strict=False):
		doc.append(
			"stakeholders",
			{
				"contact": contact.name,
				"stakeholder_role": role,
				"influence": rng.choice(["High", "Medium", "Low"]),
				"interest": rng.choice(["High", "Medium", "Low"]),
				"receives_surveys": 1,
			},
		)
	doc.set("business_outcomes", [])
	for objective, outcome, measure in rng.sample(OBJECTIVES, k=rng.randint(1, 3)):
		status = rng.choice(["Proposed", "Agreed", "Agreed", "Achieved"])
		row = {
			"objective": objective,
			"desired_outcome": outcome,
			"measure": measure,
			"target_date": add_days(nowdate(), rng.randint(30, 400)),
			"status": status,
		}
		if status in ("Agreed", "Achieved"):
			row.update(
				{
					"agreed_on": add_days(nowdate(), -rng.randint(1, 300)),
					"agreed_by": contacts[0].name,
					"evidence": "Minutes of the quarterly business review",
				}
			)
		doc.append("business_outcomes", row)
	doc.set("services", [])
	for service in rng.sample(services, k=rng.randint(1, 3)):
		doc.append(
			"services",
			{
				"it_service": service,
				"business_criticality": rng.choice(["Critical", "High", "Medium", "Low"]),
				"business_dependency": "Daily operations stop without it.",
				"user_count": rng.randint(10, 2000),
			},
		)
	doc.save(ignore_permissions=True)
	return doc


def _make_agreements(customer, rng, contacts, manager, portfolio) -> None:
	for n in range(rng.randint(1, 2)):
		start = add_days(nowdate(), -rng.randint(0, 700))
		end = add_days(start, rng.choice([365, 730]))
		covered = [row.it_service for row in portfolio.services][: n + 1]
		doc = frappe.get_doc(
			{
				"doctype": "Customer Agreement",
				"agreement_title": f"{'Master Services' if n == 0 else 'Supplementary'} Agreement",
				"customer": customer,
				"agreement_kind": "External",
				"agreement_basis": rng.choice(["Standard", "Negotiated"]),
				"start_date": start,
				"end_date": end,
				"renewal": rng.choice(["Tacit", "Express"]),
				"notice_period_days": 60,
				"agreement_value": rng.randint(50, 2000) * 1_000_000,
				"billing_frequency": "Monthly",
				"customer_signatory": contacts[0].name,
				"provider_signatory": manager,
				"signed_on": start,
				"services": [
					{
						"it_service": s,
						"availability_target": min(
							99.0, frappe.db.get_value("IT Service", s, "max_committable_availability")
						),
						"service_hours": "Mon-Fri 08:00-18:00",
					}
					for s in covered
				],
			}
		).insert(ignore_permissions=True)
		if rng.random() < 0.8:
			# the sign-off workflow: Pending Sign-off (set directly, so demo data sends no approval
			# e-mails), then Activate by submitting; the relationship manager prepared it (four eyes)
			doc.db_set({"workflow_state": "Pending Sign-off", "prepared_by": manager})
			doc.reload()
			doc.submit()


def _make_opportunities(customer, rng, portfolio) -> list["frappe.Document"]:
	docs = []
	for opportunity_type, source in rng.sample(OPPORTUNITY_TYPES, k=2):
		docs.append(
			frappe.get_doc(
				{
					"doctype": "Service Opportunity",
					"opportunity_title": f"{opportunity_type} for {customer}",
					"customer": customer,
					"opportunity_type": opportunity_type,
					"source": source,
					"priority": rng.choice(["Low", "Medium", "High"]),
					"impacted_services": [{"it_service": portfolio.services[0].it_service}],
					"business_impact": "Supports the customer's objectives for next year.",
					"estimated_value": rng.randint(100, 5000) * 1_000_000,
					"estimated_cost": rng.randint(50, 2000) * 1_000_000,
				}
			).insert(ignore_permissions=True)
		)
	return docs


def _make_business_case(customer, rng, opportunity, budget_holder) -> None:
	horizon = rng.randint(3, 5)
	capex = rng.randint(200, 2000) * 1_000_000
	frappe.get_doc(
		{
			"doctype": "Business Case",
			"title": f"Business case: {opportunity.opportunity_title}",
			"customer": customer,
			"service_opportunity": opportunity.name,
			"objectives": "Deliver the service change with a positive return within the horizon.",
			"funding_status": rng.choice(["Not Requested", "Requested"]),
			"budget_holder": budget_holder.name,
			"discount_rate": rng.choice([8, 10, 12]),
			"horizon_years": horizon,
			"requirements": [
				{
					"requirement": "Service available during business hours",
					"requirement_type": "Availability",
					"moscow_priority": "Must",
				},
				{
					"requirement": "Recover within 4 hours after a site failure",
					"requirement_type": "Continuity",
					"moscow_priority": "Should",
				},
				{
					"requirement": "Single sign-on for all users",
					"requirement_type": "Functional",
					"moscow_priority": "Must",
				},
			],
			"costs": [{"description": "Implementation", "cost_type": "Capex", "year": 0, "amount": capex}]
			+ [
				{"description": "Run cost", "cost_type": "Opex", "year": y, "amount": capex // 10}
				for y in range(1, horizon + 1)
			],
			"benefits": [
				{
					"description": "Efficiency savings",
					"benefit_type": "Cost Saving",
					"year": y,
					"amount": int(capex * rng.uniform(0.2, 0.5)),
				}
				for y in range(1, horizon + 1)
			],
		}
	).insert(ignore_permissions=True)


def _make_surveys(customer, rng, contacts, templates) -> None:
	template = frappe.get_cached_doc("Satisfaction Survey Template", templates[0])
	for n in range(rng.randint(1, 3)):
		contact = contacts[n % len(contacts)]
		sent = add_to_date(now_datetime(), days=-rng.randint(5, 360))
		mood = rng.random()
		answers = []
		for q in template.questions:
			row = {"question": q.question, "question_type": q.question_type, "mandatory": q.mandatory}
			if q.question_type == "Rating":
				row["score"] = max(1, min(5, round(2 + mood * 3 + rng.uniform(-0.6, 0.6))))
				row["answer"] = str(row["score"])
			elif q.question_type == "NPS":
				row["score"] = max(0, min(10, round(4 + mood * 6 + rng.uniform(-1, 1))))
				row["answer"] = str(row["score"])
			elif q.question_type == "Yes/No":
				row["answer"] = "Yes" if mood > 0.3 else "No"
			else:
				row["answer"] = rng.choice(["", "Faster responses please.", "Keep up the good work.", ""])
			answers.append(row)
		frappe.get_doc(
			{
				"doctype": "Satisfaction Survey",
				"template": template.name,
				"customer": customer,
				"contact": contact.name,
				"email": contact.email_id,
				"trigger": template.trigger,
				"status": "Responded",
				"scheduled_for": sent,
				"sent_on": sent,
				"expires_on": add_to_date(sent, days=14),
				"responded_on": add_to_date(sent, days=rng.randint(0, 10)),
				"answers": answers,
			}
		).insert(ignore_permissions=True)


def _make_issues(customer, rng, contacts) -> None:
	for _n in range(rng.randint(2, 4)):
		contact = rng.choice(contacts)
		issue_type = rng.choice([*ISSUE_TYPES, "Incident"])
		closed = rng.random() < 0.7
		doc = frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": f"{issue_type}: {rng.choice(['Slow laptop', 'Cannot log in', 'Report missing', 'Invoice error', 'VPN down'])}",
				"customer": customer,
				"raised_by": contact.email_id,
				"contact": contact.name,
				"issue_type": issue_type,
				"status": "Open",
				"opening_date": add_days(nowdate(), -rng.randint(1, 360)),
			}
		)
		doc.flags.ignore_mandatory = True
		doc.insert(ignore_permissions=True)
		updates = {"agreement_status": rng.choice(["Fulfilled", "Fulfilled", "Fulfilled", "Failed"])}
		if closed:
			updates.update({"status": "Closed", "resolution_date": now_datetime()})
		# direct update: demo history, not a live ticket closing (that path is the helpdesk hook's)
		frappe.db.set_value("Issue", doc.name, updates, update_modified=False)
