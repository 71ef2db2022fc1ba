"""docs/security.md case 15: NPS -1, 11, 7.5, "abc", null; rating outside 1-5 → clear validation error.

Over HTTP on a real server: each bad value sent through the public survey endpoint is refused with a
message that names the question, nothing is stored and the link keeps working; the same values saved
through the desk's REST API by the relationship manager are refused too."""

import frappe
import pytest

from tests.support.security import (
	GOOD,
	SURVEY,
	HttpUser,
	answers_for,
	exc_type,
	http_user,
	new_link,
	post,
	refresh,
	server_message,
	survey_customer_fixture,
)
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test

RM = "brm-sec-c15-rm@example.com"
RATING, NPS, YES_NO = 0, 2, 3  # positions in the default template's questions
BAD = [
	(NPS, -1),
	(NPS, 11),
	(NPS, 7.5),
	(NPS, "7.5"),
	(NPS, "abc"),
	(NPS, None),
	(NPS, True),
	(NPS, [5]),
	(NPS, {"score": 5}),
	(NPS, "1e1"),
	(RATING, 0),
	(RATING, 6),
	(RATING, -3),
	(RATING, 4.5),
	(RATING, "five"),
	(RATING, None),
	(YES_NO, "maybe"),
]


customer = survey_customer_fixture(RM)


def test_bad_scores_through_the_public_endpoint_are_refused_clearly(server, committed, customer):
	survey, link = new_link(committed, customer)
	questions = frappe.get_all(
		"Satisfaction Survey Answer", filters={"parent": survey}, pluck="question", order_by="idx asc"
	)
	refused = {}
	for index, value in BAD:
		values = list(GOOD)
		values[index] = value
		response = post(server, token_of(link), answers_for(survey, values))
		refused[(index, repr(value))] = (response.status_code, exc_type(response))
		assert questions[index] in server_message(response), (value, server_message(response))
	assert set(refused.values()) == {(417, "SurveyAnswerValidationError")}, refused

	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "responded_on"]) == ("Sent", None)
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "nps_score"]) == ("Responded", 10)


@pytest.mark.parametrize(("index", "value"), [(NPS, 11), (NPS, "abc"), (RATING, 6)])
def test_bad_scores_saved_through_the_desk_are_refused(server, committed, customer, index, value):
	survey, _link = new_link(committed, customer)
	http_user(committed, RM, ("Business Relationship Manager",))
	committed.commit()
	rows = frappe.get_doc(SURVEY, survey).as_dict(convert_dates_to_str=True)["answers"]
	rows[index]["answer"] = value
	response = HttpUser(server, RM).resource("PUT", SURVEY, survey, json={"answers": rows})
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SurveyAnswerValidationError"
	refresh()
	assert frappe.db.get_value("Satisfaction Survey Answer", rows[index]["name"], "answer") is None
