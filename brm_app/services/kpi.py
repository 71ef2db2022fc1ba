"""KPI maths for the BRM reports (docs/design.md S5, K1-K7): shares, medians, NPS, RAG status, trends, periods.

Pure Python (standard library only), so it runs and is tested without a Frappe site. The SQL that counts
the records lives in brm_app.brm_app.report.shared (its query modules) and brm_app.surveys.counts (CSAT and
NPS); this module turns those counts into figures.

- A share is ``part / whole`` in percent, ``None`` when the whole is 0 (no data, not 0 %).
- NPS is % promoters - % detractors over all NPS answers (-100..100), ``None`` without answers.
- RAG compares an actual with its target: Green when it meets the target, Amber when it misses it by at
  most ``tolerance_percent`` of the target's size, Red otherwise. For figures where lower is better
  (days to approval) the comparison is mirrored. No actual or no target: no RAG.
- Trend compares a figure with the previous period: "Up", "Down" or "Flat" (within ``flat_within``).
"""

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

GREEN, AMBER, RED = "Green", "Amber", "Red"
UP, DOWN, FLAT = "Up", "Down", "Flat"


class KPIInputError(ValueError):
	"""A count, target or tolerance given to the KPI maths is not valid."""


def share(part: float, whole: float, digits: int | None = 1) -> float | None:
	"""``part`` as a percent of ``whole`` (rounded to `digits`; None: unrounded), or None when ``whole`` is 0."""
	part, whole = _count(part), _count(whole)
	if part > whole:
		raise KPIInputError("A part cannot be larger than its whole")
	if not whole:
		return None
	return _rounded(part / whole * 100, digits)


def median(values: Iterable[float | None], digits: int = 1) -> float | None:
	"""The median of the values that are not None (rounded), or None when there are none."""
	numbers = [float(v) for v in values if v is not None]
	if any(math.isnan(n) or math.isinf(n) for n in numbers):
		raise KPIInputError("Values must be finite numbers")
	if not numbers:
		return None
	return round(statistics.median(numbers), digits)


def nps(promoters: int, detractors: int, answers: int, digits: int | None = 1) -> float | None:
	"""Net Promoter Score from counts: % promoters - % detractors (rounded to `digits`; None: unrounded), or
	None without answers."""
	promoters, detractors, answers = _count(promoters), _count(detractors), _count(answers)
	if promoters + detractors > answers:
		raise KPIInputError("Promoters and detractors cannot outnumber the answers")
	if not answers:
		return None
	return _rounded((promoters - detractors) / answers * 100, digits)


def _rounded(value: float, digits: int | None) -> float:
	return value if digits is None else round(value, digits)


def rag(
	actual: float | None, target: float | None, tolerance_percent: float, higher_is_better: bool = True
) -> str | None:
	"""Green / Amber / Red for `actual` against `target`; None when either is missing.

	Green: meets the target (>=, or <= when lower is better). Amber: misses it by at most
	``tolerance_percent`` % of |target|. Red: misses it by more.
	"""
	if tolerance_percent is None or not 0 <= tolerance_percent <= 100:
		raise KPIInputError("The RAG tolerance must be a percent from 0 to 100")
	if actual is None or target is None:
		return None
	gap = (target - actual) if higher_is_better else (actual - target)
	if gap <= 0:
		return GREEN
	if gap <= abs(target) * tolerance_percent / 100:
		return AMBER
	return RED


def trend(current: float | None, previous: float | None, flat_within: float = 0.0) -> str | None:
	""" "Up", "Down" or "Flat" from the previous period's figure to this one; None when either is missing."""
	if current is None or previous is None:
		return None
	if abs(current - previous) <= flat_within:
		return FLAT
	return UP if current > previous else DOWN


def previous_period(from_date: date, to_date: date) -> tuple[date, date]:
	"""The period of the same number of days that ends the day before `from_date`."""
	if to_date < from_date:
		raise KPIInputError("The period ends before it starts")
	days = (to_date - from_date).days + 1
	end = from_date - timedelta(days=1)
	return end - timedelta(days=days - 1), end


def quarter_of(day: date) -> tuple[date, date]:
	"""First and last day of the calendar quarter containing `day`."""
	first_month = (day.month - 1) // 3 * 3 + 1
	start = date(day.year, first_month, 1)
	next_start = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
	return start, next_start - timedelta(days=1)


