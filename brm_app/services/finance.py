"""Business case finance: totals, NPV, ROI, payback period and IRR from yearly cost and benefit lines.

Pure Python (standard library only), so it runs and is tested without a Frappe site.

Conventions:

- Year 0 is "now" (the up-front investment); a line in year ``n`` (1..horizon) falls at the end of year ``n``.
- The discount rate, ROI and IRR are percentages (``10`` means 10 %).
- Invalid input raises :class:`FinanceInputError` with an English message, never another exception.
  Every input is bounded (lines per list, amount size, horizon) so a bad request cannot exhaust the worker.
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_LINES = 1000
MAX_AMOUNT = 1e15
MAX_HORIZON_YEARS = 30
# A yearly net flow is at most every line of one list in the same year.
MAX_NET_FLOW = MAX_AMOUNT * MAX_LINES
# IRR is searched for strictly inside this range of rates (percent).
IRR_MIN_PERCENT = -99.99
IRR_MAX_PERCENT = 1e6
# Cumulative cash within this share of the total cash moved counts as zero (absorbs float rounding).
_PAYBACK_TOLERANCE = 1e-12
_IRR_GRID_POINTS = 2000
_BISECTION_STEPS = 200


class FinanceInputError(ValueError):
	"""The cost or benefit lines, the discount rate or the horizon are not valid."""


@dataclass(frozen=True)
class CashLine:
	"""One cost or benefit amount falling in a year."""

	year: int
	amount: float


@dataclass(frozen=True)
class YearCashFlow:
	"""Cash flows of one year of the horizon (year 0 = up front)."""

	year: int
	cost: float
	benefit: float
	net: float
	cumulative_net: float
	discounted_net: float


@dataclass(frozen=True)
class FinanceResult:
	"""Figures of a business case. ``None`` means "not defined" (see each function)."""

	total_cost: float
	total_benefit: float
	net_benefit: float
	npv: float
	roi_percent: float | None
	payback_years: float | None
	irr_percent: float | None
	cash_flows: list[YearCashFlow]


def compute_business_case(
	costs: Sequence[object], benefits: Sequence[object], discount_rate: float, horizon_years: int
) -> FinanceResult:
	"""Compute the business case figures.

	``costs`` and ``benefits`` are lists of lines with ``year`` and ``amount``: :class:`CashLine`, dicts
	(``frappe._dict`` included) or objects with those attributes (child table rows).
	"""
	horizon = _check_horizon(horizon_years)
	rate = _check_discount_rate(discount_rate)
	cost_lines = _read_lines(costs, "Cost", horizon)
	benefit_lines = _read_lines(benefits, "Benefit", horizon)
	cash_flows = _yearly_cash_flows(cost_lines, benefit_lines, rate, horizon)
	nets = [flow.net for flow in cash_flows]
	total_cost = math.fsum(line.amount for line in cost_lines)
	total_benefit = math.fsum(line.amount for line in benefit_lines)
	return FinanceResult(
		total_cost=total_cost,
		total_benefit=total_benefit,
		net_benefit=total_benefit - total_cost,
		npv=math.fsum(flow.discounted_net for flow in cash_flows),
		roi_percent=_roi_percent(total_cost, total_benefit),
		payback_years=payback_years(nets),
		irr_percent=irr_percent(nets),
		cash_flows=cash_flows,
	)


def npv(net_flows: Sequence[float], rate_percent: float) -> float:
	"""Net present value of yearly net flows (index = year) at a rate within the IRR search range."""
	flows = _check_net_flows(net_flows)
	if not _is_real(rate_percent) or not IRR_MIN_PERCENT <= rate_percent <= IRR_MAX_PERCENT:
		raise FinanceInputError(f"Rate must be a number from {IRR_MIN_PERCENT:g}% to {IRR_MAX_PERCENT:g}%")
	factor = 1 + rate_percent / 100
	return math.fsum(flow / factor**year for year, flow in enumerate(flows))


def payback_years(net_flows: Sequence[float]) -> float | None:
	"""Years until the cumulative undiscounted net cash flow is non-negative for good.

	Payback is the earliest point from which the cumulative net cash flow stays >= 0 up to the end of the
	horizon; a project that recovers its cost and then needs more investment has not paid back yet.
	Within the year it turns non-negative, the point is interpolated linearly between the year ends
	(cost 1000 at year 0 and benefit 400 in years 1..3 pay back at 2.5). It is 0.0 when the cumulative
	flow is never negative (including no flows at all) and ``None`` ("never") when it is still negative at
	the end of the horizon.
	"""
	flows = _check_net_flows(net_flows)
	tolerance = _PAYBACK_TOLERANCE * math.fsum(abs(flow) for flow in flows)
	cumulative = [math.fsum(flows[: year + 1]) for year in range(len(flows))]
	negative_years = [year for year, value in enumerate(cumulative) if value < -tolerance]
	if not negative_years:
		return 0.0
	last_negative = negative_years[-1]
	if last_negative == len(flows) - 1:
		return None
	before, after = cumulative[last_negative], cumulative[last_negative + 1]
	return last_negative + min(1.0, -before / (after - before))


def irr_percent(net_flows: Sequence[float]) -> float | None:
	"""Internal rate of return (percent): the rate at which the NPV of the net flows is zero.

	``None`` when the flows never change sign (all costs or all benefits) or no root lies between
	``IRR_MIN_PERCENT`` and ``IRR_MAX_PERCENT``. With one sign change (costs first, then benefits) the root
	is unique. With several sign changes there may be several roots: the range is scanned on a fine grid,
	each bracketed root is refined by bisection and the one closest to 0 % is returned (as numpy-financial
	does); a root where the NPV touches zero without changing sign is not found.
	"""
	flows = _check_net_flows(net_flows)
	changes = _sign_changes(flows)
	if changes == 0:
		return None
	low, high = _discount_factor(IRR_MAX_PERCENT), _discount_factor(IRR_MIN_PERCENT)
	grid = [low, high] if changes == 1 else _factor_grid(low, high)
	roots = _roots_on_grid(flows, grid)
	if not roots:
		return None
	return min((_rate_percent(factor) for factor in roots), key=abs)


def _roi_percent(total_cost: float, total_benefit: float) -> float | None:
	"""Return on investment in percent; ``None`` when there is no cost to return on."""
	if total_cost == 0:
		return None
	return (total_benefit - total_cost) / total_cost * 100


def _yearly_cash_flows(
	costs: list[CashLine], benefits: list[CashLine], rate: float, horizon: int
) -> list[YearCashFlow]:
	flows: list[YearCashFlow] = []
	nets: list[float] = []
	for year in range(horizon + 1):
		cost = math.fsum(line.amount for line in costs if line.year == year)
		benefit = math.fsum(line.amount for line in benefits if line.year == year)
		nets.append(benefit - cost)
		flows.append(
			YearCashFlow(
				year=year,
				cost=cost,
				benefit=benefit,
				net=benefit - cost,
				cumulative_net=math.fsum(nets),
				discounted_net=(benefit - cost) / (1 + rate / 100) ** year,
			)
		)
	return flows


def _npv_at_factor(flows: list[float], factor: float) -> float:
	"""NPV as a polynomial in the discount factor 1 / (1 + r), by Horner's rule."""
	value = 0.0
	for flow in reversed(flows):
		value = value * factor + flow
	return value


