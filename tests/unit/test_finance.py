"""Business case finance maths (brm_app.services.finance): worked examples and properties; no site needed."""

import math
from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from brm_app.services.finance import (
	MAX_AMOUNT,
	MAX_HORIZON_YEARS,
	MAX_LINES,
	CashLine,
	FinanceInputError,
	FinanceResult,
	compute_business_case,
	irr_percent,
	npv,
	payback_years,
)

PROPERTY = settings(deadline=None)


def lines(*pairs: tuple[int, float]) -> list[CashLine]:
	return [CashLine(year=year, amount=amount) for year, amount in pairs]


def reference_npv(flows: list[float], rate_percent: float) -> float:
	return math.fsum(flow / (1 + rate_percent / 100) ** year for year, flow in enumerate(flows))


def discounted_scale(flows: list[float], rate_percent: float) -> float:
	"""Sum of the absolute discounted flows: the yardstick for "close to zero"."""
	return math.fsum(abs(flow) / (1 + rate_percent / 100) ** year for year, flow in enumerate(flows))


def net_flows(result: FinanceResult) -> list[float]:
	return [flow.net for flow in result.cash_flows]


# Worked examples, checked by hand


def worked_example() -> FinanceResult:
	"""Cost 1000 up front, benefit 400 at the end of years 1, 2 and 3, discounted at 10 %."""
	return compute_business_case(lines((0, 1000)), lines((1, 400), (2, 400), (3, 400)), 10, 3)


def test_worked_example_totals_and_roi():
	result = worked_example()
	assert result.total_cost == 1000
	assert result.total_benefit == 1200
	assert result.net_benefit == 200
	assert result.roi_percent == pytest.approx(20.0)


def test_worked_example_npv():
	# -1000 + 400/1.1 + 400/1.21 + 400/1.331
	assert worked_example().npv == pytest.approx(-5.259203606, abs=1e-9)


def test_worked_example_irr_and_payback():
	result = worked_example()
	assert result.irr_percent == pytest.approx(9.701, abs=0.001)
	assert reference_npv([-1000, 400, 400, 400], result.irr_percent) == pytest.approx(0, abs=1e-7)
	# cumulative -1000, -600, -200, +200: half-way through year 3
	assert result.payback_years == pytest.approx(2.5)


def test_worked_example_yearly_cash_flows():
	flows = worked_example().cash_flows
	assert [flow.year for flow in flows] == [0, 1, 2, 3]
	assert [flow.cost for flow in flows] == [1000, 0, 0, 0]
	assert [flow.benefit for flow in flows] == [0, 400, 400, 400]
	assert [flow.net for flow in flows] == [-1000, 400, 400, 400]
	assert [flow.cumulative_net for flow in flows] == [-1000, -600, -200, 200]
	expected_discounted = [-1000, 400 / 1.1, 400 / 1.21, 400 / 1.331]
	assert [flow.discounted_net for flow in flows] == pytest.approx(expected_discounted)


def test_lines_can_be_dicts_or_row_objects():
	as_dicts = [{"year": 0, "amount": 1000}]
	as_rows = [SimpleNamespace(year=year, amount=400, idx=year) for year in (1, 2, 3)]
	assert compute_business_case(as_dicts, as_rows, 10, 3) == worked_example()


def test_lines_of_the_same_year_add_up():
	result = compute_business_case(lines((0, 600), (0, 400)), lines((2, 700), (2, 500)), 10, 2)
	assert [flow.net for flow in result.cash_flows] == [-1000, 0, 1200]
	assert result.npv == pytest.approx(-1000 + 1200 / 1.21)


def test_never_pays_back_within_the_horizon():
	result = compute_business_case(lines((0, 1000)), lines((1, 100), (2, 100), (3, 100)), 8, 3)
	assert result.payback_years is None
	assert result.roi_percent == pytest.approx(-70.0)
	# 300 back for 1000 is a negative return, but still a defined IRR
	assert result.irr_percent is not None and result.irr_percent < 0
	assert reference_npv([-1000, 100, 100, 100], result.irr_percent) == pytest.approx(0, abs=1e-6)


