"""The demo world, once: its counts, shares, distributions and names, and each customer's seeded plan.

Both writers (brm_app.demo.orm, documents through the controllers; brm_app.demo.bulk, multi-row INSERTs)
realise the same plan: `customer_plan(seed, i, managers)` decides everything the world is made of (how
many records of each kind, their states, types and the choices a person would make); a writer only adds
what its way of writing needs (names from the naming series, timestamps, derived fields). So the same seed
and scale give the same world on either path (tests/integration/test_demo_worlds.py).

Names are unique by construction, never drawn at random: customers by their number, records of a naming
series by the series counter, contacts by their customer, child rows by their parent (`row_name`).
"""

import random
from dataclasses import dataclass, field

DEMO_PREFIX = "BRM Demo Customer"
DEMO_DOMAIN = "brm-demo.example.com"
PROCESS_MANAGER = f"process.manager@{DEMO_DOMAIN}"
PROCESS_OWNER = f"process.owner@{DEMO_DOMAIN}"
# customers above which `brm-demo` writes in bulk by itself
BULK_FROM = 500
CUSTOMERS_PER_MANAGER = 500
MIN_MANAGERS = 3

# per customer: 2 contacts, 1 portfolio, 1 agreement (2 for an even customer number), 2 opportunities, a
# business case for an even customer number, 10 surveys of 5 answers, 20 Issues
CONTACTS = 2
OPPORTUNITIES = 2
SURVEYS = 10
ANSWERS_PER_SURVEY = 5
ISSUES = 20
# the share of agreements signed (the rest pending sign-off or draft, half each); the ORM writer used to
# sign 80 %, the bulk writer 85 %: 85 % it is, the share the benchmark figures (docs/benchmarks.md) rest on
SIGNED_SHARE = 0.85

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
# an opportunity of this source is linked to a complaint ticket or detractor response of its customer
FEEDBACK_SOURCE = "Complaint or Feedback"
ISSUE_TYPES = ["Incident", "Service Request", "Complaint"]
ISSUE_SUBJECTS = [
	"Slow laptop",
	"Cannot log in",
	"Report missing",
	"Invoice error",
	"VPN down",
	"Printer jam",
]
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
SURVEY_TEMPLATE = "Demo Relationship Review"
SURVEY_QUESTIONS = [
	("How satisfied are you with our services?", "Rating", 1),
	("How satisfied are you with your relationship manager?", "Rating", 1),
	("How likely are you to recommend us to a colleague?", "NPS", 1),
	("Did we meet your business needs this quarter?", "Yes/No", 1),
	("What should we improve?", "Text", 0),
]
REQUIREMENTS = [
	("Service available during business hours", "Availability", "Must"),
	("Recover within 4 hours after a site failure", "Continuity", "Should"),
	("Single sign-on for all users", "Functional", "Must"),
]
TEXT_ANSWERS = ["", "Faster responses please.", "Keep up the good work.", ""]
STAKEHOLDER_ROLES = ("Decision Maker", "Key User")
# the stakeholder who signs off the customer's requirements (Portfolio Stakeholder signs_off_requirements) and
# is the business case's signatory: the first contact, the Decision Maker
SIGNATORY_INDEX = 0
# the case states reached through the customer's sign-off (Customer Sign-off -> Customer Accepted)
SIGNED_OFF_CASE_STATES = ("Pending Approval", "Pending Final Approval", "Approved", "Rejected")
LEVELS = ["High", "Medium", "Low"]
CRITICALITIES = ["Critical", "High", "Medium", "Low"]
PRIORITIES = ["Low", "Medium", "High"]
BUSINESS_DRIVERS = "Customer experience, regulatory compliance, cost control."
BUSINESS_DEPENDENCY = "Daily operations stop without it."
BUSINESS_IMPACT = "Supports the customer's objectives for next year."
OUTCOME_EVIDENCE = "Minutes of the quarterly business review"
CASE_OBJECTIVES = "Deliver the service change with a positive return within the horizon."
REJECTION_NOTE = "Not funded this year."
SERVICE_HOURS = "Mon-Fri 08:00-18:00"
AGREEMENT_TERMS = [365, 730]
NOTICE_PERIOD_DAYS = 60
# the renewal term of an agreement (a tacit one extends itself by it: docs/renewals-and-change-impact.md),
# from the customer and agreement numbers (no draw: the plans stay as they were)
RENEWAL_TERMS_MONTHS = (12, 12, 24)
# every RETIREMENT_EVERY-th customer's Service Change opportunity is a Retirement of its first service
RETIREMENT_EVERY = 3
RENEWAL_STRIDE = 61

