"""Demo data at benchmark scale: the same world as brm_app.demo, written with multi-row INSERTs.

    bench --site SITE brm-demo --scale 10000            (bulk above BULK_FROM customers, or with --bulk)
    bench --site SITE execute brm_app.demo_bulk.generate --kwargs "{'scale': 10000}"

The ORM path (brm_app.demo) spends about 0.4 s per customer; issue #6's benchmark scale (10,000 customers,
200,000 Issues, 100,000 surveys …) would take over an hour that way. This path builds the rows in Python
and inserts them a chunk of customers at a time, computing every field the controllers would set:

- names the way frappe makes them: naming series counters reserved in `tabSeries` for the whole chunk
  (CAG-2026-00001 …), a Customer and its Customer Portfolio named by the customer name, Contacts
  "First Last-Customer", child rows with a 10-character random name from the seeded generator;
- the controllers' derived fields: customer_name, portfolio and relationship_manager on every linked
  record, survey scores and NPS category (brm_app.services.survey_scoring), business case finance figures
  (brm_app.services.finance), agreement status (brm_app.services.agreement_status), workflow_state,
  docstatus, approval levels and approval log rows consistent with the approval workflows;
- every column a freshly made document would store (frappe.new_doc defaults; numbers and checks
  normalised as frappe's get_valid_dict does), and the health fields by the production health job.

Per customer (RATIOS): 2 contacts, 1 portfolio, 1 or 2 agreements (1.5 on average), 2 opportunities, a
business case for every other customer, 10 surveys of 5 answers, 20 Issues. At scale 10,000: 20,000
contacts, 15,000 agreements, 20,000 opportunities, 5,000 business cases, 100,000 surveys (500,000
answers), 200,000 Issues. Several relationship managers (one per 500 customers, at least 3) hold the
portfolios, so row-level access has work to do.

Seeded (customer i always gets the same data) and idempotent: customers already on the site, from either
path, are skipped; each chunk is committed on its own, so an interrupted run resumes where it stopped.
"""

import base64
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

import frappe
from frappe.model import float_like_fields
from frappe.model.naming import NamingSeries
from frappe.utils import cint, flt, getdate, now_datetime, nowdate, update_progress_bar
from pymysql.converters import escape_string

from brm_app import demo
from brm_app.brm_app.doctype.business_case.business_case import irr_label, payback_label
from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import low_score_threshold
from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status, survey_scoring
from brm_app.services.agreement_status import derive_status
from brm_app.services.finance import compute_business_case

# customers above which `brm-demo` takes this path by itself
BULK_FROM = 500
# records per customer; the generator makes exactly these (the 0.5s alternate between customers)
RATIOS = {
	"Customer": 1,
	"Contact": 2,
	"Customer Portfolio": 1,
	"Customer Agreement": 1.5,
	"Service Opportunity": 2,
	"Business Case": 0.5,
	"Satisfaction Survey": 10,
	"Issue": 20,
}
ANSWERS_PER_SURVEY = 5
CUSTOMERS_PER_CHUNK = 250
ROWS_PER_INSERT = 1000
CUSTOMERS_PER_MANAGER = 500
DEMO_DOMAIN = "brm-demo.example.com"
PROCESS_MANAGER = f"process.manager@{DEMO_DOMAIN}"
PROCESS_OWNER = f"process.owner@{DEMO_DOMAIN}"
ISSUE_SUBJECTS = [
	"Slow laptop",
	"Cannot log in",
	"Report missing",
	"Invoice error",
	"VPN down",
	"Printer jam",
]
SURVEY_STATUS_WEIGHTS = (("Responded", 75), ("Expired", 15), ("Sent", 10))
ISSUE_STATUS_WEIGHTS = (("Closed", 70), ("Resolved", 10), ("Open", 15), ("Replied", 5))
ISSUE_TYPE_WEIGHTS = (("Incident", 55), ("Service Request", 30), ("Complaint", 15))
CASE_STATE_WEIGHTS = (
	(rules.DRAFT, 30),
	(rules.UNDER_REVIEW, 15),
	(rules.PENDING_APPROVAL, 15),
	(rules.APPROVED, 30),
	(rules.REJECTED, 10),
)
OPEN_OPPORTUNITY_STATUSES = (("New", 40), ("Assessing", 35), ("Withdrawn", 10), ("Rejected", 15))
# an opportunity of this source is linked to a complaint ticket or detractor response of its customer
FEEDBACK_SOURCE = "Complaint or Feedback"