def months_back(day: date, months: int) -> date:
	"""The first day of the month `months` - 1 months before `day`'s month (12 -> a rolling year)."""
	if months < 1:
		raise KPIInputError("At least one month")
	index = day.year * 12 + day.month - 1 - (months - 1)
	return date(index // 12, index % 12 + 1, 1)


def _count(value) -> float:
	if value is None:
		return 0
	if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
		raise KPIInputError("Counts must be numbers >= 0")
	return value


# --- the scorecard's figures ------------------------------------------------------------------------------

PERCENT, COUNT, DAYS, SCORE = "%", "count", "days", "score"


@dataclass(frozen=True)
class Figure:
	"""One line of the BRM KPI Scorecard: its KPI, key, label, unit, exact definition and direction."""

	kpi: str
	key: str
	label: str
	unit: str
	definition: str
	higher_is_better: bool = True

	@property
	def target_field(self) -> str:
		"""The BRM Settings field holding this figure's target."""
		return f"target_{self.key}"


FIGURES = (
	Figure(
		"K1",
		"k1_outcomes_agreed",
		"Active portfolios with an agreed business outcome",
		PERCENT,
		"Share of active portfolios (relationship status Active or At Risk, as of today) that have at least "
		"one business outcome in status Agreed or Achieved.",
	),
	Figure(
		"K2",
		"k2_cases_approved",
		"Business cases approved",
		COUNT,
		"Business cases approved (decision Approved, submitted) with a decision date in the period.",
	),
	Figure(
		"K2",
		"k2_requirements_signed_off",
		"Requirements signed off",
		PERCENT,
		"Of the requirements of the business cases approved in the period, the share signed off by the "
		"customer (every signatory accepted it in a Customer Sign-off).",
	),
	Figure(
		"K2",
		"k2_days_to_approval",
		"Median days from draft to approval",
		DAYS,
		"Median of (decision date - creation date) in days over the business cases approved in the period.",
		higher_is_better=False,
	),
	Figure(
		"K2",
		"k2_days_in_customer_sign_off",
		"Median days in customer sign-off",
		DAYS,
		"Median of the days spent in Customer Sign-off over the business cases the customer signed off "
		"(moved to Pending Approval) in the period.",
		higher_is_better=False,
	),
	Figure(
		"K2",
		"k2_deliveries_accepted",
		"Deliveries accepted by the customer",
		PERCENT,
		"Of the completed projects made from a business case whose customer's acceptance was asked in the "
		"period, the share every signatory accepted (a waiver is not an acceptance).",
	),
	Figure(
		"K3",
		"k3_service_changes",
		"Service change opportunities recorded",
		COUNT,
		"Service Opportunities of type Service Change created in the period.",
	),
	Figure(
		"K3",
		"k3_to_business_case",
		"Service changes that reached a business case",
		PERCENT,
		"Of the Service Change opportunities created in the period, the share linked to a Business Case.",
	),
	Figure(
		"K4",
		"k4_innovations",
		"Technology innovation opportunities recorded",
		COUNT,
		"Service Opportunities of type Technology Innovation created in the period.",
	),
	Figure(
		"K4",
		"k4_to_business_case",
		"Innovations that reached a business case",
		PERCENT,
		"Of the Technology Innovation opportunities created in the period, the share linked to a Business Case.",
	),
	Figure(
		"K5",
		"k5_sla_compliance",
		"SLA compliance of Issues",
		PERCENT,
		"Issues (and Helpdesk HD Tickets when installed) of portfolio customers opened in the period: "
		"Fulfilled / (Fulfilled + Failed) of the SLA status (agreement_status); tickets without an SLA result "
		"are left out.",
	),
	Figure(
		"K5",
		"k5_outcomes_achieved",
		"Portfolios with an outcome achieved",
		PERCENT,
		"Of the portfolios with at least one business outcome Agreed or Achieved (as of today), the share "
		"with at least one outcome Achieved.",
	),
	Figure(
		"K6",
		"k6_csat",
		"CSAT",
		PERCENT,
		"Rating answers (1-5) of surveys responded in the period: the share that is 4 or 5.",
	),
	Figure(
		"K6",
		"k6_nps",
		"NPS",
		SCORE,
		"Surveys responded in the period with an NPS answer: % promoters (9-10) - % detractors (0-6).",
	),
	Figure(
		"K6",
		"k6_response_rate",
		"Survey response rate",
		PERCENT,
		"Surveys sent in the period (Sent On in the period): the share that is Responded.",
	),
	# satisfaction with the relationship apart from satisfaction with delivery (docs/rhythm-surveys.md)
	Figure(
		"K6",
		"k6_relationship_csat",
		"CSAT of the relationship",
		PERCENT,
		"As CSAT, over the relationship surveys only (trigger Periodic Relationship Review: the cadence "
		"job and Send Survey Now).",
	),
	Figure(
		"K6",
		"k6_relationship_nps",
		"NPS of the relationship",
		SCORE,
		"As NPS, over the relationship surveys only.",
	),
	Figure(
		"K6",
		"k6_relationship_response_rate",
		"Response rate of relationship surveys",
		PERCENT,
		"As the survey response rate, over the relationship surveys only.",
	),
	Figure(
		"K6",
		"k6_delivery_csat",
		"CSAT of delivery",
		PERCENT,
		"As CSAT, over the delivery surveys only (triggers Ticket Closed and Project Delivered).",
	),
	Figure(
		"K6",
		"k6_delivery_nps",
		"NPS of delivery",
		SCORE,
		"As NPS, over the delivery surveys only.",
	),
	Figure(
		"K6",
		"k6_delivery_response_rate",
		"Response rate of delivery surveys",
		PERCENT,
		"As the survey response rate, over the delivery surveys only.",
	),
	Figure(
		"K7",
		"k7_feedback",
		"Complaints and detractor surveys",
		COUNT,
		"Complaint tickets (Issues, and HD Tickets when installed, of a type in BRM Settings' complaint issue "
		"types) opened in the period plus surveys responded in the period with NPS category Detractor. "
		"Context for the two shares below; no target.",
	),
	Figure(
		"K7",
		"k7_feedback_linked",
		"Feedback linked to an improvement",
		PERCENT,
		"Of those complaints and detractor surveys, the share that is the source (Source Issue / Source HD "
		"Ticket / Source Survey) of at least one Service Opportunity.",
	),
	Figure(
		"K7",
		"k7_improvements_delivered",
		"Linked improvements delivered",
		PERCENT,
		"Of the Service Opportunities raised from those complaints and detractor surveys, the share in status "
		"Delivered.",
	),
)
# no target field in BRM Settings (k7_feedback is context; the two customer sign-off figures of issue 16
# have none yet)
UNTARGETED = frozenset({"k7_feedback", "k2_days_in_customer_sign_off", "k2_deliveries_accepted"})
# the relationship / delivery split of K6 (issue 18): context for K6, no target of its own
UNTARGETED |= {
	"k6_relationship_csat",
	"k6_relationship_nps",
	"k6_relationship_response_rate",
	"k6_delivery_csat",
	"k6_delivery_nps",
	"k6_delivery_response_rate",
}
