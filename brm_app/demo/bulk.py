"""The demo world at benchmark scale (brm_app.demo.recipe), written with multi-row INSERTs.

    bench --site SITE brm-demo --scale 10000            (bulk above recipe.BULK_FROM customers, or with --bulk)
    bench --site SITE execute brm_app.demo.bulk.generate --kwargs "{'scale': 10000}"

The ORM writer (brm_app.demo.orm) spends about 0.4 s per customer; issue #6's benchmark scale (10,000
customers, 200,000 Issues, 100,000 surveys …) would take over an hour that way. This writer builds the rows
of each customer's plan in Python and inserts them a chunk of customers at a time, computing every field
the controllers would set:

- names: naming series counters reserved in `tabSeries` for the whole chunk (CAG-2026-00001 …), a
  Customer and its Customer Portfolio named by the customer name, Contacts "First Last-Customer", child
  rows by their parent (recipe.row_name) — unique by construction, nothing drawn at random;
- the controllers' derived fields: customer_name, portfolio and relationship_manager on every linked
  record, survey scores and NPS category (brm_app.services.survey_scoring), business case finance figures
  (brm_app.services.finance), agreement status (brm_app.services.agreement_status), workflow_state,
  docstatus, approval levels and approval log rows consistent with the approval workflows;
- every column a freshly made document would store (brm_app.demo.bulk_tables.Table), and the health
  fields by the production health job.

Seeded (customer i always gets the same data) and idempotent: customers already on the site, from either
writer, are skipped; each chunk is committed on its own, so an interrupted run resumes where it stopped.
"""

import time
from datetime import datetime, timedelta
from datetime import time as dtime

import frappe
from frappe.utils import flt, getdate, now_datetime, nowdate, update_progress_bar

from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import low_score_threshold
from brm_app.demo import bulk_records, bulk_reviews, fixtures, recipe
from brm_app.demo.bulk_tables import Table, child, reserve_names, series_of, stamps
from brm_app.demo.health_history import write_health_history
from brm_app.demo.recipe import expected_counts  # the counts this writer makes (tests)
from brm_app.reviews.pack import pack_language
from brm_app.rhythm import cadence
from brm_app.services import approval_rules as rules
from brm_app.services.agreement_status import derive_status
from brm_app.signoff import records as sign_off_records

CUSTOMERS_PER_CHUNK = 250
TABLES = (
	"Customer",
	"Contact",
	"Contact Email",
	"Dynamic Link",
	"Customer Portfolio",
	"Portfolio Stakeholder",
	"Portfolio Business Outcome",
	"Portfolio Service",
	"Customer Agreement",
	"Agreement Service",
	"BRM Approval Log",
	"Service Opportunity",
	"Opportunity Impacted Service",
	"Business Case",
	"Business Case Requirement",
	"Business Case Cost",
	"Business Case Benefit",
	"Business Case Signatory",
	"Customer Sign-off",
	"Customer Sign-off Decision",
	"Satisfaction Survey",
	"Satisfaction Survey Answer",
	"Issue",
	# service reviews (brm_app.demo.bulk_reviews)
	*bulk_reviews.TABLES,
)


def generate(
	scale: int = 10_000,
	seed: int = 42,
	progress: bool = True,
	commit: bool = True,
	health: bool = True,
	chunk_size: int = CUSTOMERS_PER_CHUNK,
) -> dict:
	"""Fill the site with `scale` demo customers and their world in bulk; returns counts and seconds."""
	started = time.monotonic()
	with fixtures.writing(scale) as scale:
		world = World(seed, recipe.manager_count(scale))
		existing = set(
			frappe.get_all(
				"Customer",
				filters={"customer_name": ["like", f"{recipe.DEMO_PREFIX}%"]},
				pluck="customer_name",
			)
		)
		missing = [i for i in range(1, scale + 1) if recipe.customer_name(i) not in existing]
		done = 0
		for start in range(0, len(missing), chunk_size):
			chunk = missing[start : start + chunk_size]
			try:
				world.write_chunk(chunk)
			except Exception:
				if commit:
					frappe.db.rollback()
				raise
			if commit:
				frappe.db.commit()  # nosemgrep: one commit per chunk keeps a long run resumable
			done += len(chunk)
			if progress:
				update_progress_bar("BRM demo data (bulk)", done - 1, len(missing))
		if progress and missing:
			print()
		# relationship surveys by cadence: the portfolios' last / next relationship survey (as the ORM path)
		from brm_app.jobs.surveys import backfill_relationship_survey_dates

		backfill_relationship_survey_dates()
		if commit:
			frappe.db.commit()  # nosemgrep: the relationship survey dates of the new portfolios
		health_seconds = None
		# every run ends with the health of every portfolio computed (a re-run that adds nothing too: the
		# first screen never shows unscored portfolios because the hourly job has not run yet)
		if health:
			health_seconds = _recompute_health(progress)
			# weeks of health snapshots behind them, so that trends and movers show something
			write_health_history(seed)
			# the daily alert job on the whole world, as the ORM path does (docs/alerts.md)
			from brm_app.jobs.alerts import run_alerts

			run_alerts()
			if commit:
				frappe.db.commit()  # nosemgrep: the health figures of the new portfolios
	result = {
		"customers_created": len(missing),
		"scale": scale,
		"seconds": round(time.monotonic() - started, 1),
		"health_seconds": health_seconds,
	}
	print(result)
	return result


