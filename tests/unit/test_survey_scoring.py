"""Satisfaction survey scoring (brm_app.services.survey_scoring): examples and properties; no site needed."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.survey_scoring import (
	MAX_ANSWERS,
	MAX_TEXT_LENGTH,
	QUESTION_TYPES,
	SurveyAnswerError,
	SurveyScore,
	SurveyScoringError,
	SurveyThresholdError,
	aggregate_csat,
	aggregate_nps,
	needs_follow_up,
	nps_category,
	score,
	validate_answer,
)

PROPERTY = settings(deadline=None)
NPS_MESSAGE = "NPS answer must be a whole number from 0 to 10"
RATING_MESSAGE = "Rating answer must be a whole number from 1 to 5"


# validate_answer


@pytest.mark.parametrize(
	("question_type", "value", "expected"),
	[
		("Rating", 1, 1),
		("Rating", 5, 5),
		("Rating", "3", 3),
		("Rating", " 4 ", 4),
		("Rating", 5.0, 5),
		("Rating", "5.0", 5),
		("NPS", 0, 0),
		("NPS", 10, 10),
		("NPS", "7", 7),
		("NPS", "+8", 8),
		("Yes/No", "Yes", "Yes"),
		("Yes/No", " no ", "No"),
		("Yes/No", "YES", "Yes"),
		("Yes/No", True, "Yes"),
		("Yes/No", False, "No"),
		("Yes/No", 1, "Yes"),
		("Yes/No", 0, "No"),
		("Yes/No", "1", "Yes"),
		("Yes/No", "0", "No"),
		("Text", "  Slow response on the VPN ticket.  ", "Slow response on the VPN ticket."),
	],
)
def test_valid_answers_are_normalised(question_type, value, expected):
	normalised = validate_answer(question_type, value)
	assert normalised == expected
	assert type(normalised) is type(expected)


@pytest.mark.parametrize(
	("question_type", "value", "message"),
	[
		("NPS", -1, NPS_MESSAGE),
		("NPS", 11, NPS_MESSAGE),
		("NPS", 7.5, NPS_MESSAGE),
		("NPS", "7.5", NPS_MESSAGE),
		("NPS", "abc", NPS_MESSAGE),
		("NPS", "1e1", NPS_MESSAGE),
		("NPS", True, NPS_MESSAGE),
		("NPS", False, NPS_MESSAGE),
		("NPS", math.nan, NPS_MESSAGE),
		("NPS", math.inf, NPS_MESSAGE),
		("NPS", [7], NPS_MESSAGE),
		("NPS", "9" * 5000, NPS_MESSAGE),
		("Rating", 0, RATING_MESSAGE),
		("Rating", 6, RATING_MESSAGE),
		("Rating", 2.5, RATING_MESSAGE),
		("Rating", "-3", RATING_MESSAGE),
		("Rating", True, RATING_MESSAGE),
		("Yes/No", "maybe", 'Yes/No answer must be "Yes" or "No"'),
		("Yes/No", 2, 'Yes/No answer must be "Yes" or "No"'),
		("Yes/No", 1.0, 'Yes/No answer must be "Yes" or "No"'),
		("Text", 5, "Text answer must be text"),
		("Text", "x" * (MAX_TEXT_LENGTH + 1), "Text answer must be at most 2000 characters long"),
	],
)
def test_invalid_answers_are_refused_with_a_clear_message(question_type, value, message):
	with pytest.raises(SurveyAnswerError) as raised:
		validate_answer(question_type, value)
	assert str(raised.value) == message


@pytest.mark.parametrize("question_type", QUESTION_TYPES)
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_answers_are_none_unless_mandatory(question_type, blank):
	assert validate_answer(question_type, blank) is None
	with pytest.raises(SurveyAnswerError, match="An answer to this question is required"):
		validate_answer(question_type, blank, mandatory=True)


def test_mandatory_answers_that_are_given_pass():
	assert validate_answer("NPS", 0, mandatory=True) == 0
	assert validate_answer("Yes/No", False, mandatory=True) == "No"


def test_text_at_the_length_cap_is_accepted_after_stripping():
	text = "x" * MAX_TEXT_LENGTH
	assert validate_answer("Text", f"  {text}\n") == text


@pytest.mark.parametrize("question_type", ["Stars", "rating", "", None, 5])
def test_unknown_question_types_are_refused(question_type):
	with pytest.raises(SurveyAnswerError, match="Question type must be one of: Rating, NPS, Yes/No, Text"):
		validate_answer(question_type, 3)


# nps_category and score


@pytest.mark.parametrize(
	("answer", "category"),
	[(0, "Detractor"), (6, "Detractor"), (7, "Passive"), (8, "Passive"), (9, "Promoter"), (10, "Promoter")],
)
def test_nps_category_boundaries(answer, category):
	assert nps_category(answer) == category


def test_score_of_a_full_response():
	result = score(
		[
			("Rating", 5),
			("Rating", "3"),
			("Rating", 4),
			("NPS", 6),
			("Yes/No", True),
			("Text", "Slow on the VPN ticket"),
		]
	)
	assert result == SurveyScore(
		answered_count=6,
		rating_count=3,
		satisfied_count=2,
		rating_mean=4.0,
		csat_percent=pytest.approx(200 / 3),
		nps_score=6,
		nps_category="Detractor",
	)


def test_satisfied_count_is_the_ratings_of_4_or_5():
	result = score([("Rating", 1), ("Rating", 3), ("Rating", 4), ("Rating", "5"), ("Rating", 5), ("NPS", 10)])
	assert (result.rating_count, result.satisfied_count) == (5, 3)
	# the stored counts give the same CSAT as the per-response score
	assert result.satisfied_count / result.rating_count * 100 == pytest.approx(result.csat_percent)


def test_score_without_ratings_or_nps():
	result = score([("Yes/No", "No"), ("Text", "")])
	assert result == SurveyScore(
		answered_count=1,
		rating_count=0,
		satisfied_count=0,
		rating_mean=None,
		csat_percent=None,
		nps_score=None,
		nps_category=None,
	)


def test_score_skips_unanswered_questions():
	result = score([("Rating", None), ("Rating", " "), ("Rating", 2), ("NPS", None)])
	assert (result.answered_count, result.rating_count, result.rating_mean) == (1, 1, 2.0)
	assert result.satisfied_count == 0
	assert result.csat_percent == 0.0
	assert result.nps_score is None


def test_score_uses_the_first_nps_answer():
	result = score([("NPS", None), ("NPS", 9), ("NPS", 2)])
	assert (result.nps_score, result.nps_category) == (9, "Promoter")


@pytest.mark.parametrize(
	"answers",
	[
		[("NPS", 11)],
		[("Rating", 3), ("Stars", 3)],
		[("Rating",)],
		["Rating"],
		"Rating 5",
		None,
		[("Rating", 3)] * (MAX_ANSWERS + 1),
	],
)
def test_score_refuses_invalid_responses(answers):
	with pytest.raises(SurveyAnswerError):
		score(answers)


# aggregates


def test_aggregate_nps_is_promoters_minus_detractors():
	# 2 promoters, 2 passives, 2 detractors
	assert aggregate_nps([10, 9, 8, 7, 6, 0]) == pytest.approx(0.0)
	assert aggregate_nps([10, 10, 0]) == pytest.approx(100 / 3)
	assert aggregate_nps([7, 8]) == 0.0
	assert aggregate_nps([9, 10]) == 100.0
	assert aggregate_nps([0, 6]) == -100.0


def test_aggregate_csat_is_the_share_of_fours_and_fives():
	assert aggregate_csat([5, 4, 3, 2]) == 50.0
	assert aggregate_csat([1, 2, 3]) == 0.0
	assert aggregate_csat([4]) == 100.0


def test_aggregates_without_answers_are_none():
	assert aggregate_nps([]) is None
	assert aggregate_csat(()) is None


@pytest.mark.parametrize(
	("aggregate", "values"),
	[(aggregate_nps, [10, 11]), (aggregate_nps, "910"), (aggregate_csat, [5, 0]), (aggregate_csat, None)],
)
def test_aggregates_refuse_invalid_answers(aggregate, values):
	with pytest.raises(SurveyAnswerError):
		aggregate(values)


# needs_follow_up


def response(csat: float | None = None, mean: float | None = None, nps: int | None = None) -> SurveyScore:
	return SurveyScore(
		answered_count=1,
		rating_count=1 if csat is not None else 0,
		satisfied_count=1 if csat is not None and csat >= 50 else 0,
		rating_mean=mean,
		csat_percent=csat,
		nps_score=nps,
		nps_category=None if nps is None else nps_category(nps),
	)


def test_follow_up_for_a_detractor_whatever_the_csat():
	assert needs_follow_up(response(csat=100, nps=6), 50)
	assert needs_follow_up(response(nps=0), None)


def test_follow_up_when_csat_is_below_the_threshold():
	assert needs_follow_up(response(csat=49.9, nps=8), 50)
	assert not needs_follow_up(response(csat=50, nps=8), 50)


def test_follow_up_when_the_mean_rating_is_below_its_threshold():
	assert needs_follow_up(response(csat=100, mean=2.5), 50, threshold_rating_mean=3)
	assert not needs_follow_up(response(csat=100, mean=3.0), 50, threshold_rating_mean=3)
	assert not needs_follow_up(response(csat=100, mean=2.5), 50)


def test_no_follow_up_without_low_scores_or_data():
	assert not needs_follow_up(response(csat=80, mean=4.2, nps=9), 60, 3)
	assert not needs_follow_up(response(), 60, 3)


@pytest.mark.parametrize(
	("csat_threshold", "rating_threshold"),
	[(-1, None), (101, None), (True, None), ("50", None), (math.nan, None), (50, 0.5), (50, 6), (50, "3")],
)
def test_invalid_thresholds_are_refused(csat_threshold, rating_threshold):
	with pytest.raises(SurveyThresholdError):
		needs_follow_up(response(csat=80), csat_threshold, rating_threshold)


def test_follow_up_needs_a_survey_score():
	with pytest.raises(SurveyScoringError):
		needs_follow_up({"csat_percent": 10}, 50)


# Properties

ratings = st.integers(min_value=1, max_value=5)
nps_answers = st.integers(min_value=0, max_value=10)


@PROPERTY
@given(st.lists(ratings, min_size=1, max_size=50))
def test_csat_is_a_percentage_of_satisfied_ratings(values):
	csat = aggregate_csat(values)
	assert 0 <= csat <= 100
	assert csat == pytest.approx(100 * sum(1 for value in values if value >= 4) / len(values))
	result = score([("Rating", value) for value in values])
	assert result.csat_percent == csat
	assert 1 <= result.rating_mean <= 5


@PROPERTY
@given(st.lists(nps_answers, min_size=1, max_size=50))
def test_aggregate_nps_is_within_minus_and_plus_hundred(values):
	value = aggregate_nps(values)
	assert -100 <= value <= 100
	promoters = sum(1 for answer in values if answer >= 9)
	detractors = sum(1 for answer in values if answer <= 6)
	assert value == pytest.approx(100 * (promoters - detractors) / len(values))


@given(nps_answers)
def test_nps_categories_partition_zero_to_ten(answer):
	memberships = [answer >= 9, 7 <= answer <= 8, answer <= 6]
	assert sum(memberships) == 1
	assert nps_category(answer) == ["Promoter", "Passive", "Detractor"][memberships.index(True)]


@given(st.sampled_from([("Rating", 1, 5), ("NPS", 0, 10)]), st.integers())
def test_numeric_answers_are_kept_exactly_when_in_range(question, number):
	question_type, low, high = question
	if low <= number <= high:
		assert validate_answer(question_type, number) == number
		assert validate_answer(question_type, str(number)) == number
	else:
		with pytest.raises(SurveyAnswerError):
			validate_answer(question_type, number)


@given(st.sampled_from(["Rating", "NPS"]), st.floats().filter(lambda value: not value.is_integer()))
def test_fractional_numbers_are_never_accepted(question_type, value):
	with pytest.raises(SurveyAnswerError):
		validate_answer(question_type, value)
	with pytest.raises(SurveyAnswerError):
		validate_answer(question_type, repr(value))


@given(st.sampled_from(["Rating", "NPS"]), st.booleans())
def test_booleans_are_never_numeric_answers(question_type, value):
	with pytest.raises(SurveyAnswerError):
		validate_answer(question_type, value)


@given(st.text(max_size=MAX_TEXT_LENGTH + 50))
def test_text_answers_are_stripped_and_capped(text):
	stripped = text.strip()
	if len(stripped) > MAX_TEXT_LENGTH:
		with pytest.raises(SurveyAnswerError):
			validate_answer("Text", text)
	else:
		assert validate_answer("Text", text) == (stripped or None)


junk = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(),
	st.text(max_size=6),
	st.binary(max_size=3),
	st.lists(st.integers(), max_size=2),
	st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


@PROPERTY
@given(st.one_of(st.sampled_from(QUESTION_TYPES), junk), junk, st.booleans())
def test_any_answer_is_normalised_or_refused_with_survey_answer_error(question_type, value, mandatory):
	try:
		normalised = validate_answer(question_type, value, mandatory)
	except SurveyAnswerError as error:
		assert str(error)
		return
	if normalised is None:
		assert not mandatory
	elif question_type == "Rating":
		assert normalised in range(1, 6)
	elif question_type == "NPS":
		assert normalised in range(0, 11)
	elif question_type == "Yes/No":
		assert normalised in ("Yes", "No")
	else:
		assert question_type == "Text" and normalised == value.strip()


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(QUESTION_TYPES), junk), max_size=5))
def test_any_response_is_scored_or_refused_with_survey_answer_error(answers):
	try:
		result = score(answers)
	except SurveyAnswerError:
		return
	assert result.csat_percent is None or 0 <= result.csat_percent <= 100
	assert result.answered_count <= len(answers)
