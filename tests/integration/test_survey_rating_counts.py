"""Satisfaction Survey's stored rating counts (rating_count, satisfied_count): set by the controller with a
response, filled for existing surveys by the patch brm_app.patches.v0_2.backfill_survey_rating_counts, and
what the K6 CSAT queries sum instead of joining the answer rows."""

import frappe
from frappe.utils import now_datetime

from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import submit_answers
from brm_app.patches.v0_2 import backfill_survey_rating_counts
from tests.support.factories import make_survey, make_survey_template


def _respond(survey, values):
	submit_answers(survey.name, {row.name: value for row, value in zip(survey.answers, values, strict=True)})
	return frappe.get_doc("Satisfaction Survey", survey.name)


def _counts(name):
	return tuple(frappe.db.get_value("Satisfaction Survey", name, ["rating_count", "satisfied_count"]))


def _three_ratings():
	return make_survey_template(
		[("Service?", "Rating"), ("Manager?", "Rating"), ("Tools?", "Rating"), ("Recommend?", "NPS")]
	).name


def test_a_response_stores_its_ratings_and_satisfied_ratings():
	survey = make_survey(template=_three_ratings(), status="Sent", sent_on=now_datetime())
	assert _counts(survey.name) == (0, 0)
	stored = _respond(survey, [5, 3, 4, 10])
	assert (stored.rating_count, stored.satisfied_count) == (3, 2)
	assert round(stored.satisfied_count / stored.rating_count * 100, 6) == round(stored.csat_percent, 6)


def test_counts_sent_by_the_client_are_overwritten():
	survey = make_survey(template=_three_ratings(), status="Sent", sent_on=now_datetime())
	survey.rating_count, survey.satisfied_count = 99, 99
	survey.save(ignore_permissions=True)
	assert _counts(survey.name) == (0, 0)
	survey.reload()
	for row, value in zip(survey.answers, [1, 2, 5, 0], strict=True):
		row.answer = value
	survey.status = "Responded"
	survey.responded_on = now_datetime()
	survey.rating_count, survey.satisfied_count = 99, 99
	survey.save(ignore_permissions=True)
	assert _counts(survey.name) == (3, 1)


def test_the_backfill_gives_each_survey_the_counts_of_its_answer_rows():
	template = _three_ratings()
	responded = _respond(make_survey(template=template, status="Sent", sent_on=now_datetime()), [4, 5, 2, 6])
	low = _respond(make_survey(template=template, status="Sent", sent_on=now_datetime()), [1, 1, 3, 9])
	pending = make_survey(template=template, status="Sent", sent_on=now_datetime())
	no_ratings = _respond(
		make_survey(
			template=make_survey_template([("Recommend?", "NPS")]).name, status="Sent", sent_on=now_datetime()
		),
		[7],
	)
	names = [responded.name, low.name, pending.name, no_ratings.name]
	# surveys stored before the columns existed: zero, or wrong
	frappe.db.sql(
		"update `tabSatisfaction Survey` set rating_count = 7, satisfied_count = 5 where name in %(names)s",
		{"names": names},
	)
	backfill_survey_rating_counts.execute()
	assert [_counts(name) for name in names] == [(3, 2), (3, 0), (0, 0), (0, 0)]
	# the same figures as the controller's
	assert (responded.rating_count, responded.satisfied_count) == (3, 2)
	assert (low.rating_count, low.satisfied_count) == (3, 0)
	# and the same CSAT as the answer rows joined to their surveys
	joined = frappe.db.sql(
		"""select sum(a.score >= 4), count(*) from `tabSatisfaction Survey Answer` a
		join `tabSatisfaction Survey` s on s.name = a.parent
		where a.parenttype = 'Satisfaction Survey' and a.question_type = 'Rating' and a.score between 1 and 5
			and s.status = 'Responded' and s.name in %(names)s""",
		{"names": names},
	)[0]
	stored = frappe.db.sql(
		"""select sum(satisfied_count), sum(rating_count) from `tabSatisfaction Survey`
		where status = 'Responded' and name in %(names)s""",
		{"names": names},
	)[0]
	assert [int(v) for v in joined] == [int(v) for v in stored] == [2, 6]