def _recompute_health(progress: bool) -> float:
	from brm_app.jobs.health import recompute_health_scores

	if progress:
		update_progress_bar("Health scores", 0, 2)
	started = time.monotonic()
	recompute_health_scores()
	if progress:
		update_progress_bar("Health scores", 1, 2)
		print()
	return round(time.monotonic() - started, 1)


class World:
	def __init__(self, seed: int, manager_count: int):
		self.seed = seed
		self.managers = fixtures.ensure_relationship_managers(manager_count)
		self.process_manager, self.process_owner = fixtures.ensure_process_users()
		self.availability = fixtures.ensure_services()
		fixtures.ensure_issue_types()
		self.template = fixtures.survey_template()
		self.questions = frappe.get_all(
			"Survey Template Question",
			filters={"parent": self.template.name, "parenttype": "Satisfaction Survey Template"},
			fields=["question", "question_type", "mandatory"],
			order_by="idx asc",
		)
		self.low_score = low_score_threshold()
		self.two_level_threshold = flt(
			frappe.db.get_single_value("BRM Settings", "two_level_approval_threshold")
		)
		self.customer_group = fixtures.pick_group("Customer Group")
		self.territory = fixtures.pick_group("Territory")
		self.company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {})
		self.priorities = frappe.get_all("Issue Priority", pluck="name") or [None]
		self.customer_naming = frappe.defaults.get_global_default("cust_master_name") or "Customer Name"
		self.series = {
			doctype: series_of(doctype)
			for doctype in (
				"Customer Agreement",
				"Service Opportunity",
				"Business Case",
				"Customer Sign-off",
				"Satisfaction Survey",
				"Issue",
				"Service Review",
			)
		}
		self.today = getdate(nowdate())
		self.now = now_datetime()
		self.sign_off_link_days = sign_off_records.link_days()
		self.review_language = pack_language(None)
		self.manager_names = {user: frappe.utils.get_fullname(user) for user in self.managers}
		self.t = None

	def write_chunk(self, indices: list[int]) -> None:
		if self.t is None:
			self.t = {doctype: Table(doctype) for doctype in TABLES}
		plans = [recipe.customer_plan(self.seed, i, self.managers) for i in indices]
		needed = {
			"Customer Agreement": sum(len(plan.agreements) for plan in plans),
			"Service Opportunity": sum(len(plan.opportunities) for plan in plans),
			"Business Case": sum(1 for plan in plans if plan.case_state),
			"Customer Sign-off": sum(1 for plan in plans if plan.case_state in recipe.SIGNED_OFF_CASE_STATES),
			"Satisfaction Survey": sum(len(plan.surveys) for plan in plans),
			"Issue": sum(len(plan.issues) for plan in plans),
			"Service Review": bulk_reviews.count(self, plans),
		}
		self.names = {
			doctype: iter(reserve_names(self.series[doctype], count)) for doctype, count in needed.items()
		}
		if self.customer_naming == "Naming Series":
			self.names["Customer"] = iter(reserve_names(series_of("Customer"), len(plans)))
		for plan in plans:
			self.customer_world(plan)
		for table in self.t.values():
			table.flush()

	# one customer ------------------------------------------------------------------------------

	def customer_world(self, plan: recipe.Plan) -> None:
		rng = plan.rng
		created = self.now - timedelta(days=400 + rng.randint(0, 300), minutes=rng.randint(0, 1440))
		customer = (
			next(self.names["Customer"]) if self.customer_naming == "Naming Series" else plan.customer_name
		)
		self.t["Customer"].add(
			{
				"name": customer,
				"customer_name": plan.customer_name,
				"customer_type": "Company",
				"customer_group": self.customer_group,
				"territory": self.territory,
				"account_manager": plan.manager,
				"naming_series": self.t["Customer"].base.get("naming_series"),
				**stamps(created, "Administrator"),
			}
		)
		ctx = frappe._dict(
			plan=plan,
			customer=customer,
			customer_name=plan.customer_name,
			manager=plan.manager,
			created=created,
			rng=rng,
			services=plan.services,
			# relationship surveys by cadence (issue 18): the months between two, and how many so far
			survey_months=cadence.cadence_months(cadence.SURVEY, plan.importance),
			relationship_surveys=0,
		)
		ctx.contacts = self.contacts(ctx)
		self.portfolio(ctx)
		for n, (state, (started, term)) in enumerate(zip(plan.agreements, plan.agreement_dates, strict=True)):
			self.agreement(ctx, n, state, started, term)
		issues = [bulk_records.issue(self, ctx, kind, status) for kind, status in plan.issues]
		# every other survey follows up one of the customer's tickets closed over four weeks ago
		closed = [
			issue
			for issue in issues
			if issue["status"] == "Closed" and issue["resolution_date"] < self.now - timedelta(days=28)
		]
		surveys = []
		for n, status in enumerate(plan.surveys):
			follows = n % 2 == 0 and n // 2 < len(closed) and status != "Sent"
			surveys.append(bulk_records.survey(self, ctx, n, status, closed[n // 2] if follows else None))
		# the feedback an improvement opportunity can be raised from (K7): complaints, detractor responses
		ctx.feedback = [
			("source_issue", issue["name"], issue["creation"])
			for issue in issues
			if issue["issue_type"] == "Complaint"
		]
		ctx.feedback += [
			("source_survey", survey["name"], survey["responded_on"])
			for survey in surveys
			if survey.get("nps_category") == "Detractor"
		]
		opportunities = [bulk_records.opportunity(self, ctx, *planned) for planned in plan.opportunities]
		if plan.case_state:
			bulk_records.business_case(self, ctx, opportunities[0], plan.case_state)
		bulk_reviews.write(self, ctx)

	def linked(self, ctx) -> dict:
		return {
			"customer": ctx.customer,
			"customer_name": ctx.customer_name,
			"portfolio": ctx.customer,
			"relationship_manager": ctx.manager,
		}

	def contacts(self, ctx) -> list:
		made = []
		parent_stamps = stamps(ctx.created, "Administrator")
		names = recipe.contact_names(ctx.plan.contacts, ctx.customer)
		for n, ((first, last), name) in enumerate(zip(ctx.plan.contacts, names, strict=True)):
			full_name = f"{first} {last}"
			email = recipe.contact_email(first, ctx.customer_name, n)
			self.t["Contact"].add(
				{
					"name": name,
					"first_name": first,
					"last_name": last,
					"full_name": full_name,
					"email_id": email,
					"status": "Passive",
					**parent_stamps,
				}
			)
			self.t["Contact Email"].add(
				{"email_id": email, "is_primary": 1, **child(name, "Contact", "email_ids", 1, parent_stamps)}
			)
			self.t["Dynamic Link"].add(
				{
					"link_doctype": "Customer",
					"link_name": ctx.customer,
					"link_title": ctx.customer_name,
					**child(name, "Contact", "links", 1, parent_stamps),
				}
			)
			made.append(frappe._dict(name=name, email_id=email, full_name=full_name))
		return made

	def portfolio(self, ctx) -> None:
		rng, plan = ctx.rng, ctx.plan
		parent_stamps = stamps(ctx.created, ctx.manager)
		name = ctx.customer
		self.t["Customer Portfolio"].add(
			{
				"name": name,
				"customer": ctx.customer,
				"customer_name": ctx.customer_name,
				"relationship_manager": ctx.manager,
				"strategic_importance": plan.importance,
				"relationship_status": "Active",
				"business_strategy": recipe.business_strategy(plan.industry),
				"business_drivers": recipe.BUSINESS_DRIVERS,
				**bulk_reviews.rhythm(self, plan),
				**parent_stamps,
			}
		)
		for idx, (contact, role) in enumerate(zip(ctx.contacts, recipe.STAKEHOLDER_ROLES, strict=True), 1):
			self.t["Portfolio Stakeholder"].add(
				{
					"contact": contact.name,
					"full_name": contact.full_name,
					"email_id": contact.email_id,
					"stakeholder_role": role,
					"influence": rng.choice(recipe.LEVELS),
					"interest": rng.choice(recipe.LEVELS),
					"receives_surveys": 1,
					"signs_off_requirements": int(idx - 1 == recipe.SIGNATORY_INDEX),
					**child(name, "Customer Portfolio", "stakeholders", idx, parent_stamps),
				}
			)
		for idx, (objective, outcome, measure, status) in enumerate(plan.outcomes, 1):
			row = {
				"objective": objective,
				"desired_outcome": outcome,
				"measure": measure,
				"target_date": self.today + timedelta(days=rng.randint(30, 400)),
				"status": status,
				**child(name, "Customer Portfolio", "business_outcomes", idx, parent_stamps),
			}
			if status in ("Agreed", "Achieved"):
				row.update(
					agreed_on=self.today - timedelta(days=rng.randint(1, 300)),
					agreed_by=ctx.contacts[0].name,
					evidence=recipe.OUTCOME_EVIDENCE,
				)
			self.t["Portfolio Business Outcome"].add(row)
		for idx, service in enumerate(plan.services, 1):
			self.t["Portfolio Service"].add(
				{
					"it_service": service,
					"business_criticality": rng.choice(recipe.CRITICALITIES),
					"business_dependency": recipe.BUSINESS_DEPENDENCY,
					"user_count": rng.randint(10, 2000),
					**child(name, "Customer Portfolio", "services", idx, parent_stamps),
				}
			)

	def agreement(self, ctx, n: int, state: str, started: int, term: int) -> None:
		rng = ctx.rng
		name = next(self.names["Customer Agreement"])
		start = self.today - timedelta(days=started)
		end = start + timedelta(days=term)
		signed = state == rules.ACTIVE
		created = datetime.combine(start, dtime(9)) - timedelta(days=rng.randint(5, 30))
		parent_stamps = stamps(created, ctx.manager)
		log = []
		if state != rules.DRAFT:
			log.append((rules.SUBMIT_FOR_SIGN_OFF, rules.DRAFT, rules.PENDING_SIGN_OFF, ctx.manager))
		if signed:
			log.append((rules.ACTIVATE, rules.PENDING_SIGN_OFF, rules.ACTIVE, self.process_manager))
		docstatus = 1 if signed else 0
		status = derive_status(docstatus, state, start, end, recipe.NOTICE_PERIOD_DAYS, self.today, None)
		self.t["Customer Agreement"].add(
			{
				"name": name,
				"naming_series": self.series["Customer Agreement"],
				"agreement_title": recipe.agreement_title(n),
				**self.linked(ctx),
				"status": status,
				"workflow_state": state,
				"agreement_kind": "External",
				"agreement_basis": rng.choice(["Standard", "Negotiated"]),
				"start_date": start,
				"end_date": end,
				"renewal": rng.choice(["Tacit", "Express"]),
				"notice_period_days": recipe.NOTICE_PERIOD_DAYS,
				"renewal_term_months": recipe.renewal_term_months(ctx.plan.i, n),
				"agreement_value": float(rng.randint(50, 2000) * 1_000_000),
				"billing_frequency": "Monthly",
				"customer_signatory": ctx.contacts[0].name,
				"provider_signatory": ctx.manager,
				"prepared_by": ctx.manager,
				"signed_on": start if signed else None,
				**parent_stamps,
				"docstatus": docstatus,
			}
		)
		for idx, service in enumerate(ctx.services[: n + 1], 1):
			self.t["Agreement Service"].add(
				{
					"it_service": service,
					"availability_target": recipe.availability_target(self.availability[service]),
					"service_hours": recipe.SERVICE_HOURS,
					**child(name, "Customer Agreement", "services", idx, parent_stamps),
					"docstatus": docstatus,
				}
			)
		at = created
		for idx, step in enumerate(log, 1):
			at = at + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
			self.approval_log_row(name, "Customer Agreement", idx, step, at, docstatus, parent_stamps)

	def approval_log_row(self, parent, parenttype, idx, step, at, docstatus, parent_stamps) -> None:
		"""One BRM Approval Log row: `step` is (action, state_from, state_to, user), done at `at`."""
		action, state_from, state_to, user = step
		self.t["BRM Approval Log"].add(
			{
				"action": action,
				"state_from": state_from,
				"state_to": state_to,
				"user": user,
				"at": at,
				"comment": recipe.REJECTION_NOTE if action == rules.REJECT else None,
				**child(parent, parenttype, "approval_log", idx, parent_stamps),
				"docstatus": docstatus,
			}
		)