# states and their weights (the workflow state names are brm_app.services.approval_rules')
AGREEMENT_STATES = ("Active", "Pending Sign-off", "Draft")
SURVEY_STATUS_WEIGHTS = (("Responded", 75), ("Expired", 15), ("Sent", 10))
ISSUE_STATUS_WEIGHTS = (("Closed", 70), ("Resolved", 10), ("Open", 15), ("Replied", 5))
ISSUE_TYPE_WEIGHTS = (("Incident", 55), ("Service Request", 30), ("Complaint", 15))
SLA_WEIGHTS = (("Fulfilled", 80), ("Failed", 20))
CASE_STATE_WEIGHTS = (
	("Draft", 30),
	("Under Review", 15),
	("Pending Approval", 15),
	("Approved", 30),
	("Rejected", 10),
)
OPEN_OPPORTUNITY_STATUSES = (("New", 40), ("Assessing", 35), ("Withdrawn", 10), ("Rejected", 15))


def customer_name(i: int) -> str:
	return f"{DEMO_PREFIX} {i:05d}"


def manager_email(n: int) -> str:
	return f"rm{n}@{DEMO_DOMAIN}"


def manager_count(scale: int) -> int:
	return max(MIN_MANAGERS, scale // CUSTOMERS_PER_MANAGER)


def contact_names(contacts: list[tuple[str, str]], customer: str) -> list[str]:
	"""The contacts' names as frappe makes them ("First Last-Customer"), a number appended to a repeated one
	(frappe's append_number_if_name_exists): unique, since the customer's name is."""
	names = []
	for first, last in contacts:
		name = f"{first} {last}-{customer}"
		names.append(f"{name}-{len(names)}" if name in names else name)
	return names


def contact_email(first: str, customer_name_: str, n: int) -> str:
	return f"{first.lower()}.{n}@{customer_name_.lower().replace(' ', '-')}.example.com"


def row_name(parenttype: str, parent: str, parentfield: str, idx: int) -> str:
	"""A child row's name: its place in its parent, unique because the parent's name is unique in its
	doctype (a primary key) and no frappe hash name (10 letters and digits) contains a slash."""
	return f"{parenttype}/{parent}/{parentfield}/{idx}"


def expected_counts(customers: int) -> dict[str, int]:
	"""Records the recipe makes for customers 1..`customers` (all of them new)."""
	evens = customers // 2
	return {
		"Customer": customers,
		"Contact": CONTACTS * customers,
		"Customer Portfolio": customers,
		"Customer Agreement": customers + evens,
		"Service Opportunity": OPPORTUNITIES * customers,
		"Business Case": evens,
		"Satisfaction Survey": SURVEYS * customers,
		"Issue": ISSUES * customers,
		"Satisfaction Survey Answer": SURVEYS * ANSWERS_PER_SURVEY * customers,
	}


def pick(rng: random.Random, weighted) -> str:
	total = sum(weight for _value, weight in weighted)
	point = rng.random() * total
	for value, weight in weighted:
		point -= weight
		if point < 0:
			return value
	return weighted[-1][0]


@dataclass
class Plan:
	"""What customer number `i` is made of; `rng` goes on to draw the writer's details."""

	i: int
	customer_name: str
	manager: str
	rng: random.Random
	contacts: list[tuple[str, str]] = field(default_factory=list)  # (first, last)
	importance: str = ""
	industry: str = ""
	outcomes: list[tuple[str, str, str, str]] = field(
		default_factory=list
	)  # objective, outcome, measure, status
	services: list[str] = field(default_factory=list)
	agreements: list[str] = field(default_factory=list)  # workflow state of each
	agreement_dates: list[tuple[int, int]] = field(default_factory=list)  # (started days ago, term in days)
	issues: list[tuple[str, str]] = field(default_factory=list)  # (issue type, status)
	surveys: list[str] = field(default_factory=list)  # status of each
	opportunities: list[tuple[str, str, str]] = field(default_factory=list)  # (type, source, status)
	case_state: str | None = None  # the business case's workflow state (of the first opportunity), if any


def customer_plan(seed: int, i: int, managers: list[str]) -> Plan:
	"""Customer `i`'s plan: its own generator, so adding customers never changes earlier ones."""
	rng = random.Random(f"{seed}-{i}")
	plan = Plan(i=i, customer_name=customer_name(i), manager=managers[(i - 1) % len(managers)], rng=rng)
	plan.contacts = [(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)) for _n in range(CONTACTS)]
	plan.importance = rng.choice(["Strategic", "Important", "Important", "Commodity"])
	plan.industry = rng.choice(INDUSTRIES)
	plan.outcomes = [
		(*objective, rng.choice(["Proposed", "Agreed", "Agreed", "Achieved"]))
		for objective in rng.sample(OBJECTIVES, k=rng.randint(1, 3))
	]
	plan.services = rng.sample(sorted(name for name, _availability in SERVICES), k=rng.randint(1, 3))
	for _n in range(2 if i % 2 == 0 else 1):
		if rng.random() < SIGNED_SHARE:
			plan.agreements.append("Active")
		else:
			plan.agreements.append(rng.choice(["Pending Sign-off", "Draft"]))
		if not plan.agreement_dates:
			# the master agreement runs two years; the customers' master agreements end in turn through the
			# next two years (customer i's in i x RENEWAL_STRIDE days, modulo the term), so that every stretch
			# of the renewal calendar (the Agreement Renewals report: 90 days) has renewals at any scale
			term = AGREEMENT_TERMS[-1]
			plan.agreement_dates.append((term - (i * RENEWAL_STRIDE) % term, term))
		else:
			plan.agreement_dates.append((rng.randint(0, 700), rng.choice(AGREEMENT_TERMS)))
	plan.issues = [(pick(rng, ISSUE_TYPE_WEIGHTS), pick(rng, ISSUE_STATUS_WEIGHTS)) for _n in range(ISSUES)]
	plan.surveys = [pick(rng, SURVEY_STATUS_WEIGHTS) for _n in range(SURVEYS)]
	with_case = i % 2 == 0
	for n, (opportunity_type, source) in enumerate(rng.sample(OPPORTUNITY_TYPES, k=OPPORTUNITIES)):
		# a case's opportunity gets its status from the case
		status = "New" if (with_case and n == 0) else pick(rng, OPEN_OPPORTUNITY_STATUSES)
		plan.opportunities.append((opportunity_type, source, status))
	plan.case_state = pick(rng, CASE_STATE_WEIGHTS) if with_case else None
	if i % RETIREMENT_EVERY == 0:
		plan.opportunities = [
			("Retirement", *rest) if kind == "Service Change" else (kind, *rest)
			for kind, *rest in plan.opportunities
		]
	return plan