def test_payback_interpolates_within_the_year():
	# cumulative -1000, -750, +250: 750 of the 1000 of year 2 are needed
	assert payback_years([-1000, 250, 1000]) == pytest.approx(1.75)


def test_payback_exactly_at_a_year_end():
	assert payback_years([-1000, 500, 500, 500]) == pytest.approx(2.0)


def test_payback_is_zero_when_benefit_covers_cost_up_front():
	result = compute_business_case(lines((0, 100)), lines((0, 150), (1, 50)), 10, 1)
	assert result.payback_years == 0.0


def test_payback_waits_for_the_last_time_cumulative_turns_non_negative():
	# cumulative -100, +50, -50, +150: paid back only during year 3, not during year 1
	assert payback_years([-100, 150, -100, 200]) == pytest.approx(2.25)
	# cumulative -100, +50, -150: a later investment is never recovered
	assert payback_years([-100, 150, -200]) is None


def test_payback_tolerates_float_rounding():
	# 0.1 + 0.2 is a hair above 0.3 in binary: the benefit still exactly repays the cost
	result = compute_business_case(lines((0, 0.1), (0, 0.2)), lines((1, 0.3)), 10, 1)
	assert result.payback_years == pytest.approx(1.0)


def test_empty_business_case():
	result = compute_business_case([], [], 10, 5)
	assert (result.total_cost, result.total_benefit, result.net_benefit, result.npv) == (0, 0, 0, 0)
	assert result.roi_percent is None
	assert result.irr_percent is None
	assert result.payback_years == 0.0
	assert len(result.cash_flows) == 6


def test_roi_is_undefined_without_cost():
	result = compute_business_case([], lines((1, 500)), 10, 1)
	assert result.roi_percent is None
	assert result.irr_percent is None
	assert result.npv == pytest.approx(500 / 1.1)


@pytest.mark.parametrize(
	"flows",
	[[-100, -50, -10], [100, 50, 10], [0, 0, 0], [0, 250, 0]],
	ids=["all costs", "all benefits", "all zero", "one benefit"],
)
def test_irr_is_undefined_without_a_sign_change(flows):
	assert irr_percent(flows) is None


def test_irr_is_undefined_when_the_root_is_beyond_the_search_range():
	# 1 invested returns 10^12 a year later: an IRR of 10^14 %, far above the 10^6 % ceiling
	assert irr_percent([-1, 1e12]) is None


def test_irr_with_several_roots_returns_the_one_closest_to_zero():
	# -100 (1+r)^2 + 230 (1+r) - 132 = 0 at r = 10 % and r = 20 %
	assert irr_percent([-100, 230, -132]) == pytest.approx(10.0)
	# -(1+r)^2 + 1.8 (1+r) - 0.77 = 0 at r = -30 % and r = 10 %
	assert irr_percent([-1, 1.8, -0.77]) == pytest.approx(10.0)


def test_irr_negative_rate():
	# -100 now, 50 in a year: r = -50 %
	assert irr_percent([-100, 50]) == pytest.approx(-50.0)


def test_npv_helper_matches_the_formula():
	assert npv([-1000, 400, 400, 400], 10) == pytest.approx(-5.259203606)
	assert npv([-100, 50], -50) == pytest.approx(0.0)


def test_exactly_max_lines_is_accepted():
	costs = [CashLine(year=0, amount=1.0)] * MAX_LINES
	assert compute_business_case(costs, [], 10, 1).total_cost == MAX_LINES


def test_largest_amount_is_accepted():
	assert compute_business_case([CashLine(0, MAX_AMOUNT)], [], 10, 1).total_cost == MAX_AMOUNT


VALID = {"costs": lines((0, 1000)), "benefits": lines((1, 400)), "discount_rate": 10, "horizon_years": 3}


