"""KPI maths of the BRM reports (brm_app.services.kpi): shares, medians, NPS, RAG, trends, periods."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brm_app.services import kpi

counts = st.integers(min_value=0, max_value=10**6)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


# share


def test_share_is_a_rounded_percent():
	assert kpi.share(1, 3) == 33.3
	assert kpi.share(2, 3) == 66.7
	assert kpi.share(3, 3) == 100.0
	assert kpi.share(0, 5) == 0.0


def test_share_of_nothing_is_no_data_not_zero():
	assert kpi.share(0, 0) is None


@pytest.mark.parametrize("part, whole", [(4, 3), (-1, 3), (1, -3), ("1", 3), (True, 3), (float("nan"), 3)])
def test_share_refuses_impossible_counts(part, whole):
	with pytest.raises(kpi.KPIInputError):
		kpi.share(part, whole)


@given(st.integers(min_value=1, max_value=10**6).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))))
def test_share_stays_within_0_and_100(pair):
	part, whole = pair
	value = kpi.share(part, whole)
	assert 0 <= value <= 100
	assert abs(value - part / whole * 100) <= 0.05


# median


def test_median_of_odd_and_even_counts_ignoring_blanks():
	assert kpi.median([5, 1, 3]) == 3
	assert kpi.median([4, 1, 3, 2]) == 2.5
	assert kpi.median([None, 7, None]) == 7
	assert kpi.median([]) is None
	assert kpi.median([None]) is None


def test_median_refuses_infinite_values():
	with pytest.raises(kpi.KPIInputError):
		kpi.median([1, float("inf")])


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=50))
def test_median_lies_between_min_and_max_and_halves_the_values(values):
	m = kpi.median(values, digits=6)
	assert min(values) - 1e-6 <= m <= max(values) + 1e-6
	assert sum(v <= m + 1e-6 for v in values) >= len(values) / 2
	assert sum(v >= m - 1e-6 for v in values) >= len(values) / 2


# NPS


def test_nps_from_counts():
	assert kpi.nps(5, 2, 10) == 30.0
	assert kpi.nps(0, 3, 3) == -100.0
	assert kpi.nps(3, 0, 3) == 100.0
	assert kpi.nps(1, 1, 3) == 0.0
	assert kpi.nps(0, 0, 0) is None


def test_nps_refuses_more_promoters_and_detractors_than_answers():
	with pytest.raises(kpi.KPIInputError):
		kpi.nps(3, 2, 4)


@given(counts, counts, counts)
def test_nps_is_between_minus_100_and_100(promoters, detractors, passives):
	answers = promoters + detractors + passives
	value = kpi.nps(promoters, detractors, answers)
	if answers == 0:
		assert value is None
	else:
		assert -100 <= value <= 100
		assert abs(value - (promoters - detractors) / answers * 100) <= 0.05


# RAG


@pytest.mark.parametrize(
	"actual, expected",
	[(80, kpi.GREEN), (95, kpi.GREEN), (72, kpi.AMBER), (79.9, kpi.AMBER), (71.9, kpi.RED), (0, kpi.RED)],
)
def test_rag_higher_is_better_with_10_percent_tolerance(actual, expected):
	assert kpi.rag(actual, 80, 10) == expected


@pytest.mark.parametrize(
	"actual, expected", [(30, kpi.GREEN), (10, kpi.GREEN), (33, kpi.AMBER), (33.1, kpi.RED)]
)
def test_rag_lower_is_better_is_mirrored(actual, expected):
	assert kpi.rag(actual, 30, 10, higher_is_better=False) == expected


def test_rag_with_a_negative_target_uses_its_size():
	# NPS target -20: amber down to -22
	assert kpi.rag(-21, -20, 10) == kpi.AMBER
	assert kpi.rag(-23, -20, 10) == kpi.RED
	assert kpi.rag(-19, -20, 10) == kpi.GREEN


def test_rag_needs_an_actual_and_a_target():
	assert kpi.rag(None, 80, 10) is None
	assert kpi.rag(50, None, 10) is None


@pytest.mark.parametrize("tolerance", [-1, 101, None])
def test_rag_refuses_a_tolerance_outside_0_100(tolerance):
	with pytest.raises(kpi.KPIInputError):
		kpi.rag(50, 80, tolerance)


@given(numbers, numbers, st.floats(min_value=0, max_value=100), st.booleans())
def test_rag_is_monotonic(actual, target, tolerance, higher):
	"""Doing better never makes the status worse."""
	order = {kpi.RED: 0, kpi.AMBER: 1, kpi.GREEN: 2}
	better = actual + 1 if higher else actual - 1
	assert (
		order[kpi.rag(better, target, tolerance, higher)] >= order[kpi.rag(actual, target, tolerance, higher)]
	)


@given(numbers, st.booleans())
def test_rag_with_zero_tolerance_has_no_amber(target, higher):
	for actual in (target - 1, target, target + 1):
		assert kpi.rag(actual, target, 0, higher) in (kpi.GREEN, kpi.RED)


# trend


def test_trend():
	assert kpi.trend(50, 40) == kpi.UP
	assert kpi.trend(40, 50) == kpi.DOWN
	assert kpi.trend(50, 50) == kpi.FLAT
	assert kpi.trend(50.4, 50, flat_within=0.5) == kpi.FLAT
	assert kpi.trend(None, 50) is None
	assert kpi.trend(50, None) is None


# periods


def test_quarter_of():
	assert kpi.quarter_of(date(2026, 11, 27)) == (date(2026, 10, 1), date(2026, 12, 31))
	assert kpi.quarter_of(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
	assert kpi.quarter_of(date(2024, 5, 31)) == (date(2024, 4, 1), date(2024, 6, 30))


def test_previous_period_has_the_same_length_and_ends_the_day_before():
	assert kpi.previous_period(date(2026, 10, 1), date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))
	with pytest.raises(kpi.KPIInputError):
		kpi.previous_period(date(2026, 10, 2), date(2026, 10, 1))


@given(days, st.integers(min_value=0, max_value=800))
def test_previous_period_properties(start, length):
	end = start + timedelta(days=length)
	prev_start, prev_end = kpi.previous_period(start, end)
	assert prev_end == start - timedelta(days=1)
	assert (prev_end - prev_start) == (end - start)


def test_months_back_gives_a_rolling_year_from_the_first_of_a_month():
	assert kpi.months_back(date(2026, 11, 27), 12) == date(2025, 12, 1)
	assert kpi.months_back(date(2026, 1, 15), 1) == date(2026, 1, 1)
	assert kpi.months_back(date(2026, 1, 15), 2) == date(2025, 12, 1)
	with pytest.raises(kpi.KPIInputError):
		kpi.months_back(date(2026, 1, 15), 0)


@given(days)
def test_quarter_contains_the_day_and_spans_three_months(day):
	start, end = kpi.quarter_of(day)
	assert start <= day <= end
	assert start.day == 1 and start.month in (1, 4, 7, 10)
	assert (end + timedelta(days=1)).day == 1
	assert 89 <= (end - start).days + 1 <= 92


# the scorecard's figures


def test_every_figure_has_a_unique_key_a_definition_and_a_kpi():
	keys = [f.key for f in kpi.FIGURES]
	assert len(keys) == len(set(keys))
	assert {f.kpi for f in kpi.FIGURES} == {f"K{n}" for n in range(1, 8)}
	for figure in kpi.FIGURES:
		assert figure.definition.endswith(".")
		assert figure.target_field == f"target_{figure.key}"
		assert figure.unit in (kpi.PERCENT, kpi.COUNT, kpi.DAYS, kpi.SCORE)
	assert kpi.UNTARGETED <= set(keys)
