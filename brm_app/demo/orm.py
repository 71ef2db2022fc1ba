"""The demo world (brm_app.demo.recipe) written as documents, through their controllers.

    bench --site SITE brm-demo --scale 20 --orm
    bench --site SITE execute brm_app.demo.orm.generate --kwargs "{'scale': 20}"

For small scales (the dev site, tests): every record is inserted through the ORM, so every rule of the app
holds for it; about half a second per customer or more. Histories the app would have lived through are
walked where they are cheap to walk: agreements are submitted for sign-off and activated (the state set
directly, so demo data e-mails nobody), business cases go through their approval workflow as the
relationship manager and the process manager / owner, ticket outcomes are written to the Issue directly
(demo history, not a live ticket closing).

Idempotent: a customer that already exists is skipped, so running it again (or with a larger scale) only
adds what is missing. The same seed and scale give the same world as brm_app.demo.bulk.
"""

import time

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate, update_progress_bar

from brm_app.api.approvals import apply_action
from brm_app.demo import fixtures, recipe
from brm_app.demo.health_history import write_health_history
from brm_app.jobs.alerts import run_alerts
from brm_app.jobs.health import recompute_health_scores
from brm_app.jobs.surveys import backfill_relationship_survey_dates
from brm_app.rhythm import cadence
from brm_app.services import approval_rules as rules
from brm_app.signoff import flow as sign_off_flow
from brm_app.signoff import records as sign_off_records


def generate(scale: int = 20, seed: int = 42, progress: bool = True, commit: bool = True) -> dict:
	"""Fill the site with `scale` demo customers and everything around them; returns counts and seconds."""
	started = time.monotonic()
	with fixtures.writing(scale) as scale:
		writer = Writer(scale)
		writer.seed = seed  # the service reviews' own generator (recipe.review_plan)
		created = 0
		for i in range(1, scale + 1):
			if not frappe.db.exists("Customer", {"customer_name": recipe.customer_name(i)}):
				writer.customer_world(recipe.customer_plan(seed, i, writer.managers))
				created += 1
				if commit:
					frappe.db.commit()  # nosemgrep: one commit per customer keeps a long run resumable
			if progress:
				update_progress_bar("Generating BRM demo data", i - 1, scale)
		if progress:
			print()
		# relationship surveys by cadence: the portfolios' last / next relationship survey (as the bulk path)
		backfill_relationship_survey_dates()
		# the health job runs hourly; without this the first screen would show every portfolio unscored
		recompute_health_scores()
		# weeks of health snapshots behind them, so that trends and movers show something
		write_health_history(seed)
		# and the daily alert job, so that the alert list and the scorecard's alert counts show something
		run_alerts()
		if commit:
			frappe.db.commit()  # nosemgrep: the health figures of the demo portfolios
	result = {"customers_created": created, "scale": scale, "seconds": round(time.monotonic() - started, 1)}
	print(result)
	return result


