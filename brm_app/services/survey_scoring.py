"""Satisfaction survey answers: validation, per-response scores (CSAT, NPS) and aggregates.

Pure Python (standard library only), so it runs and is tested without a Frappe site.

Question types: "Rating" (whole number 1-5), "NPS" (whole number 0-10), "Yes/No" and "Text".
CSAT is the share of ratings that are 4 or 5, in percent. NPS categories: promoter 9-10, passive 7-8,
detractor 0-6; an aggregate NPS is % promoters - % detractors (-100..100).

Error messages are fixed sentences (no values inside), so callers can pass them to ``_()`` for translation.
"""

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from brm_app.services import kpi

QUESTION_TYPES = ("Rating", "NPS", "Yes/No", "Text")
RATING_MIN, RATING_MAX = 1, 5
NPS_MIN, NPS_MAX = 0, 10
MAX_TEXT_LENGTH = 2000
MAX_ANSWERS = 200
SATISFIED_FROM_RATING = 4
PROMOTER_FROM = 9
PASSIVE_FROM = 7
YES, NO = "Yes", "No"
PROMOTER, PASSIVE, DETRACTOR = "Promoter", "Passive", "Detractor"

RATING_MESSAGE = f"Rating answer must be a whole number from {RATING_MIN} to {RATING_MAX}"
NPS_MESSAGE = f"NPS answer must be a whole number from {NPS_MIN} to {NPS_MAX}"
YES_NO_MESSAGE = 'Yes/No answer must be "Yes" or "No"'
TEXT_MESSAGE = "Text answer must be text"
TEXT_LENGTH_MESSAGE = f"Text answer must be at most {MAX_TEXT_LENGTH} characters long"
REQUIRED_MESSAGE = "An answer to this question is required"

# "7", " +7 ", "7.0" are whole numbers; "7.5", "1e1", "7." are not. Three digits are plenty for 0..10.
_WHOLE_NUMBER = re.compile(r"(?P<number>[+-]?[0-9]{1,3})(?:\.0+)?")
_YES_WORDS = frozenset({"yes", "true", "1"})
_NO_WORDS = frozenset({"no", "false", "0"})

Answer = int | str | None


class SurveyScoringError(ValueError):
	"""Base class of this module's errors."""


class SurveyAnswerError(SurveyScoringError):
	"""An answer (or the question type it is for) is not valid."""


class SurveyThresholdError(SurveyScoringError):
	"""A follow-up threshold (from BRM Settings) is not valid."""


@dataclass(frozen=True)
class SurveyScore:
	"""Scores of one survey response; ``None`` when the response has no answer of that kind."""

	answered_count: int
	rating_count: int
	satisfied_count: int
	rating_mean: float | None
	csat_percent: float | None
	nps_score: int | None
	nps_category: str | None


def validate_answer(question_type: str, value: object, mandatory: bool = False) -> Answer:
	"""Check one answer and return it normalised: an int for Rating / NPS, "Yes" / "No", stripped text.

	A blank answer (``None`` or whitespace) returns ``None`` unless the question is mandatory.
	"""
	normalise = _normaliser(question_type)
	if value is None or (isinstance(value, str) and not value.strip()):
		if mandatory:
			raise SurveyAnswerError(REQUIRED_MESSAGE)
		return None
	return normalise(value)


def score(answers: Sequence[tuple[str, object]]) -> SurveyScore:
	"""Score one response from its ``(question_type, value)`` pairs; blank answers are skipped.

	When a response holds several NPS answers, the first one is the respondent's NPS score.
	"""
	if not isinstance(answers, list | tuple) or len(answers) > MAX_ANSWERS:
		raise SurveyAnswerError(
			f"Answers must be a list of at most {MAX_ANSWERS} (question type, value) pairs"
		)
	pairs = [_answer_pair(item) for item in answers]
	ratings = [value for kind, value in pairs if kind == "Rating" and isinstance(value, int)]
	nps_answers = [value for kind, value in pairs if kind == "NPS" and isinstance(value, int)]
	nps_score = nps_answers[0] if nps_answers else None
	return SurveyScore(
		answered_count=sum(1 for _, value in pairs if value is not None),
		rating_count=len(ratings),
		satisfied_count=sum(1 for value in ratings if value >= SATISFIED_FROM_RATING),
		rating_mean=math.fsum(ratings) / len(ratings) if ratings else None,
		csat_percent=aggregate_csat(ratings),
		nps_score=nps_score,
		nps_category=None if nps_score is None else nps_category(nps_score),
	)


