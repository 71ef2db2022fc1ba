"""Service Opportunity status transitions (brm_app.services.opportunity_status); no site needed."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.opportunity_status import (
	FINAL,
	PIPELINE,
	STATUSES,
	OpportunityStatusError,
	allowed_next,
	can_transition,
	check_transition,
)

PROPERTY = settings(deadline=None)


@pytest.mark.parametrize("old,new", list(pairwise(PIPELINE)))
def test_each_pipeline_step_is_allowed(old, new):
	assert can_transition(old, new)
	check_transition(old, new)


@pytest.mark.parametrize("old", [s for s in STATUSES if s not in FINAL])
@pytest.mark.parametrize("new", ["Rejected", "Withdrawn"])
def test_any_open_status_may_be_rejected_or_withdrawn(old, new):
	assert can_transition(old, new)


@pytest.mark.parametrize(
	"old,new",
	[
		("New", "Business Case"),
		("New", "Approved"),
		("Assessing", "Delivered"),
		("Business Case", "In Delivery"),
		("Approved", "New"),
		("In Delivery", "Assessing"),
	],
)
def test_skipping_or_going_back_is_refused(old, new):
	assert not can_transition(old, new)
	with pytest.raises(OpportunityStatusError, match="cannot move"):
		check_transition(old, new)


@pytest.mark.parametrize("old", sorted(FINAL))
@pytest.mark.parametrize("new", [s for s in STATUSES])
def test_final_statuses_never_change(old, new):
	assert allowed_next(old) == ()
	assert can_transition(old, new) == (old == new)
	if old != new:
		with pytest.raises(OpportunityStatusError, match="final"):
			check_transition(old, new)


def test_a_new_opportunity_starts_as_new():
	assert allowed_next(None) == ("New",)
	check_transition(None, "New")
	with pytest.raises(OpportunityStatusError, match="starts as New"):
		check_transition(None, "Approved")


def test_unknown_statuses_are_refused():
	with pytest.raises(OpportunityStatusError, match="unknown"):
		can_transition("New", "Done")
	with pytest.raises(OpportunityStatusError, match="unknown"):
		allowed_next("Done")


@PROPERTY
@given(path=st.lists(st.sampled_from(STATUSES), max_size=12))
def test_any_allowed_walk_never_moves_backwards_in_the_pipeline(path):
	current = "New"
	for new in path:
		if not can_transition(current, new):
			continue
		if current in PIPELINE and new in PIPELINE:
			assert PIPELINE.index(new) in (PIPELINE.index(current), PIPELINE.index(current) + 1)
		current = new
	assert current in STATUSES
