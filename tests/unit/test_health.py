"""Customer health score (brm_app.services.health): examples and properties; no site needed."""

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.health import (
	DEFAULT_WEIGHTS,
	PARTS,
	HealthInputError,
	HealthParts,
	agreement_coverage_part,
	complaints_part,
	compute_health,
	csat_part,
	health_parts,
	nps_part,
	rag_status,
	sla_compliance_part,
	validate_weights,
)

PROPERTY = settings(deadline=None)


# Parts


def test_csat_part_is_the_percent_itself():
	assert csat_part(82.5) == 82.5
	assert csat_part(None) is None


@pytest.mark.parametrize(("nps", "part"), [(-100, 0.0), (0, 50.0), (40, 70.0), (100, 100.0)])
def test_nps_part_maps_minus_hundred_to_hundred_onto_zero_to_hundred(nps, part):
	assert nps_part(nps) == part


def test_nps_part_without_data():
	assert nps_part(None) is None


def test_sla_part_is_the_fulfilled_share():
	assert sla_compliance_part(fulfilled=9, failed=1) == 90.0
	assert sla_compliance_part(fulfilled=0, failed=4) == 0.0
	assert sla_compliance_part(fulfilled=0, failed=0) is None


@pytest.mark.parametrize(("open_complaints", "part"), [(0, 100.0), (1, 80.0), (4, 20.0), (5, 0.0), (9, 0.0)])
def test_complaints_part_loses_twenty_per_open_complaint(open_complaints, part):
	assert complaints_part(open_complaints) == part


def test_complaints_part_without_data():
	assert complaints_part(None) is None


def test_agreement_coverage_part():
	assert agreement_coverage_part(covered_services=3, consumed_services=4) == 75.0
	assert agreement_coverage_part(covered_services=0, consumed_services=0) is None
	with pytest.raises(HealthInputError, match="Covered services cannot outnumber the services consumed"):
		agreement_coverage_part(covered_services=5, consumed_services=4)


@pytest.mark.parametrize(
	("function", "arguments"),
	[
		(csat_part, (101,)),
		(csat_part, (-0.1,)),
		(csat_part, (math.nan,)),
		(csat_part, ("80",)),
		(nps_part, (-101,)),
		(nps_part, (True,)),
		(sla_compliance_part, (-1, 3)),
		(sla_compliance_part, (2.5, 3)),
		(complaints_part, (-1,)),
		(complaints_part, (True,)),
		(agreement_coverage_part, (1, "2")),
	],
)
def test_invalid_metrics_are_refused(function, arguments):
	with pytest.raises(HealthInputError):
		function(*arguments)


def test_health_parts_builds_every_part():
	parts = health_parts(
		csat_percent=80,
		nps_score=0,
		sla_fulfilled=9,
		sla_failed=1,
		open_complaints=1,
		covered_services=3,
		consumed_services=4,
	)
	assert parts == HealthParts(csat=80, nps=50, sla_compliance=90, complaints=80, agreement_coverage=75)


def test_health_parts_without_data_are_all_none():
	assert health_parts() == HealthParts()


# Score


FULL = HealthParts(csat=80, nps=50, sla_compliance=90, complaints=80, agreement_coverage=75)


def test_score_with_every_part_and_default_weights():
	# (30*80 + 20*50 + 25*90 + 15*80 + 10*75) / 100
	result = compute_health(FULL)
	assert result.score == 76.0
	assert result.rag == "Green"
	assert result.parts == {
		"csat": 80,
		"nps": 50,
		"sla_compliance": 90,
		"complaints": 80,
		"agreement_coverage": 75,
	}
	assert result.effective_weights == {part: float(weight) for part, weight in DEFAULT_WEIGHTS.items()}


