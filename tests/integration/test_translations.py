"""Indonesian translation (issue 8): every user-facing string of the app has an Indonesian entry, and the
public survey page speaks the respondent's language.

The strings are collected by scripts/extract_strings.py (doctype labels and options, workflow states and
actions, reports, workspace, onboarding, print formats, Python _(), JavaScript __(), Jinja _() and the
e-mail templates): a new string without an entry in brm_app/translations/id.csv fails here, with the list
of what is missing (`scripts/dev python scripts/extract_strings.py --missing id` prints it too)."""

import csv
import importlib.util
import re
from pathlib import Path

import frappe
import pytest
import requests

from brm_app.jobs import surveys as jobs
from tests.support.factories import make_contact, make_email_account, make_portfolio, make_survey, mute_mail
from tests.support.live_server import committed_fixture, server_fixture  # fixtures
from tests.support.survey_mail import path_of, survey_links

REPO = Path(__file__).resolve().parents[2]
ID_CSV = REPO / "brm_app" / "translations" / "id.csv"
SURVEY = "Satisfaction Survey"
PLACEHOLDER = re.compile(r"\{\d*\}")


def extractor():
	spec = importlib.util.spec_from_file_location("extract_strings", REPO / "scripts" / "extract_strings.py")
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module


def id_rows() -> list[list[str]]:
	with ID_CSV.open(encoding="utf-8", newline="") as handle:
		return [row for row in csv.reader(handle) if row]


def test_every_user_facing_string_has_an_indonesian_translation(site):
	missing = extractor().missing("id")
	assert missing == [], f"{len(missing)} strings lack an Indonesian entry in {ID_CSV.name}: {missing[:40]}"


def test_the_extraction_finds_every_kind_of_string(site):
	strings = set(extractor().collect())
	assert {
		"Customer Portfolio",  # doctype
		"Relationship Manager",  # field label
		"Decision Maker",  # select option
		"Pending Final Approval",  # workflow state
		"Send Back",  # workflow action
		"Create Business Case",  # JS __()
		"Relationship survey sent to {0} stakeholder(s): {1}",  # Python _()
		"Covered Services",  # Jinja _() in a print format
		"Answer the survey",  # Jinja _() inside an e-mail template kept in Python
		"Let's set up Business Relationship Management.",  # module onboarding
	} <= strings


def test_the_indonesian_file_is_well_formed(site):
	rows = id_rows()
	sources = [row[0] for row in rows]
	assert len(sources) == len(set(sources)), "a source string is listed twice"
	for row in rows:
		assert len(row) >= 2 and row[1].strip(), row
		# every placeholder of the English text is kept in the Indonesian one
		assert sorted(PLACEHOLDER.findall(row[0])) == sorted(PLACEHOLDER.findall(row[1])), row


def test_desk_labels_translate_through_frappe(site):
	from frappe.translate import clear_cache

	clear_cache()
	frappe.local.lang = "id"
	try:
		assert frappe._("Customer Portfolio") == "Portofolio Pelanggan"
		assert frappe._("Business Case") == "Kasus Bisnis"
		assert frappe._("Send Survey Now") == "Kirim Survei Sekarang"
		assert (
			frappe._("Customer Portfolio {0} not found.").format("X")
			== "Portofolio Pelanggan X tidak ditemukan."
		)
	finally:
		frappe.local.lang = "en"


def test_the_survey_email_speaks_the_respondents_language(site):
	from brm_app.notifications.mail import SURVEY_INVITATION, render

	context = {
		"survey_link": "https://example.com/survey?token=x",
		"contact_name": "Budi",
		"customer_name": "PT Contoh",
		"intro": "",
		"reference_label": "",
		"expires_on": "01-01-2027",
		"sender_name": "BRM Demo Services",
	}
	subject, body = render(SURVEY_INVITATION, context, "id")
	assert subject == "Bagaimana layanan kami? Survei satu menit dari BRM Demo Services"
	assert "Isi survei" in body and "Answer the survey" not in body


# --- the public survey page ---------------------------------------------------------------------------
# The page is served by another process, which sees committed data only: this part commits what it makes
# and deletes it again at the end (tests.support.live_server.Committed).


@pytest.fixture(scope="module")
def customer(site, committed):
	"""A committed customer with a portfolio and an outgoing e-mail account."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	committed.add("Email Account", make_email_account().name)
	portfolio = make_portfolio()
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	committed.commit()
	return portfolio.customer


def new_link(committed, customer, language=None):
	"""A survey of `customer` in `language` (None: none set), sent by the send job and committed;
	returns (survey name, link)."""
	mute_mail(account=False)  # queued with the committed account, never sent
	contact = committed.add("Contact", make_contact(customer).name)
	survey = make_survey(customer, contact=contact, email=frappe.db.get_value("Contact", contact, "email_id"))
	committed.add("Satisfaction Survey Template", survey.template)
	committed.add(SURVEY, survey.name)
	frappe.db.set_value(
		SURVEY,
		survey.name,
		{
			"status": "Scheduled",
			"scheduled_for": frappe.utils.now_datetime(),
			"respondent_language": language,
		},
	)
	jobs.send_due_surveys()
	committed.add_related(SURVEY, survey.name)
	committed.commit()
	(link,) = survey_links(survey.name)
	return survey.name, link


def page(server, link, **headers):
	return requests.get(server.url + path_of(link), headers=headers, timeout=30)


INDONESIAN = "Survei Kepuasan"
ENGLISH = "Satisfaction Survey"


def test_the_page_follows_the_surveys_respondent_language(server, committed, customer):
	_survey, link = new_link(committed, customer, language="id")
	text = page(server, link, **{"Accept-Language": "en"}).text
	assert INDONESIAN in text and ">Kirim<" in text and 'lang="id"' in text


def test_without_a_respondent_language_the_page_follows_the_browser(server, committed, customer):
	_survey, link = new_link(committed, customer)
	assert INDONESIAN in page(server, link, **{"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}).text
	english = page(server, link, **{"Accept-Language": "en-US,en;q=0.9"}).text
	assert ENGLISH in english and INDONESIAN not in english


def test_the_customers_language_is_used_when_the_survey_has_none(server, committed, customer):
	_survey, link = new_link(committed, customer)
	old = frappe.db.get_value("Customer", customer, "language")
	frappe.db.set_value("Customer", customer, "language", "id")
	committed.commit()
	try:
		assert INDONESIAN in page(server, link, **{"Accept-Language": "en"}).text
	finally:
		frappe.db.set_value("Customer", customer, "language", old)
		committed.commit()


def test_a_language_picked_on_the_page_wins(server, committed, customer):
	_survey, link = new_link(committed, customer, language="id")
	text = requests.get(server.url + path_of(link) + "&_lang=en", timeout=30).text
	assert ENGLISH in text and INDONESIAN not in text


@pytest.fixture(autouse=True)
def english_afterwards():
	yield
	frappe.local.lang = "en"