@pytest.mark.parametrize(
	("field", "value", "message"),
	[
		("costs", lines((0, -1)), "Cost line 1: amount cannot be negative"),
		("benefits", lines((1, 5), (2, -0.01)), "Benefit line 2: amount cannot be negative"),
		("costs", lines((0, math.nan)), "amount must be a finite number"),
		("costs", lines((0, math.inf)), "amount must be a finite number"),
		("costs", lines((0, MAX_AMOUNT * 10)), "amount cannot be more than 1e\\+15"),
		("costs", [{"year": 0, "amount": "100"}], "amount must be a finite number"),
		("costs", [{"year": 0, "amount": True}], "amount must be a finite number"),
		("costs", [{"year": 0}], "amount must be a finite number"),
		("costs", lines((-1, 10)), "Cost line 1: year must be between 0 and the horizon \\(3\\)"),
		("benefits", lines((4, 10)), "Benefit line 1: year must be between 0 and the horizon \\(3\\)"),
		("costs", [{"year": 1.5, "amount": 10}], "year must be a whole number"),
		("costs", [{"year": "1", "amount": 10}], "year must be a whole number"),
		("costs", [{"year": None, "amount": 10}], "year must be a whole number"),
		("costs", [{"year": 10**5000, "amount": 10}], "year must be between"),
		("costs", ["not a line"], "year must be a whole number"),
		("costs", None, "Cost lines must be a list"),
		("benefits", "400", "Benefit lines must be a list"),
		("costs", [CashLine(0, 1.0)] * (MAX_LINES + 1), "Too many cost lines: at most 1000"),
		("discount_rate", 0, "Discount rate must be a number greater than 0% and less than 100%"),
		("discount_rate", 100, "Discount rate"),
		("discount_rate", -5, "Discount rate"),
		("discount_rate", math.nan, "Discount rate"),
		("discount_rate", math.inf, "Discount rate"),
		("discount_rate", "10", "Discount rate"),
		("discount_rate", True, "Discount rate"),
		("discount_rate", None, "Discount rate"),
		("horizon_years", 0, "Horizon must be a whole number of years from 1 to 30"),
		("horizon_years", MAX_HORIZON_YEARS + 1, "Horizon"),
		("horizon_years", 2.0, "Horizon"),
		("horizon_years", True, "Horizon"),
		("horizon_years", None, "Horizon"),
	],
)
def test_invalid_input_is_refused_with_a_clear_message(field, value, message):
	with pytest.raises(FinanceInputError, match=message):
		compute_business_case(**{**VALID, field: value})


@pytest.mark.parametrize(
	"flows",
	[[], [1.0] * (MAX_HORIZON_YEARS + 2), [math.nan], [math.inf, 1], ["1"], None, [1e30]],
)
def test_net_flow_helpers_refuse_invalid_flows(flows):
	for helper in (irr_percent, payback_years, lambda value: npv(value, 10)):
		with pytest.raises(FinanceInputError):
			helper(flows)


@pytest.mark.parametrize("rate", [-100, -99.999, 1e7, math.nan, "10", None, True])
def test_npv_helper_refuses_rates_outside_the_search_range(rate):
	with pytest.raises(FinanceInputError, match="Rate must be a number"):
		npv([-100, 50], rate)


# Properties

amounts = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e9))
rates = st.floats(min_value=0.01, max_value=99.99)


@st.composite
def business_cases(draw: st.DrawFn) -> dict:
	horizon = draw(st.integers(min_value=1, max_value=MAX_HORIZON_YEARS))
	line = st.builds(CashLine, year=st.integers(min_value=0, max_value=horizon), amount=amounts)
	return {
		"costs": draw(st.lists(line, max_size=8)),
		"benefits": draw(st.lists(line, max_size=8)),
		"discount_rate": draw(rates),
		"horizon_years": horizon,
	}


