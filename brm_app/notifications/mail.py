"""E-mails of the survey lifecycle and agreement renewals, built from Email Template records.

The templates are created on install/migrate (``ensure_email_templates``) and left alone afterwards, so an
administrator may reword them. Their subject and body are Jinja with ``_()`` around the text, rendered in
the recipient's language. Every value put into the context is escaped first: survey and customer data
never reach the template engine as markup or as template code (docs/security.md case 14).
"""

from contextlib import contextmanager

import frappe
from frappe.utils import add_days, escape_html, format_date, get_url, get_url_to_form, getdate

from brm_app.exceptions import SurveyMailError
from brm_app.services import renewal as renewal_rules
from brm_app.services.agreement_status import notice_deadline

SURVEY = "Satisfaction Survey"
SURVEY_INVITATION = "BRM Survey Invitation"
SURVEY_REMINDER = "BRM Survey Reminder"
AGREEMENT_RENEWAL_REMINDER = "BRM Agreement Renewal Reminder"
AGREEMENT_TACIT_RENEWAL_REMINDER = "BRM Agreement Tacit Renewal Reminder"
SERVICE_CHANGE_NOTICE = "BRM Service Change Notice"
SIGN_OFF_REQUEST = "BRM Customer Sign-off Request"
SIGN_OFF_REMINDER = "BRM Customer Sign-off Reminder"
SURVEY_ROUTE = "/survey"

_SURVEY_BODY_END = """<p style="margin: 24px 0;">
	<a href="{{ survey_link }}" style="background: #2490ef; color: #ffffff; padding: 10px 18px; border-radius: 6px; text-decoration: none;">{{ _("Answer the survey") }}</a>
</p>
<p>{{ _("If the button does not work, copy this address into your browser:") }}<br>{{ survey_link }}</p>
<p>{{ _("The link can be used once and works until {0}.").format(expires_on) }}</p>
<p>{{ _("Thank you,") }}<br>{{ sender_name }}</p>"""

_SIGN_OFF_BODY_END = """<p style="margin: 24px 0;">
	<a href="{{ sign_off_link }}" style="background: #2490ef; color: #ffffff; padding: 10px 18px; border-radius: 6px; text-decoration: none;">{{ _("Review and decide") }}</a>
</p>
<p>{{ _("If the button does not work, copy this address into your browser:") }}<br>{{ sign_off_link }}</p>
<p>{{ _("The link is for you alone, can be used once and works until {0}.").format(expires_on) }}</p>
<p>{{ _("Thank you,") }}<br>{{ sender_name }}</p>"""

TEMPLATES = {
	SURVEY_INVITATION: {
		"subject": '{{ _("How did we do? A one-minute survey from {0}").format(sender_name) }}',
		"response_html": """<p>{{ _("Dear {0},").format(contact_name) }}</p>
<p>{{ intro }}</p>
{% if reference_label %}<p>{{ _("About: {0}").format(reference_label) }}</p>{% endif %}
{{ rating_buttons }}
"""
		+ _SURVEY_BODY_END,
	},
	SURVEY_REMINDER: {
		"subject": '{{ _("Reminder: how did we do? A one-minute survey from {0}").format(sender_name) }}',
		"response_html": """<p>{{ _("Dear {0},").format(contact_name) }}</p>
<p>{{ _("A few days ago we asked for your feedback. If you have a minute, we would still like to hear from you.") }}</p>
{% if reference_label %}<p>{{ _("About: {0}").format(reference_label) }}</p>{% endif %}
"""
		+ _SURVEY_BODY_END,
	},
	SIGN_OFF_REQUEST: {
		"subject": '{{ _("Please {0}: {1}").format(purpose, case_title) }}',
		"response_html": """<p>{{ _("Dear {0},").format(contact_name) }}</p>
<p>{{ _("{0} asks you to {1} of business case {2} ({3}): accept or reject each requirement.").format(sender_name, purpose, case_title, case_name) }}</p>
"""
		+ _SIGN_OFF_BODY_END,
	},
	SIGN_OFF_REMINDER: {
		"subject": '{{ _("Reminder: please {0}: {1}").format(purpose, case_title) }}',
		"response_html": """<p>{{ _("Dear {0},").format(contact_name) }}</p>
<p>{{ _("We are still waiting for your decision on business case {0} ({1}).").format(case_title, case_name) }}</p>
"""
		+ _SIGN_OFF_BODY_END,
	},
	AGREEMENT_RENEWAL_REMINDER: {
		"subject": '{{ _("Agreement {0} with {1} ends on {2}").format(agreement_name, customer_name, end_date) }}',
		"response_html": """<p>{{ _("Customer agreement {0} ({1}) with {2} ends on {3}.").format(agreement_name, agreement_title, customer_name, end_date) }}</p>
<p>{{ _("Renewal: {0}. Notice period: {1} days, so a decision is needed by {2}.").format(renewal, notice_period_days, notice_deadline) }}</p>
<p><a href="{{ agreement_link }}">{{ _("Open the agreement") }}</a></p>""",
	},
	# docs/renewals-and-change-impact.md
	AGREEMENT_TACIT_RENEWAL_REMINDER: {
		"subject": '{{ _("Agreement {0} with {1} renews itself on {2}").format(agreement_name, customer_name, extends_on) }}',
		"response_html": """<p>{{ _("Customer agreement {0} ({1}) with {2} ends on {3} and renews tacitly: unless it is terminated by {4}, it extends itself until {5}.").format(agreement_name, agreement_title, customer_name, end_date, notice_deadline, extended_end_date) }}</p>
<p>{{ _("If the customer or you want to end it, terminate it by {0}; after that day it can be terminated only in its next term.").format(notice_deadline) }}</p>
<p><a href="{{ agreement_link }}">{{ _("Open the agreement") }}</a></p>""",
	},
	SERVICE_CHANGE_NOTICE: {
		"subject": '{{ _("{0} affects your customers: {1}").format(opportunity_type, services) }}',
		"response_html": """<p>{{ _("Service opportunity {0} ({1}, {2}) changes or retires {3}.").format(opportunity_name, opportunity_title, opportunity_type, services) }}</p>
<p>{{ _("Your customers who use these services or have them in an agreement: {0}.").format(customers) }}</p>
<p>{{ _("Please inform them; the Customers Affected button on the IT Service lists their agreements and stakeholders.") }}</p>
<p><a href="{{ service_link }}">{{ _("Open the service") }}</a></p>""",
	},
}