def _discount_factor(rate_percent: float) -> float:
	return 1 / (1 + rate_percent / 100)


def _rate_percent(factor: float) -> float:
	return (1 / factor - 1) * 100


def _sign_changes(flows: list[float]) -> int:
	signs = [flow > 0 for flow in flows if flow != 0]
	return sum(1 for previous, current in itertools.pairwise(signs) if previous != current)


def _factor_grid(low: float, high: float) -> list[float]:
	"""Discount factors from ``low`` to ``high``, evenly spaced on a log scale, plus 1.0 (a 0 % rate)."""
	step = math.log(high / low) / (_IRR_GRID_POINTS - 1)
	points = {low * math.exp(step * index) for index in range(_IRR_GRID_POINTS - 1)}
	return sorted(points | {low, high, 1.0})


def _roots_on_grid(flows: list[float], grid: list[float]) -> list[float]:
	"""Discount factors where the NPV is zero: grid points hit exactly, and bisected sign changes."""
	points = [(factor, _npv_at_factor(flows, factor)) for factor in grid]
	roots = [factor for factor, value in points if value == 0]
	for (factor, value), (next_factor, next_value) in itertools.pairwise(points):
		if value != 0 and next_value != 0 and (value < 0) != (next_value < 0):
			roots.append(_bisect(flows, factor, next_factor, value))
	return roots