@st.composite
def conventional_cases(draw: st.DrawFn, up_front_costs: bool = False) -> dict:
	"""Costs in the first years, benefits after them (one sign change at most)."""
	horizon = draw(st.integers(min_value=1, max_value=MAX_HORIZON_YEARS))
	last_cost_year = 0 if up_front_costs else draw(st.integers(min_value=0, max_value=horizon - 1))
	cost_year = st.integers(min_value=0, max_value=last_cost_year)
	benefit_year = st.integers(min_value=last_cost_year + 1, max_value=horizon)
	return {
		"costs": draw(st.lists(st.builds(CashLine, year=cost_year, amount=amounts), min_size=1, max_size=6)),
		"benefits": draw(st.lists(st.builds(CashLine, year=benefit_year, amount=amounts), max_size=6)),
		"discount_rate": draw(rates),
		"horizon_years": horizon,
	}


@PROPERTY
@given(business_cases())
def test_totals_are_the_sums_of_the_lines(case):
	result = compute_business_case(**case)
	assert result.total_cost == pytest.approx(sum(line.amount for line in case["costs"]))
	assert result.total_benefit == pytest.approx(sum(line.amount for line in case["benefits"]))
	assert result.net_benefit == result.total_benefit - result.total_cost
	assert math.fsum(flow.cost for flow in result.cash_flows) == pytest.approx(result.total_cost)
	assert math.fsum(flow.benefit for flow in result.cash_flows) == pytest.approx(result.total_benefit)
	assert [flow.year for flow in result.cash_flows] == list(range(case["horizon_years"] + 1))


@PROPERTY
@given(business_cases())
def test_npv_is_the_discounted_sum_of_net_flows(case):
	result = compute_business_case(**case)
	flows = net_flows(result)
	tolerance = 1e-9 * discounted_scale(flows, case["discount_rate"]) + 1e-9
	assert result.npv == pytest.approx(reference_npv(flows, case["discount_rate"]), abs=tolerance)


@PROPERTY
@given(business_cases())
def test_npv_at_the_irr_is_zero(case):
	result = compute_business_case(**case)
	assume(result.irr_percent is not None)
	flows = net_flows(result)
	assert -99.99 <= result.irr_percent <= 1e6
	tolerance = 1e-8 * discounted_scale(flows, result.irr_percent)
	assert abs(reference_npv(flows, result.irr_percent)) <= tolerance


@PROPERTY
@given(conventional_cases(), rates)
def test_conventional_flows_are_profitable_exactly_below_the_irr(case, rate):
	result = compute_business_case(**case)
	assume(result.irr_percent is not None)
	flows = net_flows(result)
	value, tolerance = reference_npv(flows, rate), 1e-9 * discounted_scale(flows, rate)
	if rate < result.irr_percent - 1e-6:
		assert value >= -tolerance
	elif rate > result.irr_percent + 1e-6:
		assert value <= tolerance


@PROPERTY
@given(conventional_cases())
def test_conventional_flows_with_cost_and_benefit_have_an_irr_unless_extreme(case):
	result = compute_business_case(**case)
	flows = net_flows(result)
	assume(result.total_cost > 0 and result.total_benefit > 0)
	# a root in range exists when NPV changes sign between the two ends of the search range
	if reference_npv(flows, -99.99) > 0 > reference_npv(flows, 1e6):
		assert result.irr_percent is not None
	else:
		assert result.irr_percent is None


@PROPERTY
@given(conventional_cases(up_front_costs=True), rates, rates)
def test_npv_falls_as_the_discount_rate_rises_for_up_front_costs(case, rate_a, rate_b):
	low, high = sorted((rate_a, rate_b))
	low_npv = compute_business_case(**{**case, "discount_rate": low}).npv
	high_npv = compute_business_case(**{**case, "discount_rate": high}).npv
	scale = math.fsum(line.amount for line in case["costs"] + case["benefits"])
	assert high_npv <= low_npv + 1e-12 * scale


@PROPERTY
@given(business_cases())
def test_payback_is_within_the_horizon_and_really_pays_back(case):
	result = compute_business_case(**case)
	horizon = case["horizon_years"]
	cumulative = [flow.cumulative_net for flow in result.cash_flows]
	slack = 1e-9 * (result.total_cost + result.total_benefit)
	if result.payback_years is None:
		assert cumulative[-1] < 0
		return
	assert 0 <= result.payback_years <= horizon
	# from payback on, the cumulative flow never dips below zero again...
	assert all(value >= -slack for value in cumulative[math.ceil(result.payback_years) :])
	# ...and just before it, it was still negative
	if result.payback_years > 0:
		assert cumulative[math.ceil(result.payback_years) - 1] < 0