def ensure_email_templates() -> list[str]:
	"""Create the Email Templates that do not exist yet; returns the names created. Never overwrites."""
	created = []
	for name, parts in TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": parts["subject"],
				"use_html": 1,
				"response_html": parts["response_html"],
			}
		).insert(ignore_permissions=True)
		created.append(name)
	return created


@contextmanager
def language(lang: str | None):
	"""Translate with `lang` inside the block (frappe's _() reads frappe.local.lang)."""
	previous = getattr(frappe.local, "lang", None)
	if lang:
		frappe.local.lang = lang
	try:
		yield
	finally:
		frappe.local.lang = previous


def render(template_name: str, context: dict, lang: str | None = None) -> tuple[str, str]:
	"""(subject, html body) of an Email Template (or its built-in default when it was deleted)."""
	if frappe.db.exists("Email Template", template_name):
		doc = frappe.get_cached_doc("Email Template", template_name)
		subject, body = doc.subject, doc.response_
	else:
		subject, body = TEMPLATES[template_name]["subject"], TEMPLATES[template_name]["response_html"]
	with language(lang):
		return (
			frappe.render_template(subject, context).strip(),
			frappe.render_template(body, context),
		)


def survey_link(token: str) -> str:
	return get_url(f"{SURVEY_ROUTE}?token={token}")


_RATING_BUTTON = (
	'<a href="{href}" style="display: inline-block; min-width: 36px; margin: 0 4px 4px 0; padding: 8px 0;'
	" border: 1px solid #2490ef; border-radius: 6px; color: #2490ef; text-align: center;"
	' text-decoration: none; font-weight: 600;">{value}</a>'
)


def rating_buttons(survey, token: str) -> str:
	"""The survey's first Rating question with one button per rating value (docs/rhythm-surveys.md). Each
	button opens the survey page with that answer chosen (?choice=N); the page records nothing until the
	respondent confirms (a POST), so a mail scanner that follows the links answers nothing. Empty when the
	survey has no Rating question. Every value is escaped here."""
	from brm_app.services.survey_scoring import RATING_MAX, RATING_MIN
	from brm_app.surveys.drafts import first_rating_row

	row = first_rating_row(survey)
	if row is None:
		return ""
	link = survey_link(token)
	with language(survey.respondent_language):
		question = escape_html(frappe._(row.question))
		low, high = escape_html(frappe._("Very dissatisfied")), escape_html(frappe._("Very satisfied"))
		hint = escape_html(frappe._("Click your answer; you confirm it on the next page."))
	buttons = "".join(
		_RATING_BUTTON.format(href=escape_html(f"{link}&choice={value}"), value=value)
		for value in range(RATING_MIN, RATING_MAX + 1)
	)
	return (
		f'<p style="margin: 16px 0 8px; font-weight: 600;">{question}</p>'
		f'<p style="margin: 0;">{buttons}</p>'
		f'<p style="margin: 4px 0 16px; font-size: 12px; color: #6c7680;">{low} … {high}. {hint}</p>'
	)


def sender_name() -> str:
	return (
		frappe.defaults.get_global_default("company")
		or frappe.db.get_single_value("Website Settings", "app_name")
		or "ERPNext"
	)