def renewal_term_months(i: int, n: int) -> int:
	"""The renewal term of customer `i`'s agreement `n`, in months."""
	return RENEWAL_TERMS_MONTHS[(i + n) % len(RENEWAL_TERMS_MONTHS)]


# service reviews (issue 18, docs/service-reviews.md): drawn from their own generator, so the rest of a
# customer's plan (and the worlds written before reviews existed) stays the same
REVIEW_ACTIONS = [
	"Share the capacity plan for next quarter",
	"Agree the new escalation contacts",
	"Review the SLA report format with the service desk",
	"Propose a pilot of the self-service portal",
]
PLANNED_REVIEW_EVERY = 3  # every third customer has its next review planned
REVIEW_MINUTES = "Service levels and satisfaction of the quarter reviewed; two follow-ups agreed."


def review_plan(seed: int, i: int) -> list[tuple[int, str, list[tuple[str, str, int]]]]:
	"""Customer `i`'s service reviews: (review date in days from today, status, action items as (description,
	status, due in days after the review)). One Held in the last quarter with two action items (the first
	Done, the second Open); every third customer also has its next review Planned."""
	rng = random.Random(f"{seed}-{i}-reviews")
	actions = [
		(description, "Done" if n == 0 else "Open", rng.randint(14, 45))
		for n, description in enumerate(rng.sample(REVIEW_ACTIONS, k=2))
	]
	reviews = [(-rng.randint(15, 80), "Held", actions)]
	if i % PLANNED_REVIEW_EVERY == 0:
		reviews.append((rng.randint(10, 40), "Planned", []))
	return reviews


