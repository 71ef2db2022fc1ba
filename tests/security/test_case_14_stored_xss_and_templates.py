"""docs/security.md case 14: answers with `<img onerror=…>`, `<script>`, `javascript:` links, `{{ 7*7 }}` →
stored harmlessly and shown escaped in desk, list, report, dashboard, e-mail and print; no template
evaluation.

Over HTTP on a real server: a respondent submits the markup; the relationship manager then reads the survey
as the desk does (form load, list view, report view), opens its print view, and the follow-up ToDo the
low score opened; the public page shows question texts escaped; the business case sign-off sheet prints
markup typed into a case escaped. Dashboards (number cards, charts) of BRM show counts and scores only,
never answer texts. The e-mails the survey sends are covered in tests/integration/test_survey_lifecycle.py
(names and subjects with markup and template code, escaped and not evaluated).
"""

import frappe
import pytest
import requests

from tests.support.factories import make_survey_template
from tests.support.security import (
	HttpUser,
	answers_for,
	committed_case,
	http_user,
	new_link,
	post,
	refresh,
	restore_threshold,
	survey_customer,
	workflow_people,
)
from tests.support.survey_mail import path_of, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

SURVEY = "Satisfaction Survey"
RM = "brm-sec-c14-rm@example.com"
# 6007*7 = 42049: a number that appears nowhere else on the pages read
MARKUP = (
	"<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }} {{ 6007*7 }} "
	'<a href="javascript:alert(3)">x</a> <svg/onload=alert(4)>'
)
# what would run if the markup reached a page unescaped (pages have scripts of their own, so the payloads)
DANGEROUS = ("<script>alert(", "onerror=alert", "onload=alert", 'href="javascript:', "42049")


def harmless(text: str) -> None:
	for dangerous in DANGEROUS:
		assert dangerous not in text, dangerous


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	return survey_customer(committed, RM)


@pytest.fixture(scope="module")
def answered(server, committed, customer):
	"""A survey answered over HTTP with markup and template code in the text answer; low score."""
	from brm_app.links import throttle

	throttle.reset()
	survey, link = new_link(committed, customer)
	response = post(server, token_of(link), answers_for(survey, [1, 1, 0, "No", MARKUP]))
	assert response.status_code == 200, response.text
	refresh()
	todo = frappe.db.get_value(SURVEY, survey, "follow_up")
	committed.add("ToDo", todo)
	return survey


@pytest.fixture(scope="module")
def manager(server, committed, customer):
	http_user(committed, RM, ("Business Relationship Manager",))
	committed.commit()
	return HttpUser(server, RM)


def test_the_answer_is_stored_harmlessly(answered):
	stored = frappe.db.get_value("Satisfaction Survey Answer", {"parent": answered, "idx": 5}, "answer")
	assert "{{ 7*7 }}" in stored and "{{ 6007*7 }}" in stored  # kept as typed, never evaluated
	harmless(stored)


def test_desk_form_list_and_report_views_get_it_harmless(answered, manager):
	form = manager.get_method("frappe.desk.form.load.getdoc", doctype=SURVEY, name=answered)
	assert form.status_code == 200, form.text
	assert "{{ 7*7 }}" in form.text
	harmless(form.text)

	listed = manager.call(
		"frappe.desk.reportview.get",
		doctype=SURVEY,
		fields=["`tabSatisfaction Survey`.`name`", "`tabSatisfaction Survey Answer`.`answer`"],
		filters=[[SURVEY, "name", "=", answered]],
	)
	assert listed.status_code == 200, listed.text
	assert "{{ 7*7 }}" in listed.text
	harmless(listed.text)

	resource = manager.resource("GET", SURVEY, answered)
	assert resource.status_code == 200
	harmless(resource.text)


def test_the_print_view_shows_it_escaped_and_unevaluated(answered, manager):
	page = manager.get_page("/printview", doctype=SURVEY, name=answered, format="Standard")
	assert page.status_code == 200, page.text[:500]
	assert "{{ 7*7 }}" in page.text or "{{ 7*7 }}".replace("{", "&#123;") in page.text
	harmless(page.text)


def test_the_follow_up_todo_and_its_timeline_entry_are_escaped(server, committed, customer):
	"""The follow-up names the customer: a customer name with markup and template code reaches the ToDo
	and frappe's "Assigned" entry on the survey's timeline escaped and unevaluated. (The relationship
	manager is told through these two: the ToDo is inserted, not assigned through frappe's assign_to, so
	frappe sends no assignment e-mail; survey_customer turns those off as well.)"""
	from frappe.utils import escape_html

	from brm_app.links import throttle

	# the survey takes the customer's name from its portfolio (brm_app.controllers.customer_linked)
	portfolio = frappe.db.get_value("Customer Portfolio", {"customer": customer})
	real_name = frappe.db.get_value("Customer Portfolio", portfolio, "customer_name")
	frappe.db.set_value(
		"Customer Portfolio", portfolio, "customer_name", MARKUP
	)  # as an import could store it
	committed.commit()
	try:
		throttle.reset()
		survey, link = new_link(committed, customer)
		# frappe sanitises the markup as the survey stores the name; the template code stays as typed
		name = frappe.db.get_value(SURVEY, survey, "customer_name")
		assert "{{ 6007*7 }}" in name and "onerror" not in name
		response = post(server, token_of(link), answers_for(survey, [1, 1, 0, "No", "low"]))
		assert response.status_code == 200, response.text
		refresh()
	finally:
		frappe.db.set_value("Customer Portfolio", portfolio, "customer_name", real_name)
		committed.commit()
	todo = frappe.db.get_value(SURVEY, survey, "follow_up")
	assert todo
	committed.add("ToDo", todo)
	description = frappe.db.get_value("ToDo", todo, "description")
	assert escape_html(name) in description  # the name is there, escaped once more
	harmless(description)
	timeline = frappe.get_all(
		"Comment",
		filters={"reference_doctype": SURVEY, "reference_name": survey, "comment_type": "Assigned"},
		pluck="content",
	)
	assert len(timeline) == 1, timeline
	assert "6007*7" in timeline[0]
	harmless(timeline[0])


def test_question_texts_are_escaped_and_never_evaluated_on_the_page(server, committed, customer):
	template = make_survey_template(
		questions=[("Rate us <img src=x onerror=alert(1)> {{ 6007*7 }}", "Rating")], trigger="Manual"
	)
	committed.add("Satisfaction Survey Template", template.name)
	_survey, link = new_link(committed, customer, template=template.name)
	page = requests.get(server.url + path_of(link), timeout=30).text
	assert "<img src=x onerror" not in page
	assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;img src=&#34;x&#34;&gt;" in page
	assert "{{ 6007*7 }}" in page and "42049" not in page


@pytest.fixture(scope="module")
def people(committed, server):
	people = workflow_people(committed, "c14")
	yield people
	restore_threshold(people)


def test_the_business_case_sign_off_sheet_prints_markup_escaped(server, committed, people):
	case = committed_case(
		committed,
		people,
		title="Case {{ 6007*7 }} <img src=x onerror=alert(1)>",
		objectives=MARKUP,
		risks="<script>alert(5)</script> {{ 6007*7 }}",
	)
	page = HttpUser(server, people.rm).get_page(
		"/printview", doctype="Business Case", name=case.name, format="Business Case Sign-off"
	)
	assert page.status_code == 200, page.text[:500]
	assert "Case {{ 6007*7 }}" in page.text or "Case &#123;&#123; 6007*7 &#125;&#125;" in page.text
	harmless(page.text)
