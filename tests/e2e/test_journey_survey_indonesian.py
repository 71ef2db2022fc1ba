"""Journey 2, in a real headless Chromium on a phone-sized window: a respondent answers a survey in
Indonesian from the link in their e-mail.

The relationship manager sends the relationship survey to the portfolio's stakeholders ("Send Survey Now",
brm_app.api.portfolio.send_survey_now, called here as the relationship manager). The stakeholder's
language is Indonesian (the language of the contact's user), so the survey is in Indonesian. The respondent
opens the e-mailed link in a browser set to English: the page follows the survey's language, not the
browser's. They are told in Indonesian what is missing, answer, submit and get the Indonesian thank-you
page; the database has their answers and the computed CSAT / NPS; the link does not work a second time.
Screenshots go to artifacts/e2e/survey_indonesian/.
"""

import frappe
import pytest
from selenium.webdriver.common.by import By

from brm_app.api.portfolio import send_survey_now
from brm_app.links import throttle
from tests.support.browser import PHONE, tap_answer
from tests.support.factories import make_contact, make_customer, make_email_account, mute_mail, uid
from tests.support.survey_mail import path_of, queued_mails, survey_links
from tests.support.users import as_user, make_user

SURVEY = "Satisfaction Survey"
INDONESIAN = "id"


@pytest.fixture(scope="module")
def sent_survey(site, committed):
	"""A relationship survey e-mailed to a stakeholder whose language is Indonesian (committed):
	(survey name, e-mailed link)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	mute_mail(account=False)  # e-mails are queued, never sent
	committed.add("Email Account", make_email_account().name)
	rm = committed.add(
		"User", make_user(f"{uid('e2e-survey-rm-')}@example.com", ("Business Relationship Manager",))
	)
	customer = make_customer(uid("CV Sinar Jaya "), account_manager=rm)
	committed.add("Customer", customer.name)
	# ERPNext gives the new customer the site's language (English) as its print language: the contact's
	# own language must still win (brm_app.surveys.scheduling.chosen_language)
	assert customer.language != INDONESIAN
	# the respondent: a contact of the customer with a portal user whose language is Indonesian
	respondent = f"{uid('sari-')}@example.com"
	committed.add("User", respondent)
	frappe.get_doc(
		{
			"doctype": "User",
			"email": respondent,
			"first_name": "Sari",
			"last_name": "Wulandari",
			"user_type": "Website User",
			"language": INDONESIAN,
			"send_welcome_email": 0,
		}
	).insert(ignore_permissions=True)
	contact = make_contact(customer.name, email=respondent, first_name="Sari", last_name="Wulandari")
	contact.db_set("user", respondent)
	committed.add("Contact", contact.name)
	portfolio = frappe.get_doc("Customer Portfolio", customer.name)  # made with the customer (BRM Settings)
	assert portfolio.relationship_manager == rm
	portfolio.append(
		"stakeholders", {"contact": contact.name, "stakeholder_role": "Key User", "receives_surveys": 1}
	)
	portfolio.save(ignore_permissions=True)
	committed.add("Customer Portfolio", portfolio.name)

	with as_user(rm):
		result = send_survey_now(portfolio.name)
	(survey,) = result["sent"]
	committed.add(SURVEY, survey)
	committed.add_related(SURVEY, survey)
	committed.add_related("Customer Portfolio", portfolio.name)
	committed.commit()
	throttle.reset()  # the page's rate limit starts fresh
	(mail,) = queued_mails(survey)
	assert mail.recipients == [respondent]
	(link,) = survey_links(survey)
	yield frappe._dict(name=survey, link=link, subject=mail.subject)
	frappe.db.rollback()


def test_respondent_answers_in_indonesian_on_a_phone(open_browser, sent_survey):
	survey = frappe.get_doc(SURVEY, sent_survey.name)
	assert survey.respondent_language == INDONESIAN
	# the browser itself is English: the page's language comes from the survey
	phone = open_browser("survey_indonesian", size=PHONE, lang="en-US", desk=False)

	# 1. the respondent opens the link from the e-mail
	phone.get(path_of(sent_survey.link))
	form = phone.visible("#brm-survey-form")
	assert phone.js("return document.querySelector('.brm-survey').getAttribute('lang')") == INDONESIAN
	page = phone.driver.find_element(By.TAG_NAME, "body").text
	assert "Survei Kepuasan" in page  # "Satisfaction Survey"
	assert "Beri tahu kami bagaimana layanan kami dan hubungan kami dengan Anda berjalan." in page
	questions = form.find_elements(By.CSS_SELECTOR, "fieldset.brm-question")
	assert len(questions) == 6
	assert "Seberapa baik layanan kami mendukung tujuan bisnis Anda?" in questions[0].text
	assert "Seberapa besar kemungkinan Anda merekomendasikan layanan TI kami" in questions[3].text
	assert "Sangat tidak puas" in questions[0].text  # the ends of the rating scale
	submit = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
	assert submit.text.strip() == "Kirim"  # "Submit"
	phone.shot("survey_opened")

	# 2. submitting with nothing answered: told in Indonesian which questions need an answer
	phone.click(submit)
	phone.until(lambda d: "is-invalid" in questions[0].get_attribute("class"))
	assert questions[0].find_element(By.CSS_SELECTOR, ".brm-error").text == "Mohon jawab pertanyaan ini."
	assert "is-invalid" not in questions[5].get_attribute("class")  # the text question is optional
	phone.shot("missing_answers")

	# 3. answers: ratings 5, 4, 2; would recommend 9; kept informed: Ya; and a comment
	tap_answer(questions[0], "5")
	tap_answer(questions[1], "4")
	tap_answer(questions[2], "2")
	tap_answer(questions[3], "9")
	tap_answer(questions[4], "Yes")
	assert (
		questions[4]
		.find_element(By.CSS_SELECTOR, "input[value=Yes]")
		.find_element(By.XPATH, "..")
		.text.strip()
		== "Ya"
	)
	questions[5].find_element(By.TAG_NAME, "textarea").send_keys("Laporan bulanan lebih awal, tolong.")
	phone.shot("answered")

	# 4. submit: the Indonesian thank-you page
	phone.click(submit)
	thanks = phone.visible("#brm-survey-thanks")
	assert "Terima kasih" in thanks.text  # "Thank you!"
	assert "Terima kasih atas masukan Anda." in thanks.text  # the template's thank-you message
	assert not form.is_displayed()
	phone.shot("thank_you")

	# the database has the answers and the computed scores
	frappe.db.rollback()  # see what the server committed
	stored = frappe.get_doc(SURVEY, sent_survey.name)
	assert stored.status == "Responded" and stored.responded_on
	assert [row.answer for row in stored.answers] == [
		"5",
		"4",
		"2",
		"9",
		"Yes",
		"Laporan bulanan lebih awal, tolong.",
	]
	assert round(stored.csat_percent, 2) == 66.67  # two of three ratings are 4 or 5
	assert (stored.nps_score, stored.nps_category) == (9, "Promoter")

	# 5. the link cannot be used twice: opening it again says so. A used link no longer leads to its survey
	# (the same page as for any unknown link), so this page follows the browser's language, English here
	phone.get(path_of(sent_survey.link))
	closed = phone.visible("#brm-survey-closed")
	assert "This survey link has expired or has already been used." in closed.text
	phone.shot("link_used")
	frappe.db.rollback()
	assert frappe.db.get_value(SURVEY, sent_survey.name, "status") == "Responded"