@PROPERTY
@given(business_cases())
def test_payback_is_never_exactly_when_the_case_loses_money(case):
	result = compute_business_case(**case)
	scale = result.total_cost + result.total_benefit
	assume(abs(result.net_benefit) > 1e-6 * scale)
	assert (result.payback_years is None) == (result.net_benefit < 0)


@PROPERTY
@given(business_cases(), st.sampled_from([2**-10, 0.25, 0.5, 2, 8, 1024]))
def test_scaling_amounts_by_a_power_of_two_scales_npv_and_keeps_the_ratios(case, factor):
	scaled = {
		**case,
		"costs": [CashLine(line.year, line.amount * factor) for line in case["costs"]],
		"benefits": [CashLine(line.year, line.amount * factor) for line in case["benefits"]],
	}
	original, result = compute_business_case(**case), compute_business_case(**scaled)
	# multiplying by a power of two is exact in binary floating point, so equality is exact
	assert result.npv == original.npv * factor
	assert result.irr_percent == original.irr_percent
	assert result.roi_percent == original.roi_percent
	assert result.payback_years == original.payback_years


@PROPERTY
@given(business_cases(), st.floats(min_value=0.001, max_value=1000))
def test_scaling_amounts_by_any_factor_scales_npv_and_keeps_roi(case, factor):
	scaled = {
		**case,
		"costs": [CashLine(line.year, line.amount * factor) for line in case["costs"]],
		"benefits": [CashLine(line.year, line.amount * factor) for line in case["benefits"]],
	}
	original, result = compute_business_case(**case), compute_business_case(**scaled)
	tolerance = 1e-9 * factor * discounted_scale(net_flows(original), case["discount_rate"]) + 1e-9
	assert result.npv == pytest.approx(original.npv * factor, abs=tolerance)
	if original.roi_percent is None:
		assert result.roi_percent is None
	else:
		assert result.roi_percent == pytest.approx(original.roi_percent, rel=1e-9, abs=1e-9)


junk = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(),
	st.text(max_size=4),
	st.lists(st.integers(), max_size=2),
	st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
junk_lines = st.one_of(
	junk,
	st.lists(
		st.one_of(
			junk,
			st.fixed_dictionaries({"year": junk, "amount": junk}),
			st.builds(CashLine, year=junk, amount=junk),
		),
		max_size=3,
	),
)


@PROPERTY
@given(junk_lines, junk_lines, junk, junk)
def test_arbitrary_input_either_computes_or_raises_finance_input_error(costs, benefits, rate, horizon):
	try:
		result = compute_business_case(costs, benefits, rate, horizon)
	except FinanceInputError as error:
		assert str(error)
	else:
		assert isinstance(result, FinanceResult)


corruptions = st.sampled_from(
	[
		("costs", [CashLine(0, -1.0)]),
		("benefits", [CashLine(1, math.nan)]),
		("benefits", [CashLine(1, -math.inf)]),
		("costs", [CashLine(0, 2e15)]),
		("costs", [CashLine(MAX_HORIZON_YEARS + 1, 1.0)]),
		("benefits", [CashLine(-1, 1.0)]),
		("costs", [CashLine(0, 1.0)] * (MAX_LINES + 1)),
		("discount_rate", 0),
		("discount_rate", 100),
		("discount_rate", -0.0),
		("horizon_years", 0),
		("horizon_years", MAX_HORIZON_YEARS + 1),
	]
)


@PROPERTY
@given(business_cases(), corruptions)
def test_any_single_invalid_field_is_refused(case, corruption):
	field, value = corruption
	with pytest.raises(FinanceInputError):
		compute_business_case(**{**case, field: value})