def test_missing_parts_are_left_out_and_weights_renormalised():
	# only CSAT (weight 30) and SLA (weight 25): (30*60 + 25*90) / 55 = 73.636...
	result = compute_health(HealthParts(csat=60, sla_compliance=90))
	assert result.score == 73.6
	assert result.rag == "Amber"
	assert result.effective_weights["csat"] == pytest.approx(100 * 30 / 55)
	assert result.effective_weights["sla_compliance"] == pytest.approx(100 * 25 / 55)
	assert result.effective_weights["nps"] == 0.0


def test_custom_weights():
	weights = {"csat": 50, "nps": 0, "sla_compliance": 50, "complaints": 0, "agreement_coverage": 0}
	assert compute_health(FULL, weights).score == 85.0


def test_no_data_gives_no_score():
	result = compute_health(HealthParts())
	assert (result.score, result.rag) == (None, None)
	assert set(result.effective_weights.values()) == {0.0}


def test_parts_with_zero_weight_do_not_count():
	weights = {"csat": 100}
	assert compute_health(HealthParts(nps=0, complaints=0), weights).score is None
	assert compute_health(HealthParts(csat=90, nps=0, complaints=0), weights).score == 90.0


def test_score_is_rounded_to_one_decimal_and_rag_follows_the_rounded_score():
	result = compute_health(HealthParts(csat=74.96), {"csat": 100})
	assert (result.score, result.rag) == (75.0, "Green")
	assert result.parts["csat"] == 74.96
	assert compute_health(HealthParts(csat=33.333), {"csat": 100}).score == 33.3


@pytest.mark.parametrize(
	("score", "rag"),
	[(100, "Green"), (75, "Green"), (74.9, "Amber"), (50, "Amber"), (49.9, "Red"), (0, "Red"), (None, None)],
)
def test_rag_boundaries(score, rag):
	assert rag_status(score) == rag


@pytest.mark.parametrize(
	"parts",
	[
		{"csat": 80},
		None,
		HealthParts(csat=100.1),
		HealthParts(nps=-1),
		HealthParts(sla_compliance=math.nan),
		HealthParts(complaints=math.inf),
		HealthParts(agreement_coverage="75"),
		HealthParts(csat=True),
	],
)
def test_invalid_parts_are_refused(parts):
	with pytest.raises(HealthInputError):
		compute_health(parts)


# Weights


def test_default_weights_are_valid():
	assert validate_weights(DEFAULT_WEIGHTS) == DEFAULT_WEIGHTS
	assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_missing_weights_count_as_zero_and_whole_floats_are_accepted():
	assert validate_weights({"csat": 60.0, "nps": 40}) == {
		"csat": 60,
		"nps": 40,
		"sla_compliance": 0,
		"complaints": 0,
		"agreement_coverage": 0,
	}


@pytest.mark.parametrize(
	("weights", "message"),
	[
		({**DEFAULT_WEIGHTS, "csat": 29}, "Health score weights must add up to 100"),
		({**DEFAULT_WEIGHTS, "csat": 31}, "Health score weights must add up to 100"),
		({}, "Health score weights must add up to 100"),
		({"csat": -10, "nps": 110}, "The health score weight of csat cannot be negative"),
		({"csat": 50.5, "nps": 49.5}, "The health score weight of csat must be a whole number"),
		({"csat": True, "nps": 99}, "The health score weight of csat must be a whole number"),
		({"csat": "100"}, "The health score weight of csat must be a whole number"),
		({"csat": math.nan}, "must be a whole number"),
		({"csat": math.inf}, "must be a whole number"),
		({"CSAT": 100}, "Health score weights can only be given for: csat, nps"),
		([("csat", 100)], "Health score weights must map part names to weights"),
		(None, "Health score weights must map part names to weights"),
	],
)
def test_invalid_weights_are_refused(weights, message):
	with pytest.raises(HealthInputError, match=message):
		validate_weights(weights)


def test_compute_health_checks_the_weights():
	with pytest.raises(HealthInputError, match="add up to 100"):
		compute_health(FULL, {"csat": 50})


# Properties

part_values = st.one_of(st.none(), st.floats(min_value=0, max_value=100))
all_parts = st.builds(HealthParts, *(part_values for _ in PARTS))


