"""Customer health score (0-100) and its parts, for the Customer Portfolio.

Pure Python (standard library only), so it runs and is tested without a Frappe site.

Each part is normalised to 0..100, or ``None`` when there is no data for it:

- ``csat``: the CSAT percent as is;
- ``nps``: the NPS (-100..100) mapped linearly onto 0..100;
- ``sla_compliance``: percent of SLA-tracked tickets fulfilled out of fulfilled + failed;
- ``complaints``: 100 with no open complaint, 20 less for each one, never below 0;
- ``agreement_coverage``: percent of the consumed services covered by an active agreement.

The score is the weighted mean of the parts that have data; their weights are re-normalised to sum to 100,
so a missing part neither drags the score down nor props it up. RAG: Green >= 75, Amber >= 50, else Red.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from brm_app.services import kpi

PARTS = ("csat", "nps", "sla_compliance", "complaints", "agreement_coverage")
DEFAULT_WEIGHTS = {"csat": 30, "nps": 20, "sla_compliance": 25, "complaints": 15, "agreement_coverage": 10}
WEIGHT_TOTAL = 100
COMPLAINT_PENALTY = 20
GREEN_FROM = 75.0
AMBER_FROM = 50.0
GREEN, AMBER, RED = "Green", "Amber", "Red"


class HealthInputError(ValueError):
	"""Health parts, the metrics behind them or the weights are not valid."""


@dataclass(frozen=True)
class HealthParts:
	"""The five parts, each 0..100 or ``None`` when there is no data."""

	csat: float | None = None
	nps: float | None = None
	sla_compliance: float | None = None
	complaints: float | None = None
	agreement_coverage: float | None = None


@dataclass(frozen=True)
class HealthResult:
	"""The score (rounded to 1 decimal), its RAG status, the parts and the weights actually applied."""

	score: float | None
	rag: str | None
	parts: dict[str, float | None]
	effective_weights: dict[str, float]


def csat_part(csat_percent: float | None) -> float | None:
	"""The CSAT part: the CSAT percent (0..100) itself."""
	if csat_percent is None:
		return None
	return _number_in(csat_percent, 0, 100, "CSAT must be a number from 0 to 100")


def nps_part(nps_score: float | None) -> float | None:
	"""The NPS part: an NPS of -100..100 mapped onto 0..100 (0 NPS = 50)."""
	if nps_score is None:
		return None
	return (_number_in(nps_score, -100, 100, "NPS must be a number from -100 to 100") + 100) / 2


def sla_compliance_part(fulfilled: int, failed: int) -> float | None:
	"""The SLA part: percent of fulfilled out of fulfilled + failed tickets; ``None`` with no tickets."""
	_check_count(fulfilled, "Fulfilled SLA count")
	_check_count(failed, "Failed SLA count")
	if fulfilled + failed == 0:
		return None
	return kpi.share(fulfilled, fulfilled + failed, digits=None)


def complaints_part(open_complaints: int | None) -> float | None:
	"""The complaints part: 100 with no open complaint, 20 less per open complaint, at least 0."""
	if open_complaints is None:
		return None
	_check_count(open_complaints, "Open complaint count")
	return float(max(0, 100 - COMPLAINT_PENALTY * open_complaints))


def agreement_coverage_part(covered_services: int, consumed_services: int) -> float | None:
	"""The coverage part: percent of consumed services under an active agreement; ``None`` with none consumed."""
	_check_count(covered_services, "Covered service count")
	_check_count(consumed_services, "Consumed service count")
	if covered_services > consumed_services:
		raise HealthInputError("Covered services cannot outnumber the services consumed")
	if consumed_services == 0:
		return None
	return kpi.share(covered_services, consumed_services, digits=None)


def health_parts(
	*,
	csat_percent: float | None = None,
	nps_score: float | None = None,
	sla_fulfilled: int = 0,
	sla_failed: int = 0,
	open_complaints: int | None = None,
	covered_services: int = 0,
	consumed_services: int = 0,
) -> HealthParts:
	"""Build the parts from raw metrics; leave a metric out (or at its default) when there is no data."""
	return HealthParts(
		csat=csat_part(csat_percent),
		nps=nps_part(nps_score),
		sla_compliance=sla_compliance_part(sla_fulfilled, sla_failed),
		complaints=complaints_part(open_complaints),
		agreement_coverage=agreement_coverage_part(covered_services, consumed_services),
	)


def validate_weights(weights: Mapping[str, object]) -> dict[str, int]:
	"""Check health-score weights and return them for every part (a missing part weighs 0).

	Weights are whole numbers >= 0 (whole floats such as 30.0 are accepted) summing to exactly 100;
	keys must be part names.
	"""
	if not isinstance(weights, Mapping):
		raise HealthInputError("Health score weights must map part names to weights")
	unknown = [key for key in weights if key not in PARTS]
	if unknown:
		raise HealthInputError(f"Health score weights can only be given for: {', '.join(PARTS)}")
	checked = {part: _weight(part, weights.get(part, 0)) for part in PARTS}
	if sum(checked.values()) != WEIGHT_TOTAL:
		raise HealthInputError(f"Health score weights must add up to {WEIGHT_TOTAL}")
	return checked


def compute_health(parts: HealthParts, weights: Mapping[str, object] | None = None) -> HealthResult:
	"""Weighted health score of the parts that have data (and a weight above 0); ``None`` without any."""
	values = _check_parts(parts)
	checked_weights = validate_weights(DEFAULT_WEIGHTS if weights is None else weights)
	used = {
		part: checked_weights[part] for part in PARTS if values[part] is not None and checked_weights[part]
	}
	total = sum(used.values())
	effective = {part: used.get(part, 0) * WEIGHT_TOTAL / total if total else 0.0 for part in PARTS}
	if not total:
		return HealthResult(score=None, rag=None, parts=values, effective_weights=effective)
	mean = math.fsum(weight * values[part] for part, weight in used.items()) / total
	score = round(min(100.0, max(0.0, mean)), 1)
	return HealthResult(score=score, rag=rag_status(score), parts=values, effective_weights=effective)


def rag_status(score: float | None) -> str | None:
	"""Green from 75, Amber from 50, Red below; ``None`` without a score."""
	if score is None:
		return None
	if score >= GREEN_FROM:
		return GREEN
	if score >= AMBER_FROM:
		return AMBER
	return RED


def _check_parts(parts: object) -> dict[str, float | None]:
	if not isinstance(parts, HealthParts):
		raise HealthInputError("Health parts must be given as HealthParts")
	values = {field.name: getattr(parts, field.name) for field in fields(parts)}
	for part, value in values.items():
		if value is not None:
			values[part] = _number_in(value, 0, 100, f"Health part {part} must be a number from 0 to 100")
	return values


def _weight(part: str, weight: object) -> int:
	whole_float = isinstance(weight, float) and weight.is_integer()
	if isinstance(weight, bool) or not (isinstance(weight, int) or whole_float):
		raise HealthInputError(f"The health score weight of {part} must be a whole number")
	if weight < 0:
		raise HealthInputError(f"The health score weight of {part} cannot be negative")
	return int(weight)


def _number_in(value: object, low: float, high: float, message: str) -> float:
	if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
		raise HealthInputError(message)
	return float(value)


def _check_count(count: object, label: str) -> None:
	if isinstance(count, bool) or not isinstance(count, int) or count < 0:
		raise HealthInputError(f"{label} must be a whole number of at least 0")


# --- the score explained, and over time (docs/health-over-time.md) --------------------------------------

PART_FIELDS = {
	# part -> the stored field of the portfolio (and of its Customer Health Snapshot) it is computed from
	"csat": "csat_score",
	"nps": "nps_score",
	"sla_compliance": "sla_compliance",
	"complaints": "open_complaints",
	"agreement_coverage": "agreement_coverage",
}


def parts_from_stored(stored: Mapping[str, object]) -> HealthParts:
	"""The parts from the stored measures (CSAT %, NPS, SLA %, open complaints, coverage %) of a portfolio
	or snapshot; a measure without data (None) gives a part without data. Out-of-range stored values
	(rounding at the edges) are clamped rather than refused: the score was computed before they were stored."""

	def value(part: str) -> float | None:
		raw = stored.get(PART_FIELDS[part])
		return None if raw is None else float(raw)  # type: ignore[arg-type]

	csat, nps, sla, complaints, coverage = (value(part) for part in PARTS)
	return HealthParts(
		csat=None if csat is None else _clamp(csat, 0, 100),
		nps=None if nps is None else (_clamp(nps, -100, 100) + 100) / 2,
		sla_compliance=None if sla is None else _clamp(sla, 0, 100),
		complaints=None if complaints is None else complaints_part(max(0, int(complaints))),
		agreement_coverage=None if coverage is None else _clamp(coverage, 0, 100),
	)


def contributions(parts: HealthParts, weights: Mapping[str, object] | None = None) -> dict[str, float | None]:
	"""How many points of the score each part brings: its effective weight (re-normalised over the parts
	with data) x its value / 100. Their sum is the unrounded score; a part without data brings None."""
	result = compute_health(parts, weights)
	return {
		part: None
		if result.parts[part] is None or not result.effective_weights[part]
		else result.effective_weights[part] * result.parts[part] / WEIGHT_TOTAL
		for part in PARTS
	}


def score_change(now: float | None, then: float | None) -> float | None:
	"""The change of a score in points (rounded to 1 decimal); None when either end has no score."""
	if now is None or then is None:
		return None
	return round(float(now) - float(then), 1)


def band_changed(before: str | None, after: str | None) -> bool:
	"""Whether a portfolio moved from one band (Green / Amber / Red) to another; a first score, or a score
	lost for want of data, is not a change of band."""
	return bool(before) and bool(after) and before != after


def _clamp(value: float, low: float, high: float) -> float:
	return min(high, max(low, value))