def generate(
	scale: int = 10_000,
	seed: int = 42,
	progress: bool = True,
	commit: bool = True,
	health: bool = True,
	chunk_size: int = CUSTOMERS_PER_CHUNK,
) -> dict:
	"""Fill the site with `scale` demo customers and their world in bulk; returns counts and seconds."""
	scale = int(scale)
	if scale < 1:
		frappe.throw("scale must be at least 1")
	started = time.monotonic()
	frappe.flags.in_demo = True
	try:
		world = _World(seed, max(3, scale // CUSTOMERS_PER_MANAGER))
		existing = set(
			frappe.get_all(
				"Customer", filters={"customer_name": ["like", f"{demo.DEMO_PREFIX}%"]}, pluck="customer_name"
			)
		)
		missing = [i for i in range(1, scale + 1) if _customer_name(i) not in existing]
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
		health_seconds = None
		# every run ends with the health of every portfolio computed (a re-run that adds nothing too: the
		# first screen never shows unscored portfolios because the hourly job has not run yet)
		if health:
			health_seconds = _recompute_health(progress)
			if commit:
				frappe.db.commit()  # nosemgrep: the health figures of the new portfolios
	finally:
		frappe.flags.in_demo = False
	result = {
		"customers_created": len(missing),
		"scale": scale,
		"seconds": round(time.monotonic() - started, 1),
		"health_seconds": health_seconds,
	}
	print(result)
	return result


def expected_counts(customers: int) -> dict[str, int]:
	"""Records the bulk path makes for customers 1..`customers` (all of them new)."""
	counts = {doctype: int(customers * ratio) for doctype, ratio in RATIOS.items()}
	# customer i gets 2 agreements and a business case when i is even
	counts["Customer Agreement"] = customers + customers // 2
	counts["Business Case"] = customers // 2
	counts["Satisfaction Survey Answer"] = counts["Satisfaction Survey"] * ANSWERS_PER_SURVEY
	return counts


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


def _customer_name(i: int) -> str:
	return f"{demo.DEMO_PREFIX} {i:05d}"


def _pick(rng: random.Random, weighted) -> str:
	total = sum(weight for _value, weight in weighted)
	point = rng.random() * total
	for value, weight in weighted:
		point -= weight
		if point < 0:
			return value
	return weighted[-1][0]


def _row_name(rng: random.Random) -> str:
	"""A child row name like frappe's hash names (10 base32 characters), from the seeded generator."""
	return base64.b32hexencode(rng.getrandbits(50).to_bytes(7, "big")).decode()[:10].lower()


# --- tables: rows as frappe would store them ----------------------------------------------------------


class _Table:
	"""The rows of one doctype for one chunk, stored as frappe would store a new document's values.

	A column left out of a row gets the value a fresh document has (frappe.new_doc defaults; numbers
	and checks normalised as frappe's get_valid_dict does). Columns whose fresh value is what MariaDB
	stores anyway (NULL, or 0 for numbers) are left out of the INSERT unless a row sets them.
	"""

	def __init__(self, doctype: str):
		self.doctype = doctype
		meta = frappe.get_meta(doctype)
		self.columns = set(frappe.db.get_table_columns(doctype))
		template = frappe.new_doc(doctype)
		base = template.get_valid_dict(convert_dates_to_str=False)
		self.base = {key: value for key, value in base.items() if key in self.columns and key != "doctype"}
		self.order = [key for key in self.base] + sorted(self.columns - set(self.base))
		self.checks = {df.fieldname for df in meta.fields if df.fieldtype == "Check"}
		self.ints = {df.fieldname for df in meta.fields if df.fieldtype == "Int"} | {"docstatus", "idx"}
		self.floats = {df.fieldname for df in meta.fields if df.fieldtype in float_like_fields}
		self.numbers = self.checks | self.ints | self.floats
		self.rows: list[dict] = []
		self.used: set[str] = set()

	def add(self, values: dict) -> dict:
		unknown = values.keys() - self.columns
		if unknown:
			raise KeyError(f"{self.doctype} has no column {sorted(unknown)}")
		for fieldname in self.numbers.intersection(values):
			value = values[fieldname]
			if fieldname in self.checks:
				values[fieldname] = 1 if cint(value) else 0
			elif fieldname in self.ints:
				if not isinstance(value, int):
					values[fieldname] = cint(value)
			elif not isinstance(value, float):
				values[fieldname] = flt(value)
		self.used.update(values)
		self.rows.append(values)
		return values

	def flush(self) -> int:
		count = len(self.rows)
		if not count:
			return 0
		fields = [
			field for field in self.order if field in self.used or _stored_differently(self.base.get(field))
		]
		base = self.base
		head = f"insert into `tab{self.doctype}` ({', '.join(f'`{field}`' for field in fields)}) values "
		for start in range(0, count, ROWS_PER_INSERT):
			values = []
			for row in self.rows[start : start + ROWS_PER_INSERT]:
				values.append(
					"(" + ", ".join(_literal(row[f] if f in row else base.get(f)) for f in fields) + ")"
				)
			frappe.db.sql(head + ", ".join(values))
		self.rows = []
		self.used = set()
		return count


def _stored_differently(value) -> bool:
	"""Whether a fresh document's value differs from what MariaDB stores for a column left out."""
	if value is None:
		return False
	if isinstance(value, int | float) and value == 0:
		return False
	return True


def _literal(value) -> str:
	"""A SQL literal (MariaDB) for a value of a row: the string escaping is pymysql's, in C."""
	if value is None:
		return "NULL"
	kind = type(value)
	if kind is str:
		return "'" + escape_string(value) + "'"
	if kind is int or kind is bool:
		return str(int(value))
	if kind is float:
		return repr(value)
	if kind is datetime:
		return "'" + value.isoformat(" ") + "'"
	if kind is date or kind is dtime:
		return "'" + value.isoformat() + "'"
	return "'" + escape_string(str(value)) + "'"


def _reserve_names(series: str, count: int) -> list[str]:
	"""`count` names of a naming series, reserved in one step in frappe's counter table (`tabSeries`)."""
	if not count:
		return []
	naming = NamingSeries(series if "#" in series else f"{series}.#####")
	prefix = naming.get_prefix()
	digits = naming.series.count("#")
	current = frappe.db.sql("select `current` from `tabSeries` where `name` = %s for update", prefix)
	if current:
		start = cint(current[0][0])
		frappe.db.sql("update `tabSeries` set `current` = %s where `name` = %s", (start + count, prefix))
	else:
		start = 0
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, %s)", (prefix, count))
	return [f"{prefix}{str(n).zfill(digits)}" for n in range(start + 1, start + count + 1)]


def _series_of(doctype: str) -> str:
	meta = frappe.get_meta(doctype)
	return (meta.get_field("naming_series").options or "").split("\n")[0] or meta.autoname


# --- the world --------------------------------------------------------------------------------------


class _World:
	def __init__(self, seed: int, manager_count: int):
		self.seed = seed
		self.managers = demo._ensure_relationship_managers(manager_count)
		self.process_manager = _ensure_user(PROCESS_MANAGER, "Process", "Manager", rules.PROCESS_MANAGER)
		self.process_owner = _ensure_user(PROCESS_OWNER, "Process", "Owner", rules.PROCESS_OWNER)
		self.services = {
			row.name: row
			for row in frappe.get_all(
				"IT Service",
				filters={"name": ("in", demo._ensure_services())},
				fields=["name", "max_committable_availability"],
			)
		}
		self.service_names = sorted(self.services)
		demo._ensure_issue_types()
		self.template = _five_question_template()
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
		self.customer_group = demo._pick_group("Customer Group")
		self.territory = demo._pick_group("Territory")
		self.company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {})
		self.priorities = frappe.get_all("Issue Priority", pluck="name") or [None]
		self.customer_naming = frappe.defaults.get_global_default("cust_master_name") or "Customer Name"
		self.today = getdate(nowdate())
		self.now = now_datetime()

	def write_chunk(self, indices: list[int]) -> None:
		if not getattr(self, "t", None):
			self.t = self.tables()
		count = len(indices)
		agreements = sum(2 if i % 2 == 0 else 1 for i in indices)
		cases = sum(1 for i in indices if i % 2 == 0)
		self.names = {
			"Customer Agreement": iter(_reserve_names(_series_of("Customer Agreement"), agreements)),
			"Service Opportunity": iter(_reserve_names(_series_of("Service Opportunity"), 2 * count)),
			"Business Case": iter(_reserve_names(_series_of("Business Case"), cases)),
			"Satisfaction Survey": iter(
				_reserve_names(_series_of("Satisfaction Survey"), int(RATIOS["Satisfaction Survey"]) * count)
			),
			"Issue": iter(_reserve_names(_series_of("Issue"), int(RATIOS["Issue"]) * count)),
		}
		if self.customer_naming == "Naming Series":
			self.names["Customer"] = iter(_reserve_names(_series_of("Customer"), count))
		for i in indices:
			self.customer_world(i, random.Random(f"{self.seed}-bulk-{i}"))
		for table in self.t.values():
			table.flush()

	def tables(self) -> dict[str, _Table]:
		return {
			doctype: _Table(doctype)
			for doctype in (
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
				"Satisfaction Survey",
				"Satisfaction Survey Answer",
				"Issue",
			)
		}

	# one customer ------------------------------------------------------------------------------

	def customer_world(self, i: int, rng: random.Random) -> None:
		customer_name = _customer_name(i)
		manager = self.managers[(i - 1) % len(self.managers)]
		created = self.now - timedelta(days=400 + rng.randint(0, 300), minutes=rng.randint(0, 1440))
		customer = next(self.names["Customer"]) if self.customer_naming == "Naming Series" else customer_name
		self.t["Customer"].add(
			{
				"name": customer,
				"customer_name": customer_name,
				"customer_type": "Company",
				"customer_group": self.customer_group,
				"territory": self.territory,
				"account_manager": manager,
				"naming_series": self.t["Customer"].base.get("naming_series"),
				**_stamps(created, "Administrator"),
			}
		)
		ctx = frappe._dict(
			customer=customer, customer_name=customer_name, manager=manager, created=created, rng=rng
		)
		ctx.contacts = [self.contact(ctx, n) for n in range(2)]
		ctx.services = self.portfolio(ctx)
		for n in range(2 if i % 2 == 0 else 1):
			self.agreement(ctx, n)
		issues = [self.issue(ctx) for _n in range(int(RATIOS["Issue"]))]
		# every other survey follows up one of the customer's tickets closed over four weeks ago
		closed = [
			issue
			for issue in issues
			if issue["status"] == "Closed" and issue["resolution_date"] < self.now - timedelta(days=28)
		]
		surveys = []
		for n in range(int(RATIOS["Satisfaction Survey"])):
			ticket = closed[n // 2] if n % 2 == 0 and n // 2 < len(closed) else None
			surveys.append(self.survey(ctx, n, ticket))
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
		opportunities = [self.opportunity(ctx, n, with_case=(n == 0 and i % 2 == 0)) for n in range(2)]
		if i % 2 == 0:
			self.business_case(ctx, opportunities[0])

	def linked(self, ctx) -> dict:
		return {
			"customer": ctx.customer,
			"customer_name": ctx.customer_name,
			"portfolio": ctx.customer,
			"relationship_manager": ctx.manager,
		}

	def contact(self, ctx, n: int) -> dict:
		rng = ctx.rng
		first, last = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
		full_name = f"{first} {last}"
		name = f"{full_name}-{ctx.customer}"
		if n and name == ctx.contacts_made[0]["name"]:
			name = f"{name}-1"  # frappe's append_number_if_name_exists
		slug = ctx.customer_name.lower().replace(" ", "-")
		email = f"{first.lower()}.{n}@{slug}.example.com"
		contact = {"name": name, "email_id": email, "full_name": full_name}
		ctx.setdefault("contacts_made", []).append(contact)
		stamps = _stamps(ctx.created, "Administrator")
		self.t["Contact"].add(
			{
				"name": name,
				"first_name": first,
				"last_name": last,
				"full_name": full_name,
				"email_id": email,
				"status": "Passive",
				**stamps,
			}
		)
		self.t["Contact Email"].add(
			{
				"name": _row_name(rng),
				"email_id": email,
				"is_primary": 1,
				**_child(name, "Contact", "email_ids", 1, stamps),
			}
		)
		self.t["Dynamic Link"].add(
			{
				"name": _row_name(rng),
				"link_doctype": "Customer",
				"link_name": ctx.customer,
				"link_title": ctx.customer_name,
				**_child(name, "Contact", "links", 1, stamps),
			}
		)
		return frappe._dict(contact)

	def portfolio(self, ctx) -> list[str]:
		rng = ctx.rng
		stamps = _stamps(ctx.created, ctx.manager)
		name = ctx.customer
		self.t["Customer Portfolio"].add(
			{
				"name": name,
				"customer": ctx.customer,
				"customer_name": ctx.customer_name,
				"relationship_manager": ctx.manager,
				"strategic_importance": rng.choice(["Strategic", "Important", "Important", "Commodity"]),
				"relationship_status": "Active",
				"business_strategy": f"Grow in {rng.choice(demo.INDUSTRIES).lower()} markets while keeping IT costs flat.",
				"business_drivers": "Customer experience, regulatory compliance, cost control.",
				**stamps,
			}
		)
		for idx, (contact, role) in enumerate(
			zip(ctx.contacts, ["Decision Maker", "Key User"], strict=True), 1
		):
			self.t["Portfolio Stakeholder"].add(
				{
					"name": _row_name(rng),
					"contact": contact.name,
					"full_name": contact.full_name,
					"email_id": contact.email_id,
					"stakeholder_role": role,
					"influence": rng.choice(["High", "Medium", "Low"]),
					"interest": rng.choice(["High", "Medium", "Low"]),
					"receives_surveys": 1,
					**_child(name, "Customer Portfolio", "stakeholders", idx, stamps),
				}
			)
		for idx, (objective, outcome, measure) in enumerate(
			rng.sample(demo.OBJECTIVES, k=rng.randint(1, 3)), 1
		):
			status = rng.choice(["Proposed", "Agreed", "Agreed", "Achieved"])
			row = {
				"name": _row_name(rng),
				"objective": objective,
				"desired_outcome": outcome,
				"measure": measure,
				"target_date": self.today + timedelta(days=rng.randint(30, 400)),
				"status": status,
				**_child(name, "Customer Portfolio", "business_outcomes", idx, stamps),
			}
			if status in ("Agreed", "Achieved"):
				row.update(
					agreed_on=self.today - timedelta(days=rng.randint(1, 300)),
					agreed_by=ctx.contacts[0].name,
					evidence="Minutes of the quarterly business review",
				)
			self.t["Portfolio Business Outcome"].add(row)
		services = rng.sample(self.service_names, k=rng.randint(1, 3))
		for idx, service in enumerate(services, 1):
			self.t["Portfolio Service"].add(
				{
					"name": _row_name(rng),
					"it_service": service,
					"business_criticality": rng.choice(["Critical", "High", "Medium", "Low"]),
					"business_dependency": "Daily operations stop without it.",
					"user_count": rng.randint(10, 2000),
					**_child(name, "Customer Portfolio", "services", idx, stamps),
				}
			)
		return services

	def agreement(self, ctx, n: int) -> None:
		rng = ctx.rng
		name = next(self.names["Customer Agreement"])
		start = self.today - timedelta(days=rng.randint(0, 700))
		end = start + timedelta(days=rng.choice([365, 730]))
		signed = rng.random() < 0.85
		created = datetime.combine(start, dtime(9)) - timedelta(days=rng.randint(5, 30))
		stamps = _stamps(created, ctx.manager)
		log = [(rules.SUBMIT_FOR_SIGN_OFF, rules.DRAFT, rules.PENDING_SIGN_OFF, ctx.manager)]
		if signed:
			docstatus, state = 1, rules.ACTIVE
			log.append((rules.ACTIVATE, rules.PENDING_SIGN_OFF, rules.ACTIVE, self.process_manager))
		elif rng.random() < 0.5:
			docstatus, state = 0, rules.PENDING_SIGN_OFF
		else:
			docstatus, state, log = 0, rules.DRAFT, []
		status = derive_status(docstatus, state, start, end, 60, self.today, None)
		self.t["Customer Agreement"].add(
			{
				"name": name,
				"naming_series": _series_of("Customer Agreement"),
				"agreement_title": f"{'Master Services' if n == 0 else 'Supplementary'} Agreement",
				**self.linked(ctx),
				"status": status,
				"workflow_state": state,
				"agreement_kind": "External",
				"agreement_basis": rng.choice(["Standard", "Negotiated"]),
				"start_date": start,
				"end_date": end,
				"renewal": rng.choice(["Tacit", "Express"]),
				"notice_period_days": 60,
				"agreement_value": float(rng.randint(50, 2000) * 1_000_000),
				"billing_frequency": "Monthly",
				"customer_signatory": ctx.contacts[0].name,
				"provider_signatory": ctx.manager,
				"prepared_by": ctx.manager,
				"signed_on": start if signed else None,
				**stamps,
				"docstatus": docstatus,
			}
		)
		for idx, service in enumerate(ctx.services[: n + 1], 1):
			self.t["Agreement Service"].add(
				{
					"name": _row_name(rng),
					"it_service": service,
					"availability_target": min(
						99.0, flt(self.services[service].max_committable_availability)
					),
					"service_hours": "Mon-Fri 08:00-18:00",
					**_child(name, "Customer Agreement", "services", idx, stamps),
					"docstatus": docstatus,
				}
			)
		self.approval_log(name, "Customer Agreement", log, created, rng, docstatus, stamps)

	def approval_log(self, parent, parenttype, steps, created, rng, docstatus, stamps) -> datetime:
		at = created
		for idx, step in enumerate(steps, 1):
			at = at + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
			self.approval_log_row(parent, parenttype, idx, step, at, rng, docstatus, stamps)
		return at

	def approval_log_row(self, parent, parenttype, idx, step, at, rng, docstatus, stamps) -> None:
		"""One BRM Approval Log row: `step` is (action, state_from, state_to, user), done at `at`."""
		action, state_from, state_to, user = step
		self.t["BRM Approval Log"].add(
			{
				"name": _row_name(rng),
				"action": action,
				"state_from": state_from,
				"state_to": state_to,
				"user": user,
				"at": at,
				"comment": "Not funded this year." if action == rules.REJECT else None,
				**_child(parent, parenttype, "approval_log", idx, stamps),
				"docstatus": docstatus,
			}
		)

	def opportunity(self, ctx, n: int, with_case: bool) -> dict:
		rng = ctx.rng
		name = next(self.names["Service Opportunity"])
		opportunity_type, source = rng.sample(demo.OPPORTUNITY_TYPES, k=2)[n % 2]
		created = self.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
		origin = {}
		if source == FEEDBACK_SOURCE and ctx.feedback:
			# raised from one of the customer's complaints or detractor responses, a few days after it
			field, source_name, at = rng.choice(ctx.feedback)
			origin[field] = source_name
			created = min(at + timedelta(days=rng.randint(1, 14)), self.now - timedelta(minutes=1))
		stamps = _stamps(created, ctx.manager)
		row = self.t["Service Opportunity"].add(
			{
				"name": name,
				"naming_series": _series_of("Service Opportunity"),
				"opportunity_title": f"{opportunity_type} for {ctx.customer_name}",
				**self.linked(ctx),
				"opportunity_type": opportunity_type,
				"source": source,
				**origin,
				# a case's opportunity gets its status (and its link) from the case, below
				"status": "New" if with_case else _pick(rng, OPEN_OPPORTUNITY_STATUSES),
				"priority": rng.choice(["Low", "Medium", "High"]),
				"business_impact": "Supports the customer's objectives for next year.",
				"estimated_value": float(rng.randint(100, 5000) * 1_000_000),
				"estimated_cost": float(rng.randint(50, 2000) * 1_000_000),
				**stamps,
			}
		)
		self.t["Opportunity Impacted Service"].add(
			{
				"name": _row_name(rng),
				"it_service": ctx.services[0],
				**_child(name, "Service Opportunity", "impacted_services", 1, stamps),
			}
		)
		return row

	def business_case(self, ctx, opportunity: dict) -> None:
		rng = ctx.rng
		name = next(self.names["Business Case"])
		state = _pick(rng, CASE_STATE_WEIGHTS)
		horizon = rng.randint(3, 5)
		capex = rng.randint(200, 2000) * 1_000_000
		costs = [
			{"description": "Implementation", "cost_type": "Capex", "year": 0, "amount": float(capex)}
		] + [
			{"description": "Run cost", "cost_type": "Opex", "year": y, "amount": float(capex // 10)}
			for y in range(1, horizon + 1)
		]
		benefits = [
			{
				"description": "Efficiency savings",
				"benefit_type": "Cost Saving",
				"year": y,
				"amount": float(int(capex * rng.uniform(0.2, 0.5))),
			}
			for y in range(1, horizon + 1)
		]
		discount_rate = float(rng.choice([8, 10, 12]))
		finance = compute_business_case(costs, benefits, discount_rate, horizon)
		levels = rules.approval_levels(finance.total_cost, self.two_level_threshold)
		created = opportunity["creation"] + timedelta(days=rng.randint(1, 20))
		if created > self.now - timedelta(days=30):
			created = self.now - timedelta(days=30, minutes=rng.randint(0, 1440))
		stamps = _stamps(created, ctx.manager)
		beyond_review = state not in (rules.DRAFT, rules.UNDER_REVIEW)
		steps = []
		if state != rules.DRAFT:
			steps.append((rules.SUBMIT_FOR_REVIEW, rules.DRAFT, rules.UNDER_REVIEW, ctx.manager))
		if beyond_review:
			steps.append((rules.REQUEST_APPROVAL, rules.UNDER_REVIEW, rules.PENDING_APPROVAL, ctx.manager))
		if state == rules.APPROVED and levels == 2:
			steps.append(
				(rules.APPROVE, rules.PENDING_APPROVAL, rules.PENDING_FINAL_APPROVAL, self.process_manager)
			)
			steps.append((rules.APPROVE, rules.PENDING_FINAL_APPROVAL, rules.APPROVED, self.process_owner))
		elif state == rules.APPROVED:
			steps.append((rules.APPROVE, rules.PENDING_APPROVAL, rules.APPROVED, self.process_manager))
		elif state == rules.REJECTED:
			steps.append((rules.REJECT, rules.PENDING_APPROVAL, rules.REJECTED, self.process_manager))
		docstatus = 1 if state in (rules.APPROVED, rules.REJECTED) else 0
		decided = state in (rules.APPROVED, rules.REJECTED)
		# the log's times are the audit fields' times
		at = created
		times = []
		for _step in steps:
			at = at + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
			times.append(at)
		row = {
			"name": name,
			"naming_series": _series_of("Business Case"),
			"title": f"Business case: {opportunity['opportunity_title']}",
			"service_opportunity": opportunity["name"],
			**self.linked(ctx),
			"prepared_by": ctx.manager,
			"funding_status": "Requested" if beyond_review else rng.choice(["Not Requested", "Requested"]),
			"budget_holder": ctx.contacts[0].name,
			"objectives": "Deliver the service change with a positive return within the horizon.",
			"discount_rate": discount_rate,
			"horizon_years": horizon,
			"total_cost": finance.total_cost,
			"total_benefit": finance.total_benefit,
			"net_benefit": finance.net_benefit,
			"npv": finance.npv,
			"roi_percent": finance.roi_percent,
			"payback_years": finance.payback_years or 0,
			"payback_label": payback_label(finance.payback_years),
			"irr_percent": finance.irr_percent,
			"irr_label": irr_label(finance.irr_percent),
			"workflow_state": state,
			"approval_levels": levels,
			**stamps,
			"docstatus": docstatus,
		}
		if beyond_review:
			row["submitted_for_approval_on"] = times[1]
			row["first_approval_levels"] = levels
		if state == rules.APPROVED and levels == 2:
			row.update(first_approver=self.process_manager, first_approved_on=times[2])
		if decided:
			decided_on = times[-1]
			row.update(
				decision=state,
				approver=steps[-1][3],
				decided_on=decided_on,
				cycle_time_days=rules.cycle_time_days(created, decided_on),
			)
			if state == rules.REJECTED:
				row["decision_notes"] = "Not funded this year."
		self.t["Business Case"].add(row)
		for idx, (requirement, kind, priority) in enumerate(
			(
				("Service available during business hours", "Availability", "Must"),
				("Recover within 4 hours after a site failure", "Continuity", "Should"),
				("Single sign-on for all users", "Functional", "Must"),
			),
			1,
		):
			signed = beyond_review or (state == rules.UNDER_REVIEW and idx == 1)
			self.t["Business Case Requirement"].add(
				{
					"name": _row_name(rng),
					"requirement": requirement,
					"requirement_type": kind,
					"moscow_priority": priority,
					"signed_off_by": ctx.manager if signed else None,
					"signed_off_on": created + timedelta(hours=idx) if signed else None,
					**_child(name, "Business Case", "requirements", idx, stamps),
					"docstatus": docstatus,
				}
			)
		for table, lines, fieldname in (
			("Business Case Cost", costs, "costs"),
			("Business Case Benefit", benefits, "benefits"),
		):
			for idx, line in enumerate(lines, 1):
				self.t[table].add(
					{
						"name": _row_name(rng),
						**line,
						**_child(name, "Business Case", fieldname, idx, stamps),
						"docstatus": docstatus,
					}
				)
		# the case's log rows are drawn after the case so that their times match the audit fields
		for idx, (step, at) in enumerate(zip(steps, times, strict=True), 1):
			self.approval_log_row(name, "Business Case", idx, step, at, rng, docstatus, stamps)
		# what brm_app.approvals does to the opportunity: linked, its status following the case
		opportunity.update(
			business_case=name,
			status=opportunity_status.status_for_case(state, "New") or opportunity_status.BUSINESS_CASE,
		)
		self.t["Service Opportunity"].used.add("business_case")

	def survey(self, ctx, n: int, issue: dict | None) -> dict:
		rng = ctx.rng
		name = next(self.names["Satisfaction Survey"])
		contact = ctx.contacts[n % len(ctx.contacts)]
		status = _pick(rng, SURVEY_STATUS_WEIGHTS)
		if issue is not None and status == "Sent":
			status = "Expired"  # sent a day after a ticket closed four weeks ago: no longer open
		if status == "Sent":
			sent = self.now - timedelta(days=rng.randint(0, 10), minutes=rng.randint(1, 600))
		elif issue is not None:
			sent = issue["resolution_date"] + timedelta(days=1)
		else:
			sent = self.now - timedelta(days=rng.randint(15, 360), minutes=rng.randint(0, 1440))
		responded = status == "Responded"
		mood = rng.random()
		answers, pairs = [], []
		for q in self.questions[:ANSWERS_PER_SURVEY]:
			value = None
			if responded:
				if q.question_type == "Rating":
					value = max(1, min(5, round(2 + mood * 3 + rng.uniform(-0.6, 0.6))))
				elif q.question_type == "NPS":
					value = max(0, min(10, round(4 + mood * 6 + rng.uniform(-1, 1))))
				elif q.question_type == "Yes/No":
					value = "Yes" if mood > 0.3 else "No"
				else:
					value = rng.choice(["", "Faster responses please.", "Keep up the good work.", ""])
				value = survey_scoring.validate_answer(q.question_type, value, mandatory=bool(q.mandatory))
			pairs.append((q.question_type, value))
			answers.append((q, value))
		stamps = _stamps(sent - timedelta(minutes=30), "Administrator")
		row = {
			"name": name,
			"naming_series": _series_of("Satisfaction Survey"),
			"template": self.template.name,
			**self.linked(ctx),
			"contact": contact.name,
			"email": contact.email_id,
			"status": status,
			"trigger": "Ticket Closed" if issue is not None else "Periodic Relationship Review",
			"reference_doctype": "Issue" if issue is not None else None,
			"reference_name": issue["name"] if issue is not None else None,
			"scheduled_for": sent,
			"sent_on": sent,
			"expires_on": sent + timedelta(days=14),
			"token_hash": None if responded else _token_hash(rng),
			**stamps,
		}
		if responded:
			result = survey_scoring.score(pairs)
			responded_on = sent + timedelta(days=rng.randint(0, 10), minutes=rng.randint(1, 600))
			row.update(
				responded_on=min(responded_on, self.now - timedelta(minutes=1)),
				csat_percent=result.csat_percent,
				rating_mean=result.rating_mean,
				rating_count=result.rating_count,
				satisfied_count=result.satisfied_count,
				nps_score=result.nps_score,
				nps_category=result.nps_category,
				needs_follow_up=int(survey_scoring.needs_follow_up(result, self.low_score)),
			)
		row = self.t["Satisfaction Survey"].add(row)
		for idx, (q, value) in enumerate(answers, 1):
			self.t["Satisfaction Survey Answer"].add(
				{
					"name": _row_name(rng),
					"question": q.question,
					"question_type": q.question_type,
					"mandatory": q.mandatory,
					"answer": None if value is None else str(value),
					"score": value if q.question_type in ("Rating", "NPS") else None,
					**_child(name, "Satisfaction Survey", "answers", idx, stamps),
				}
			)
		return row

	def issue(self, ctx) -> dict:
		rng = ctx.rng
		name = next(self.names["Issue"])
		contact = rng.choice(ctx.contacts)
		issue_type = _pick(rng, ISSUE_TYPE_WEIGHTS)
		status = _pick(rng, ISSUE_STATUS_WEIGHTS)
		# a resolved ticket was opened long enough ago for its resolution (up to 10 days) to be past
		oldest = 11 if status in ("Resolved", "Closed") else 1
		opened = self.now - timedelta(days=rng.randint(oldest, 360), minutes=rng.randint(0, 1440))
		first_response = rng.randint(300, 4 * 3600)
		row = {
			"name": name,
			"naming_series": _series_of("Issue"),
			"subject": f"{issue_type}: {rng.choice(ISSUE_SUBJECTS)}",
			"customer": ctx.customer,
			"customer_name": ctx.customer_name,
			"raised_by": contact.email_id,
			"contact": contact.name,
			"issue_type": issue_type,
			"priority": rng.choice(self.priorities),
			"status": status,
			"company": self.company,
			"opening_date": opened.date(),
			"opening_time": opened.time().replace(microsecond=0),
			**_stamps(opened, "Administrator"),
		}
		if status in ("Resolved", "Closed"):
			resolution = rng.randint(first_response + 600, 10 * 24 * 3600)
			row.update(
				first_responded_on=opened + timedelta(seconds=first_response),
				first_response_time=float(first_response),
				avg_response_time=float(first_response),
				resolution_date=opened + timedelta(seconds=resolution),
				resolution_time=float(resolution),
				user_resolution_time=float(resolution),
				agreement_status=_pick(rng, (("Fulfilled", 80), ("Failed", 20))),
				modified=opened + timedelta(seconds=resolution),
			)
		elif status == "Replied":
			row.update(
				first_responded_on=opened + timedelta(seconds=first_response),
				first_response_time=float(first_response),
				avg_response_time=float(first_response),
				agreement_status="Resolution Due",
			)
		else:
			row["agreement_status"] = rng.choice(["First Response Due", "Resolution Due"])
		return self.t["Issue"].add(row)


# --- helpers --------------------------------------------------------------------------------------


def _stamps(created: datetime, owner: str) -> dict:
	return {
		"creation": created,
		"modified": created,
		"owner": owner,
		"modified_by": owner,
		"docstatus": 0,
		"idx": 0,
	}


def _child(parent: str, parenttype: str, parentfield: str, idx: int, stamps: dict) -> dict:
	return {
		"parent": parent,
		"parenttype": parenttype,
		"parentfield": parentfield,
		"idx": idx,
		"creation": stamps["creation"],
		"modified": stamps["modified"],
		"owner": stamps["owner"],
		"modified_by": stamps["modified_by"],
		"docstatus": 0,
	}


def _token_hash(rng: random.Random) -> str:
	"""Stands in for the sha256 of an e-mailed survey token (the token itself is never stored)."""
	return f"{rng.getrandbits(256):064x}"


def _ensure_user(email: str, first_name: str, last_name: str, role: str) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"send_welcome_email": 0,
				"user_type": "System User",
				# Sales User: reads Customers and Currencies, which the BRM reports' link columns need
				"roles": [{"role": role}, {"role": "Sales User"}],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	return email


def _five_question_template():
	"""An enabled survey template with exactly ANSWERS_PER_SURVEY questions (the demo's own if need be)."""
	question = frappe.qb.DocType("Survey Template Question")
	template = frappe.qb.DocType("Satisfaction Survey Template")
	rows = (
		frappe.qb.from_(template)
		.join(question)
		.on((question.parent == template.name) & (question.parenttype == "Satisfaction Survey Template"))
		.select(template.name)
		.where(template.enabled == 1)
		.groupby(template.name)
		.having(frappe.query_builder.functions.Count("*") == ANSWERS_PER_SURVEY)
		.orderby(template.name)
	).run()
	if rows:
		return frappe.get_doc("Satisfaction Survey Template", rows[0][0])
	if frappe.db.exists("Satisfaction Survey Template", {"template_name": "Demo Relationship Review"}):
		name = frappe.db.get_value(
			"Satisfaction Survey Template", {"template_name": "Demo Relationship Review"}, "name"
		)
		frappe.db.set_value("Satisfaction Survey Template", name, "enabled", 1)
		return frappe.get_doc("Satisfaction Survey Template", name)
	return frappe.get_doc("Satisfaction Survey Template", demo.make_demo_template())