class Writer:
	def __init__(self, scale: int):
		self.managers = fixtures.ensure_relationship_managers(recipe.manager_count(scale))
		self.process_manager, self.process_owner = fixtures.ensure_process_users()
		self.availability = fixtures.ensure_services()
		fixtures.ensure_issue_types()
		self.template = fixtures.survey_template()
		self.customer_group = fixtures.pick_group("Customer Group")
		self.territory = fixtures.pick_group("Territory")

	def customer_world(self, plan: recipe.Plan) -> None:
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": plan.customer_name,
				"customer_type": "Company",
				"customer_group": self.customer_group,
				"territory": self.territory,
				"account_manager": plan.manager,
			}
		).insert(ignore_permissions=True)
		contacts = [self.contact(customer, plan, n) for n in range(len(plan.contacts))]
		self.relationship_surveys = 0  # this customer's relationship surveys so far (cadence, issue 18)
		portfolio = self.portfolio(customer.name, plan, contacts)
		for n, state in enumerate(plan.agreements):
			self.agreement(customer.name, plan, n, state, contacts, portfolio)
		for issue_type, status in plan.issues:
			self.issue(customer.name, plan, issue_type, status, contacts)
		for n, status in enumerate(plan.surveys):
			self.survey(customer.name, plan, contacts[n % len(contacts)], status)
		opportunities = [
			self.opportunity(customer, plan, portfolio, *planned) for planned in plan.opportunities
		]
		if plan.case_state:
			self.business_case(customer.name, plan, opportunities[0], contacts)
		self.service_reviews(customer.name, plan, contacts[0])

	def contact(self, customer, plan: recipe.Plan, n: int):
		first, last = plan.contacts[n]
		return frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": first,
				"last_name": last,
				"email_ids": [
					{"email_id": recipe.contact_email(first, plan.customer_name, n), "is_primary": 1}
				],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert(ignore_permissions=True)

	def portfolio(self, customer: str, plan: recipe.Plan, contacts):
		rng = plan.rng
		if frappe.db.exists("Customer Portfolio", customer):
			doc = frappe.get_doc("Customer Portfolio", customer)
		else:
			doc = frappe.new_doc("Customer Portfolio")
			doc.customer = customer
		doc.relationship_manager = plan.manager
		doc.strategic_importance = plan.importance
		doc.relationship_status = "Active"
		doc.business_strategy = recipe.business_strategy(plan.industry)
		doc.business_drivers = recipe.BUSINESS_DRIVERS
		doc.set("stakeholders", [])
		for n, (contact, role) in enumerate(zip(contacts, recipe.STAKEHOLDER_ROLES, strict=True)):
			doc.append(
				"stakeholders",
				{
					"contact": contact.name,
					"stakeholder_role": role,
					"influence": rng.choice(recipe.LEVELS),
					"interest": rng.choice(recipe.LEVELS),
					"receives_surveys": 1,
					"signs_off_requirements": int(n == recipe.SIGNATORY_INDEX),
				},
			)
		doc.set("business_outcomes", [])
		for objective, outcome, measure, status in plan.outcomes:
			row = {
				"objective": objective,
				"desired_outcome": outcome,
				"measure": measure,
				"target_date": add_days(nowdate(), rng.randint(30, 400)),
				"status": status,
			}
			if status in ("Agreed", "Achieved"):
				row.update(
					agreed_on=add_days(nowdate(), -rng.randint(1, 300)),
					agreed_by=contacts[0].name,
					evidence=recipe.OUTCOME_EVIDENCE,
				)
			doc.append("business_outcomes", row)
		doc.set("services", [])
		for service in plan.services:
			doc.append(
				"services",
				{
					"it_service": service,
					"business_criticality": rng.choice(recipe.CRITICALITIES),
					"business_dependency": recipe.BUSINESS_DEPENDENCY,
					"user_count": rng.randint(10, 2000),
				},
			)
		doc.save(ignore_permissions=True)
		return doc

	def agreement(self, customer: str, plan: recipe.Plan, n: int, state: str, contacts, portfolio) -> None:
		rng = plan.rng
		started, term = plan.agreement_dates[n]
		start = add_days(nowdate(), -started)
		doc = frappe.get_doc(
			{
				"doctype": "Customer Agreement",
				"agreement_title": recipe.agreement_title(n),
				"customer": customer,
				"agreement_kind": "External",
				"agreement_basis": rng.choice(["Standard", "Negotiated"]),
				"start_date": start,
				"end_date": add_days(start, term),
				"renewal": rng.choice(["Tacit", "Express"]),
				"notice_period_days": recipe.NOTICE_PERIOD_DAYS,
				"renewal_term_months": recipe.renewal_term_months(plan.i, n),
				"agreement_value": rng.randint(50, 2000) * 1_000_000,
				"billing_frequency": "Monthly",
				"customer_signatory": contacts[0].name,
				"provider_signatory": plan.manager,
				"signed_on": start if state == rules.ACTIVE else None,
				"services": [
					{
						"it_service": service,
						"availability_target": recipe.availability_target(self.availability[service]),
						"service_hours": recipe.SERVICE_HOURS,
					}
					for service in [row.it_service for row in portfolio.services][: n + 1]
				],
			}
		).insert(ignore_permissions=True)
		if state == rules.DRAFT:
			return
		# the sign-off workflow: Pending Sign-off (set directly, so demo data sends no approval e-mails),
		# then Activate by submitting; the relationship manager prepared it (four eyes)
		doc.db_set({"workflow_state": rules.PENDING_SIGN_OFF, "prepared_by": plan.manager})
		if state == rules.ACTIVE:
			doc.reload()
			doc.submit()

	def opportunity(self, customer, plan: recipe.Plan, portfolio, opportunity_type, source, status):
		rng = plan.rng
		doc = frappe.get_doc(
			{
				"doctype": "Service Opportunity",
				"opportunity_title": recipe.opportunity_title(opportunity_type, plan.customer_name),
				"customer": customer.name,
				"opportunity_type": opportunity_type,
				"source": source,
				"priority": rng.choice(recipe.PRIORITIES),
				"impacted_services": [{"it_service": portfolio.services[0].it_service}],
				"business_impact": recipe.BUSINESS_IMPACT,
				"estimated_value": rng.randint(100, 5000) * 1_000_000,
				"estimated_cost": rng.randint(50, 2000) * 1_000_000,
			}
		).insert(ignore_permissions=True)
		if status != doc.status:
			# demo history: the assessment the opportunity went through
			doc.db_set("status", status, update_modified=False)
		return doc

	def service_reviews(self, customer: str, plan: recipe.Plan, contact) -> None:
		for days, status, actions in recipe.review_plan(self.seed, plan.i):
			_service_review(self, customer, plan, contact, days, status, actions)

	def business_case(self, customer: str, plan: recipe.Plan, opportunity, contacts) -> None:
		"""The case walks the workflow as its users would: the relationship manager names the customer's
		signatory and sends it for the customer's sign-off, the customer accepts every requirement
		(brm_app.signoff.flow.decide, as the e-mailed link would; no e-mail goes out), the process manager
		decides."""
		budget_holder = contacts[0]
		rng = plan.rng
		horizon, discount_rate, costs, benefits = recipe.case_figures(rng)
		state = plan.case_state
		with _as_user(plan.manager):
			case = frappe.get_doc(
				{
					"doctype": "Business Case",
					"title": recipe.case_title(opportunity.opportunity_title),
					"customer": customer,
					"service_opportunity": opportunity.name,
					"objectives": recipe.CASE_OBJECTIVES,
					"funding_status": rng.choice(["Not Requested", "Requested"]),
					"budget_holder": budget_holder.name,
					"discount_rate": discount_rate,
					"horizon_years": horizon,
					"requirements": [
						{"requirement": r, "requirement_type": kind, "moscow_priority": priority}
						for r, kind, priority in recipe.REQUIREMENTS
					],
					"costs": costs,
					"benefits": benefits,
					"signatories": [{"contact": contacts[recipe.SIGNATORY_INDEX].name}],
				}
			).insert(ignore_permissions=True)
			if state == rules.DRAFT:
				return
			if state != rules.UNDER_REVIEW:
				# ready for the customer's sign-off: funding requested
				case.funding_status = "Requested"
				case.save(ignore_permissions=True)
			apply_action("Business Case", case.name, rules.SUBMIT_FOR_REVIEW)
			if state == rules.UNDER_REVIEW:
				return
			# the requests are made but not sent (brm_app.signoff.notify: demo data e-mails nobody)
			apply_action("Business Case", case.name, rules.SEND_FOR_CUSTOMER_SIGN_OFF)
			for sign_off in sign_off_records.of_case(
				case.name, sign_off_records.REQUIREMENTS, sign_off_records.OPEN
			):
				sign_off_flow.decide(
					sign_off.name,
					{
						row.requirement_row: {"decision": sign_off_records.ACCEPTED}
						for row in sign_off.decisions
					},
				)
		if state == rules.PENDING_APPROVAL:
			return
		with _as_user(self.process_manager):
			if state == rules.REJECTED:
				apply_action("Business Case", case.name, rules.REJECT, comment=recipe.REJECTION_NOTE)
				return
			apply_action("Business Case", case.name, rules.APPROVE)
		if frappe.db.get_value("Business Case", case.name, "workflow_state") == rules.PENDING_FINAL_APPROVAL:
			with _as_user(self.process_owner):
				apply_action("Business Case", case.name, rules.APPROVE)

	def survey(self, customer: str, plan: recipe.Plan, contact, status: str) -> None:
		rng = plan.rng
		now = now_datetime()
		drawn = rng.randint(15, 360)
		sent = add_to_date(now, days=-drawn)
		# a relationship survey follows the portfolio's cadence (issue 18), as in the bulk path
		months = cadence.cadence_months(cadence.SURVEY, plan.importance)
		cadenced = recipe.relationship_survey_sent(now, months, self.relationship_surveys, drawn)
		if status != "Sent" and cadenced is not None:
			sent = cadenced
			self.relationship_surveys += 1
		responded = status == "Responded"
		values = recipe.survey_answers(rng, [q.question_type for q in self.template.questions])
		answers = []
		for q, value in zip(self.template.questions, values, strict=True):
			row = {"question": q.question, "question_type": q.question_type, "mandatory": q.mandatory}
			if responded:
				row["answer"] = str(value)
				if q.question_type in ("Rating", "NPS"):
					row["score"] = value
			answers.append(row)
		frappe.get_doc(
			{
				"doctype": "Satisfaction Survey",
				"template": self.template.name,
				"customer": customer,
				"contact": contact.name,
				"email": contact.email_id,
				# a survey of no ticket is a relationship survey (as in the bulk path)
				"trigger": "Periodic Relationship Review",
				"status": status,
				"scheduled_for": sent,
				"sent_on": sent,
				"expires_on": add_to_date(sent, days=14),
				"responded_on": min(add_to_date(sent, days=rng.randint(0, 10)), add_to_date(now, minutes=-1))
				if responded
				else None,
				# stands in for the sha256 of an e-mailed survey token (the token itself is never stored)
				"token_hash": None if responded else f"{rng.getrandbits(256):064x}",
				"answers": answers,
			}
		).insert(ignore_permissions=True)

	def issue(self, customer: str, plan: recipe.Plan, issue_type: str, status: str, contacts) -> None:
		rng = plan.rng
		contact = rng.choice(contacts)
		doc = frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": recipe.issue_subject(rng, issue_type),
				"customer": customer,
				"raised_by": contact.email_id,
				"contact": contact.name,
				"issue_type": issue_type,
				"status": "Open",
				"opening_date": add_days(nowdate(), -rng.randint(11, 360)),
			}
		)
		doc.flags.ignore_mandatory = True
		doc.insert(ignore_permissions=True)
		updates = {"status": status}
		if status in ("Resolved", "Closed"):
			updates.update(
				resolution_date=now_datetime(), agreement_status=recipe.pick(rng, recipe.SLA_WEIGHTS)
			)
		# direct update: demo history, not a live ticket closing (that path is the helpdesk hook's)
		frappe.db.set_value("Issue", doc.name, updates, update_modified=False)


def _service_review(
	writer, customer: str, plan: recipe.Plan, contact, days: int, status: str, actions
) -> None:
	"""One service review through its controller: the agenda snapshot of a Held one, the action items'
	ToDos and the portfolio's Last Reviewed On / Next Review Due follow (brm_app.reviews)."""
	review_date = add_days(nowdate(), days)
	frappe.get_doc(
		{
			"doctype": "Service Review",
			"customer": customer,
			"review_date": review_date,
			"status": status,
			"attendees": [{"contact": contact.name}, {"user": plan.manager}],
			"minutes": recipe.REVIEW_MINUTES if status == "Held" else None,
			"actions": [
				{
					"description": description,
					"assigned_to": plan.manager,
					"due_date": add_days(review_date, due),
					"status": action_status,
				}
				for description, action_status, due in actions
			],
		}
	).insert(ignore_permissions=True)


class _as_user:
	"""Act as `user` (the workflow's checks are the acting user's), then as the previous user again."""

	def __init__(self, user: str):
		self.user = user

	def __enter__(self):
		self.previous = frappe.session.user
		frappe.set_user(self.user)

	def __exit__(self, *exc):
		frappe.set_user(self.previous)
