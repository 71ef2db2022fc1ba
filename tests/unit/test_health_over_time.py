"""Health over time (docs/health-over-time.md): the score explained by its parts' contributions, the change
between two scores, a change of band (brm_app.services.health); no site needed."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.health import (
	PARTS,
	HealthParts,
	band_changed,
	compute_health,
	contributions,
	parts_from_stored,
	score_change,
)

PROPERTY = settings(deadline=None)
part_value = st.one_of(st.none(), st.floats(min_value=0, max_value=100))


def test_contributions_are_weight_times_value_over_the_weights_with_data():
	# CSAT 80 (weight 30) and SLA 60 (weight 25) only: effective weights 30/55 and 25/55 of 100
	parts = HealthParts(csat=80.0, sla_compliance=60.0)
	points = contributions(parts)
	assert points["csat"] == pytest.approx(100 * 30 / 55 * 80 / 100)
	assert points["sla_compliance"] == pytest.approx(100 * 25 / 55 * 60 / 100)
	assert points["nps"] is None and points["complaints"] is None and points["agreement_coverage"] is None
	assert round(sum(v for v in points.values() if v is not None), 1) == compute_health(parts).score == 70.9


def test_a_part_weighted_zero_contributes_nothing():
	weights = {"csat": 50, "nps": 50, "sla_compliance": 0, "complaints": 0, "agreement_coverage": 0}
	points = contributions(HealthParts(csat=100.0, nps=0.0, sla_compliance=100.0), weights)
	assert points == {
		"csat": 50.0,
		"nps": 0.0,
		"sla_compliance": None,
		"complaints": None,
		"agreement_coverage": None,
	}


@PROPERTY
@given(st.tuples(*(part_value for _ in PARTS)))
def test_contributions_sum_to_the_score(values):
	parts = HealthParts(**dict(zip(PARTS, values, strict=True)))
	points = [v for v in contributions(parts).values() if v is not None]
	score = compute_health(parts).score
	if score is None:
		assert points == []
	else:
		assert math.isclose(round(math.fsum(points), 1), score, abs_tol=0.051)


def test_parts_from_stored_measures():
	parts = parts_from_stored(
		{
			"csat_score": 80,
			"nps_score": -20,
			"sla_compliance": None,
			"open_complaints": 2,
			"agreement_coverage": 50,
		}
	)
	assert parts == HealthParts(
		csat=80.0, nps=40.0, sla_compliance=None, complaints=60.0, agreement_coverage=50.0
	)
	assert parts_from_stored({}) == HealthParts()


def test_score_change_in_points_or_none_without_both_ends():
	assert score_change(72.5, 80.0) == -7.5
	assert score_change(80, 72.4) == 7.6
	assert score_change(None, 80) is None
	assert score_change(80, None) is None
	assert score_change(0.0, 0.0) == 0.0


@pytest.mark.parametrize(
	("before", "after", "changed"),
	[
		("Green", "Amber", True),
		("Red", "Green", True),
		("Amber", "Amber", False),
		(None, "Red", False),  # a first score is not a change of band
		("Green", None, False),  # nor a score lost for want of data
		("", "Green", False),
	],
)
def test_band_changed(before, after, changed):
	assert band_changed(before, after) is changed