def survey_context(survey, token: str) -> dict:
	"""Escaped values for the invitation and reminder templates."""
	contact_name = None
	if survey.contact:
		contact_name = frappe.db.get_value("Contact", survey.contact, "full_name") or frappe.db.get_value(
			"Contact", survey.contact, "first_name"
		)
	intro = None
	if survey.template:
		intro = frappe.db.get_value("Satisfaction Survey Template", survey.template, "intro")
	with language(survey.respondent_language):
		intro_text = frappe._(intro) if intro else frappe._("Please tell us how we did; it takes a minute.")
		fallback_name = frappe._("customer")
		reference = reference_label(survey.reference_doctype, survey.reference_name)
	return {
		"survey_link": survey_link(token),
		"contact_name": escape_html(contact_name or fallback_name),
		"customer_name": escape_html(survey.customer_name or survey.customer or ""),
		"intro": escape_html(intro_text),
		"reference_label": escape_html(reference) if reference else "",
		"expires_on": format_date(survey.expires_on) if survey.expires_on else "",
		"sender_name": escape_html(sender_name()),
		# HTML built from escaped parts (rating_buttons)
		"rating_buttons": rating_buttons(survey, token),
	}


def reference_label(doctype: str | None, name: str | None) -> str | None:
	"""'<Doctype> <name>: <subject>' for the ticket or project a survey is about."""
	if not (doctype and name) or not frappe.db.exists("DocType", doctype):
		return None
	title_field = {"Issue": "subject", "HD Ticket": "subject", "Project": "project_name"}.get(doctype)
	title = frappe.db.get_value(doctype, name, title_field) if title_field else None
	label = f"{frappe._(doctype)} {name}"
	return f"{label}: {title}" if title else label


def send_survey_mail(survey, template_name: str, token: str) -> str:
	"""Queue the invitation or reminder for `survey` with link `token`; returns the Email Queue name."""
	if not survey.email:
		frappe.throw(frappe._("Survey {0} has no e-mail address.").format(survey.name), exc=SurveyMailError)
	subject, message = render(template_name, survey_context(survey, token), survey.respondent_language)
	queue = frappe.sendmail(
		recipients=[survey.email],
		subject=subject,
		message=message,
		reference_doctype=SURVEY,
		reference_name=survey.name,
		add_unsubscribe_link=0,
		delayed=True,
	)
	if not queue:
		frappe.throw(
			frappe._("The e-mail to {0} was not queued.").format(escape_html(survey.email)),
			exc=SurveyMailError,
		)
	return queue.name


def agreement_context(agreement) -> dict:
	notice = int(agreement.notice_period_days or 0)
	return {
		"agreement_name": escape_html(agreement.name),
		"agreement_title": escape_html(agreement.agreement_title or ""),
		"customer_name": escape_html(agreement.customer_name or agreement.customer or ""),
		"end_date": format_date(agreement.end_date),
		"renewal": escape_html(frappe._(agreement.renewal or "")),
		"notice_period_days": notice,
		"notice_deadline": format_date(notice_deadline(getdate(agreement.end_date), notice)),
		"agreement_link": get_url_to_form("Customer Agreement", agreement.name),
	}


def send_renewal_reminder(agreement, recipients: list[str]) -> str:
	lang = frappe.db.get_value("User", recipients[0], "language") if recipients else None
	template = AGREEMENT_RENEWAL_REMINDER
	context = agreement_context(agreement)
	if agreement.renewal == renewal_rules.TACIT:
		template = AGREEMENT_TACIT_RENEWAL_REMINDER
		end_date = getdate(agreement.end_date)
		context["extends_on"] = format_date(add_days(end_date, 1))
		context["extended_end_date"] = format_date(
			renewal_rules.extended_end(end_date, agreement.renewal_term_months)
		)
	subject, message = render(template, context, lang)
	queue = frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=message,
		reference_doctype="Customer Agreement",
		reference_name=agreement.name,
		add_unsubscribe_link=0,
		delayed=True,
	)
	if not queue:
		frappe.throw(frappe._("The renewal reminder was not queued."), exc=SurveyMailError)
	return queue.name


def send_service_change_notice(recipient: str, context: dict, reference: tuple[str, str]) -> str:
	"""Tell a relationship manager that a service change or retirement affects their customers
	(docs/renewals-and-change-impact.md); `context` holds escaped values; returns the Email Queue name."""
	lang = frappe.db.get_value("User", recipient, "language")
	subject, message = render(SERVICE_CHANGE_NOTICE, context, lang)
	queue = frappe.sendmail(
		recipients=[recipient],
		subject=subject,
		message=message,
		reference_doctype=reference[0],
		reference_name=reference[1],
		add_unsubscribe_link=0,
		delayed=True,
	)
	if not queue:
		frappe.throw(
			frappe._("The e-mail to {0} was not queued.").format(escape_html(recipient)), exc=SurveyMailError
		)
	return queue.name