def expected_reviews(customers: int) -> dict[str, int]:
	"""Service reviews and their action items the recipe makes for customers 1..`customers`."""
	held = customers
	return {
		"Service Review": held + customers // PLANNED_REVIEW_EVERY,
		"Service Review Action": 2 * held,
	}


# texts and figures both writers derive the same way


def business_strategy(industry: str) -> str:
	return f"Grow in {industry.lower()} markets while keeping IT costs flat."


def agreement_title(n: int) -> str:
	return f"{'Master Services' if n == 0 else 'Supplementary'} Agreement"


def availability_target(max_committable: float) -> float:
	return min(99.0, float(max_committable or 0))


def opportunity_title(opportunity_type: str, customer_name_: str) -> str:
	return f"{opportunity_type} for {customer_name_}"


def case_title(opportunity_title_: str) -> str:
	return f"Business case: {opportunity_title_}"


def case_figures(rng: random.Random) -> tuple[int, float, list[dict], list[dict]]:
	"""A business case's horizon, discount rate, cost and benefit lines."""
	horizon = rng.randint(3, 5)
	capex = rng.randint(200, 2000) * 1_000_000
	costs = [{"description": "Implementation", "cost_type": "Capex", "year": 0, "amount": float(capex)}] + [
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
	return horizon, float(rng.choice([8, 10, 12])), costs, benefits


def survey_answers(rng: random.Random, question_types: list[str]) -> list:
	"""A respondent's answers, one per question: one mood behind every score."""
	mood = rng.random()
	answers = []
	for question_type in question_types:
		if question_type == "Rating":
			answers.append(max(1, min(5, round(2 + mood * 3 + rng.uniform(-0.6, 0.6)))))
		elif question_type == "NPS":
			answers.append(max(0, min(10, round(4 + mood * 6 + rng.uniform(-1, 1)))))
		elif question_type == "Yes/No":
			answers.append("Yes" if mood > 0.3 else "No")
		else:
			answers.append(rng.choice(TEXT_ANSWERS))
	return answers


def issue_subject(rng: random.Random, issue_type: str) -> str:
	return f"{issue_type}: {rng.choice(ISSUE_SUBJECTS)}"


def relationship_survey_sent(now, months: int, k: int, drawn_days: int):
	"""When the `k`-th latest relationship survey of a portfolio went out (issue 18, docs/rhythm-surveys.md):
	one cadence (`months`) apart, the latest within the last cadence, so the next ones fall due spread over
	the coming months. `drawn_days` is the random day count the writer drew anyway (no extra draw, so
	both writers stay in step). None when the cadence is 0: the writer keeps its own date."""
	if months <= 0:
		return None
	from datetime import timedelta

	from dateutil.relativedelta import relativedelta

	return now - timedelta(days=drawn_days % max(months * 30 - 1, 1) + 1) - relativedelta(months=months * k)