def _bisect(flows: list[float], low: float, high: float, low_value: float) -> float:
	"""Narrow a bracket [low, high] around a sign change of the NPV down to float precision."""
	for _ in range(_BISECTION_STEPS):
		middle = (low + high) / 2
		if middle in (low, high):
			break
		value = _npv_at_factor(flows, middle)
		if value == 0:
			return middle
		if (value < 0) == (low_value < 0):
			low, low_value = middle, value
		else:
			high = middle
	return (low + high) / 2


def _check_horizon(horizon_years: object) -> int:
	if not _is_int(horizon_years) or not 1 <= horizon_years <= MAX_HORIZON_YEARS:
		raise FinanceInputError(f"Horizon must be a whole number of years from 1 to {MAX_HORIZON_YEARS}")
	return int(horizon_years)


def _check_discount_rate(discount_rate: object) -> float:
	if not _is_real(discount_rate) or not 0 < discount_rate < 100:
		raise FinanceInputError("Discount rate must be a number greater than 0% and less than 100%")
	return float(discount_rate)


def _check_net_flows(net_flows: object) -> list[float]:
	if not isinstance(net_flows, list | tuple) or not 1 <= len(net_flows) <= MAX_HORIZON_YEARS + 1:
		raise FinanceInputError(
			f"Net cash flows must be a list of 1 to {MAX_HORIZON_YEARS + 1} yearly amounts"
		)
	if not all(_is_real(flow) and -MAX_NET_FLOW <= flow <= MAX_NET_FLOW for flow in net_flows):
		raise FinanceInputError(f"Each net cash flow must be a finite number of at most {MAX_NET_FLOW:g}")
	return [float(flow) for flow in net_flows]


def _read_lines(lines: object, kind: str, horizon: int) -> list[CashLine]:
	if not isinstance(lines, list | tuple):
		raise FinanceInputError(f"{kind} lines must be a list")
	if len(lines) > MAX_LINES:
		raise FinanceInputError(f"Too many {kind.lower()} lines: at most {MAX_LINES} are allowed")
	return [_read_line(line, f"{kind} line {number}", horizon) for number, line in enumerate(lines, 1)]


def _read_line(line: object, where: str, horizon: int) -> CashLine:
	year, amount = _field(line, "year"), _field(line, "amount")
	if not _is_int(year):
		raise FinanceInputError(f"{where}: year must be a whole number")
	if not 0 <= year <= horizon:
		raise FinanceInputError(f"{where}: year must be between 0 and the horizon ({horizon})")
	if not _is_real(amount):
		raise FinanceInputError(f"{where}: amount must be a finite number")
	if amount < 0:
		raise FinanceInputError(f"{where}: amount cannot be negative")
	if amount > MAX_AMOUNT:
		raise FinanceInputError(f"{where}: amount cannot be more than {MAX_AMOUNT:g}")
	return CashLine(year=int(year), amount=float(amount))


def _field(line: object, name: str) -> object:
	if isinstance(line, Mapping):
		return line.get(name)
	return getattr(line, name, None)


def _is_int(value: object) -> bool:
	return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
	"""A finite int or float (bool excluded); huge ints are accepted here and range-checked by callers."""
	if isinstance(value, bool) or not isinstance(value, int | float):
		return False
	return isinstance(value, int) or math.isfinite(value)