@st.composite
def weight_sets(draw: st.DrawFn) -> dict[str, int]:
	"""Five whole weights >= 0 summing to 100, from four cut points in 0..100."""
	cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4)))
	bounds = [0, *cuts, 100]
	return {part: bounds[index + 1] - bounds[index] for index, part in enumerate(PARTS)}


def weighted_mean(parts: HealthParts, weights: dict[str, int]) -> float | None:
	present = {part: getattr(parts, part) for part in PARTS if getattr(parts, part) is not None}
	total = sum(weights[part] for part in present)
	if not total:
		return None
	return sum(weights[part] * value for part, value in present.items()) / total


@PROPERTY
@given(all_parts, weight_sets())
def test_score_is_the_rounded_weighted_mean_of_the_parts_with_data(parts, weights):
	result = compute_health(parts, weights)
	expected = weighted_mean(parts, weights)
	if expected is None:
		assert (result.score, result.rag) == (None, None)
		return
	assert 0 <= result.score <= 100
	assert result.score == pytest.approx(expected, abs=0.05 + 1e-9)
	assert result.score == round(result.score, 1)
	assert result.rag == rag_status(result.score)
	assert math.fsum(result.effective_weights.values()) == pytest.approx(100)


@PROPERTY
@given(all_parts)
def test_with_default_weights_there_is_a_score_exactly_when_some_part_has_data(parts):
	has_data = any(getattr(parts, part) is not None for part in PARTS)
	assert (compute_health(parts).score is not None) == has_data


@PROPERTY
@given(all_parts, weight_sets(), st.sampled_from(PARTS), st.floats(0, 100), st.floats(0, 100))
def test_improving_one_part_never_lowers_the_score(parts, weights, part, value_a, value_b):
	worse, better = sorted((value_a, value_b))
	worse_score = compute_health(replace(parts, **{part: worse}), weights).score
	better_score = compute_health(replace(parts, **{part: better}), weights).score
	if worse_score is None:
		assert better_score is None
	else:
		assert better_score >= worse_score


@PROPERTY
@given(all_parts, weight_sets(), st.floats(min_value=0, max_value=100))
def test_parts_all_equal_score_that_value_whatever_is_missing(parts, weights, value):
	same = HealthParts(**{part: None if getattr(parts, part) is None else value for part in PARTS})
	result = compute_health(same, weights)
	if weighted_mean(same, weights) is None:
		assert result.score is None
	else:
		# the weighted mean of equal values can land a hair off the value (66.94999… for 66.95), which
		# rounds to the neighbouring tenth: within half a tenth of the value is the property
		assert abs(result.score - value) <= 0.05 + 1e-9


@PROPERTY
@given(all_parts, weight_sets())
def test_renormalised_weights_are_proportional_to_the_given_ones(parts, weights):
	result = compute_health(parts, weights)
	used = {part: weights[part] for part in PARTS if getattr(parts, part) is not None}
	total = sum(used.values())
	for part in PARTS:
		expected = 100 * used[part] / total if part in used and total else 0.0
		assert result.effective_weights[part] == pytest.approx(expected)


@PROPERTY
@given(st.dictionaries(st.sampled_from(PARTS), st.integers(min_value=-50, max_value=150)))
def test_weights_are_valid_exactly_when_non_negative_and_summing_to_hundred(weights):
	valid = all(weight >= 0 for weight in weights.values()) and sum(weights.values()) == 100
	if valid:
		assert validate_weights(weights) == {part: weights.get(part, 0) for part in PARTS}
	else:
		with pytest.raises(HealthInputError):
			validate_weights(weights)


@PROPERTY
@given(
	st.one_of(
		st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3), st.lists(st.integers())
	),
	st.sampled_from(PARTS),
)
def test_any_part_value_is_accepted_or_refused_with_health_input_error(value, part):
	try:
		result = compute_health(HealthParts(**{part: value}))
	except HealthInputError:
		return
	assert result.score is None or 0 <= result.score <= 100