def nps_category(nps_answer: object) -> str:
	"""Promoter (9-10), Passive (7-8) or Detractor (0-6) for one NPS answer."""
	value = _whole_number(nps_answer, NPS_MIN, NPS_MAX, NPS_MESSAGE)
	if value >= PROMOTER_FROM:
		return PROMOTER
	if value >= PASSIVE_FROM:
		return PASSIVE
	return DETRACTOR


def aggregate_nps(nps_answers: Iterable[object]) -> float | None:
	"""Net Promoter Score of many answers: % promoters - % detractors; ``None`` when there are none."""
	categories = [nps_category(answer) for answer in _iterate(nps_answers)]
	if not categories:
		return None
	return kpi.nps(categories.count(PROMOTER), categories.count(DETRACTOR), len(categories), digits=None)


def aggregate_csat(ratings: Iterable[object]) -> float | None:
	"""CSAT of many ratings: % of ratings that are 4 or 5; ``None`` when there are none."""
	values = [_whole_number(rating, RATING_MIN, RATING_MAX, RATING_MESSAGE) for rating in _iterate(ratings)]
	if not values:
		return None
	return kpi.share(sum(1 for value in values if value >= SATISFIED_FROM_RATING), len(values), digits=None)


def needs_follow_up(
	survey_score: SurveyScore,
	threshold_csat_percent: float | None,
	threshold_rating_mean: float | None = None,
) -> bool:
	"""Whether a response is low enough to be followed up.

	Yes when the respondent is an NPS detractor, when the CSAT is below ``threshold_csat_percent`` or when
	the mean rating is below ``threshold_rating_mean``. A ``None`` threshold is not checked.
	"""
	if not isinstance(survey_score, SurveyScore):
		raise SurveyScoringError("A survey score is needed to decide on a follow-up")
	_check_threshold(threshold_csat_percent, 0, 100, "CSAT threshold must be a number from 0 to 100")
	_check_threshold(threshold_rating_mean, RATING_MIN, RATING_MAX, "Rating threshold must be from 1 to 5")
	return (
		survey_score.nps_category == DETRACTOR
		or _below(survey_score.csat_percent, threshold_csat_percent)
		or _below(survey_score.rating_mean, threshold_rating_mean)
	)


def _normaliser(question_type: object) -> Callable[[object], Answer]:
	normalisers: dict[str, Callable[[object], Answer]] = {
		"Rating": lambda value: _whole_number(value, RATING_MIN, RATING_MAX, RATING_MESSAGE),
		"NPS": lambda value: _whole_number(value, NPS_MIN, NPS_MAX, NPS_MESSAGE),
		"Yes/No": _yes_no,
		"Text": _text,
	}
	if not isinstance(question_type, str) or question_type not in normalisers:
		raise SurveyAnswerError(f"Question type must be one of: {', '.join(QUESTION_TYPES)}")
	return normalisers[question_type]


def _answer_pair(item: object) -> tuple[str, Answer]:
	if not isinstance(item, list | tuple) or len(item) != 2:
		raise SurveyAnswerError("Each answer must be a (question type, value) pair")
	question_type, value = item
	return question_type, validate_answer(question_type, value)


def _whole_number(value: object, low: int, high: int, message: str) -> int:
	number = _parse_whole_number(value)
	if number is None or not low <= number <= high:
		raise SurveyAnswerError(message)
	return number


def _parse_whole_number(value: object) -> int | None:
	"""An int from an int, a whole float or a whole-number string; ``None`` for anything else (bools too)."""
	if isinstance(value, bool):
		return None
	if isinstance(value, int):
		return value
	if isinstance(value, float):
		return int(value) if value.is_integer() else None
	if isinstance(value, str):
		match = _WHOLE_NUMBER.fullmatch(value.strip())
		return int(match["number"]) if match else None
	return None


def _yes_no(value: object) -> str:
	if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
		return YES if value else NO
	word = value.strip().lower() if isinstance(value, str) else None
	if word in _YES_WORDS:
		return YES
	if word in _NO_WORDS:
		return NO
	raise SurveyAnswerError(YES_NO_MESSAGE)


def _text(value: object) -> str:
	if not isinstance(value, str):
		raise SurveyAnswerError(TEXT_MESSAGE)
	text = value.strip()
	if len(text) > MAX_TEXT_LENGTH:
		raise SurveyAnswerError(TEXT_LENGTH_MESSAGE)
	return text


def _iterate(values: object) -> Iterable[object]:
	if isinstance(values, str | bytes) or not isinstance(values, Iterable):
		raise SurveyAnswerError("Answers to aggregate must be a list")
	return values


def _check_threshold(threshold: object, low: float, high: float, message: str) -> None:
	if threshold is None:
		return
	if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not low <= threshold <= high:
		raise SurveyThresholdError(message)


def _below(value: float | None, threshold: float | None) -> bool:
	return value is not None and threshold is not None and value < threshold
