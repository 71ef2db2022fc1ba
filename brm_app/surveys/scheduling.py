"""Schedule satisfaction surveys when a ticket is closed or a project delivered (docs/design.md S3 f, K6).

A survey is only *scheduled* here (status Scheduled, ``scheduled_for`` = now + the BRM Settings delay);
the send job e-mails it later. The rules, in the order they are checked:

- one survey per ticket (and, for a project, per project and stakeholder): closing, reopening and closing
  again never makes a second one;
- sampling: a ticket gets a survey with probability ``survey_sampling_percent`` (drawn from the module's
  ``_rng``, which tests seed or replace);
- the ticket needs a customer with a Customer Portfolio and a contact e-mail;
- per-contact throttle: no survey to an e-mail address (or contact) that got one in the last
  ``contact_throttle_days`` days;
- an enabled template for the trigger, preferably in the respondent's language.

Every skip but the first is recorded as an "Info" comment on the ticket or project, so staff see why no
survey went out. Nothing here raises into the ticket's save: the hooks call it inside a savepoint and log
unexpected errors (brm_app.integrations.tickets).
"""

import random

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import add_to_date, cint, escape_html, flt, now_datetime, validate_email_address

from brm_app.controllers.customer_linked import is_contact_of_customer
from brm_app.settings import get_settings

SURVEY = "Satisfaction Survey"
TICKET_CLOSED = "Ticket Closed"
PROJECT_DELIVERED = "Project Delivered"
# the relationship survey (Send Survey Now, and the cadence job brm_app.jobs.surveys)
RELATIONSHIP_REVIEW = "Periodic Relationship Review"

# Seed it (``_rng.seed(1)``) or replace it in tests: the sampling is then reproducible.
_rng = random.Random()


class Skip(Exception):
	"""A survey is not scheduled, for the reason given (already translated)."""


def sampled(percent: object) -> bool:
	"""Whether this ticket is in the sample: always at 100 %, never at 0 %, else a draw from _rng."""
	percent = flt(percent)
	if percent >= 100:
		return True
	if percent <= 0:
		return False
	return _rng.random() * 100 < percent


def schedule_ticket_survey(
	ticket,
	customer: str | None,
	contact: str | None,
	email: str | None,
	no_customer_reason: str | None = None,
) -> str | None:
	"""Schedule the "Ticket Closed" survey of a closed Issue / HD Ticket; returns its name, or None.

	`customer` is the ERPNext Customer (already mapped from an HD Customer), `contact` and `email` the
	ticket's contact and address as the ticket gives them; `no_customer_reason` says why there is no
	customer when the caller knows better than "the ticket has no customer".
	"""
	if has_survey(ticket.doctype, ticket.name):
		return None
	try:
		settings = get_settings()
		if not sampled(settings.survey_sampling_percent):
			raise Skip(
				_("this ticket was not picked in the {0}% sample").format(
					flt(settings.survey_sampling_percent)
				)
			)
		if not customer and no_customer_reason:
			raise Skip(no_customer_reason)
		require_portfolio(customer)
		contact, email = require_email(customer, contact, email)
		check_throttle(contact, email, cint(settings.contact_throttle_days))
		return schedule_survey(TICKET_CLOSED, ticket, customer, contact, email)
	except Skip as reason:
		note_skip(ticket, str(reason))
		return None


def schedule_project_surveys(project) -> list[str]:
	"""Schedule "Project Delivered" surveys for a completed Project's business-case stakeholders.

	Recipients: the portfolio stakeholders who receive surveys and decide or sponsor (decision makers,
	sponsors, budget holders) plus the business case's budget holder; when there are none of those, every
	stakeholder who receives surveys. One survey per project and recipient. No sampling and no throttle: a
	delivered project is asked about once, by design.
	"""
	opportunity = project_opportunity(project)
	try:
		if not opportunity:
			raise Skip(_("no Service Opportunity is linked to this project"))
		customer = opportunity.customer
		recipients = project_recipients(require_portfolio(customer), opportunity)
		if not recipients:
			raise Skip(_("the customer's portfolio has no stakeholder who receives surveys"))
	except Skip as reason:
		if not has_survey(project.doctype, project.name):
			note_skip(project, str(reason))
		return []
	created = []
	for contact, email in recipients:
		if has_survey(project.doctype, project.name, email=email):
			continue
		try:
			created.append(schedule_survey(PROJECT_DELIVERED, project, customer, contact, email))
		except Skip as reason:
			note_skip(project, str(reason))
			break
	return created


# --- steps -----------------------------------------------------------------------------------------


def has_survey(reference_doctype: str, reference_name: str, email: str | None = None) -> bool:
	"""Whether a survey (in any status) was made for this ticket / project (and this e-mail)."""
	filters = {"reference_doctype": reference_doctype, "reference_name": str(reference_name)}
	if email:
		filters["email"] = email
	return bool(frappe.db.exists(SURVEY, filters))


def require_portfolio(customer: str | None) -> str:
	if not customer:
		raise Skip(_("the ticket has no customer"))
	portfolio = frappe.db.get_value("Customer Portfolio", {"customer": customer}, "name")
	if not portfolio:
		raise Skip(_("customer {0} has no Customer Portfolio").format(escape_html(customer)))
	return portfolio


def require_email(customer: str, contact: str | None, email: str | None) -> tuple[str | None, str]:
	"""(contact, e-mail) to survey: the contact's e-mail first, else the ticket's sender address.

	A contact that is not the customer's is dropped (the survey only keeps contacts of its customer); an
	address that belongs to a desk user (an agent who raised the ticket) is not a respondent.
	"""
	if contact and not is_contact_of_customer(contact, customer):
		contact = None
	address = frappe.db.get_value("Contact", contact, "email_id") if contact else None
	if not address and email:
		address = validate_email_address(email.strip()) or None
		if address and frappe.db.get_value("User", {"name": address, "user_type": "System User"}):
			address = None
	if not address:
		raise Skip(_("there is no contact e-mail address to send it to"))
	return contact, address


def check_throttle(contact: str | None, email: str, days: int) -> None:
	"""No second survey to the same e-mail address or contact within `days` days (0 = no throttle).

	"Within" counts from when a survey went out (`sent_on`), not from when its record was made: a survey
	created long ago but sent last week throttles, one created today for a send 40 days back does not. A
	survey not sent yet counts from its planned send (`scheduled_for`, which lies ahead, so it throttles),
	or from its creation when it has neither."""
	if days <= 0:
		return
	since = add_to_date(now_datetime(), days=-days)
	table = frappe.qb.DocType(SURVEY)
	match = table.email == email
	if contact:
		match = match | (table.contact == contact)
	went_out = Coalesce(table.sent_on, table.scheduled_for, table.creation)
	recent = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(match & (went_out >= since) & (table.status != "Cancelled"))
		.orderby(went_out, order=frappe.qb.desc)
		.limit(1)
	).run(as_dict=True)
	if recent:
		raise Skip(
			_("{0} already got survey {1} in the last {2} days").format(
				escape_html(email), recent[0].name, days
			)
		)


def chosen_language(customer: str | None, contact: str | None) -> str | None:
	"""The language the respondent or their company chose, or None when nobody chose one.

	The contact's portal user's language first (the person answering), then the customer's print
	language — but only a deliberate one: ERPNext fills every new customer's language with the site's.
	"""
	language = None
	if contact:
		user = frappe.db.get_value("Contact", contact, "user")
		language = frappe.db.get_value("User", user, "language") if user else None
	if not language and customer:
		language = frappe.db.get_value("Customer", customer, "language")
		if language == frappe.db.get_default("lang"):
			language = None
	return language if language and frappe.db.exists("Language", {"name": language, "enabled": 1}) else None


def respondent_language(customer: str, contact: str | None) -> str | None:
	"""The language a survey is sent in: the chosen one (``chosen_language``), else the site's."""
	language = chosen_language(customer, contact) or frappe.db.get_default("lang")
	return language if language and frappe.db.exists("Language", language) else None


def require_template(trigger: str, language: str | None) -> str:
	"""An enabled template for the trigger: one in the respondent's language, else any (newest first)."""
	templates = frappe.get_all(
		"Satisfaction Survey Template",
		filters={"trigger": trigger, "enabled": 1},
		fields=["name", "language"],
		order_by="creation desc",
	)
	if not templates:
		raise Skip(_("there is no enabled survey template for trigger {0}").format(_(trigger)))
	for template in templates:
		if language and template.language == language:
			return template.name
	return templates[0].name


def schedule_survey(trigger: str, reference, customer: str, contact: str | None, email: str) -> str:
	"""The survey of `trigger` about the ticket / project `reference`, in the respondent's language (raises
	Skip when the trigger has no enabled template)."""
	language = respondent_language(customer, contact)
	template = require_template(trigger, language)
	return create_survey(
		template=template,
		customer=customer,
		contact=contact,
		email=email,
		language=language,
		trigger=trigger,
		reference=(reference.doctype, reference.name),
	)


def create_survey(
	*,
	template: str,
	customer: str,
	contact: str | None,
	email: str,
	language: str | None,
	trigger: str,
	reference: tuple[str, str] | None = None,
) -> str:
	delay_hours = cint(get_settings().survey_delay_hours)
	doc = frappe.get_doc(
		{
			"doctype": SURVEY,
			"template": template,
			"customer": customer,
			"contact": contact,
			"email": email,
			"respondent_language": language,
			"status": "Scheduled",
			"trigger": trigger,
			"reference_doctype": reference[0] if reference else None,
			"reference_name": str(reference[1]) if reference else None,
			"scheduled_for": add_to_date(now_datetime(), hours=delay_hours),
		}
	)
	# the system schedules it on behalf of whoever closed the ticket, who need not be allowed to
	doc.insert(ignore_permissions=True)
	return doc.name


def note_skip(doc, reason: str) -> None:
	"""Record on the ticket / project why it gets no survey (an "Info" comment staff see in the timeline),
	once per reason."""
	content = _("No satisfaction survey: {0}.").format(reason)
	if frappe.db.exists(
		"Comment",
		{
			"reference_doctype": doc.doctype,
			"reference_name": str(doc.name),
			"comment_type": "Info",
			"content": content,
		},
	):
		return
	doc.add_comment("Info", content)


# --- projects ----------------------------------------------------------------------------------------


def project_opportunity(project) -> frappe._dict | None:
	"""The Service Opportunity delivered by the project: the project's own link when it has one, else the
	opportunity whose `project` is this project."""
	name = None
	for fieldname in ("service_opportunity", "brm_service_opportunity"):
		if project.meta.has_field(fieldname) and project.get(fieldname):
			name = project.get(fieldname)
			break
	filters = {"name": name} if name else {"project": project.name}
	return frappe.db.get_value(
		"Service Opportunity", filters, ["name", "customer", "business_case"], as_dict=True
	)


DECIDING_ROLES = ("Decision Maker", "Sponsor", "Budget Holder")


def project_recipients(portfolio: str, opportunity) -> list[tuple[str, str]]:
	"""(contact, e-mail) of the business case's stakeholders, deciders first, each address once."""
	stakeholders = frappe.get_all(
		"Portfolio Stakeholder",
		filters={"parent": portfolio, "parenttype": "Customer Portfolio", "receives_surveys": 1},
		fields=["contact", "stakeholder_role", "idx"],
		order_by="idx asc",
	)
	contacts = [row.contact for row in stakeholders if row.stakeholder_role in DECIDING_ROLES]
	business_case = opportunity.business_case or frappe.db.get_value(
		"Business Case", {"service_opportunity": opportunity.name, "docstatus": ("<", 2)}, "name"
	)
	budget_holder = (
		frappe.db.get_value("Business Case", business_case, "budget_holder") if business_case else None
	)
	if budget_holder and budget_holder not in contacts:
		contacts.append(budget_holder)
	if not contacts:
		contacts = [row.contact for row in stakeholders]
	recipients, seen = [], set()
	for contact in contacts:
		email = frappe.db.get_value("Contact", contact, "email_id")
		if email and email.lower() not in seen:
			seen.add(email.lower())
			recipients.append((contact, email))
	return recipients


# --- relationship surveys (docs/rhythm-surveys.md) -------------------------------------------------------


def relationship_recipients(portfolio) -> tuple[list[tuple[str, str]], list[dict]]:
	"""(contact, e-mail) of the portfolio's stakeholders who receive surveys, each address once, and the
	stakeholders left out with the reason ({"contact", "reason"}: no e-mail address)."""
	recipients, skipped, seen = [], [], set()
	for row in portfolio.stakeholders:
		if not row.receives_surveys:
			continue
		email = row.get("email_id") or frappe.db.get_value("Contact", row.contact, "email_id")
		if not email:
			name = escape_html(row.get("full_name") or row.contact)
			skipped.append({"contact": row.contact, "reason": _("{0} has no e-mail address").format(name)})
			continue
		if email.lower() in seen:
			continue
		seen.add(email.lower())
		recipients.append((row.contact, email))
	return recipients, skipped


def schedule_relationship_surveys(portfolio) -> tuple[list[str], list[dict]]:
	"""Schedule the relationship survey of a Customer Portfolio (its cadence came due) for every
	stakeholder who receives surveys, through the delay and the per-contact throttle of BRM Settings; the
	send, reminder and expiry jobs take it from there. Returns (surveys made, skipped with the reason).

	The round is sampled as a whole (``survey_sampling_percent``): a portfolio not picked gets no survey
	this time. Raises Skip when nothing can be sent at all (not sampled, no recipient, no template)."""
	settings = get_settings()
	if not sampled(settings.survey_sampling_percent):
		raise Skip(
			_("this relationship survey was not picked in the {0}% sample").format(
				flt(settings.survey_sampling_percent)
			)
		)
	recipients, skipped = relationship_recipients(portfolio)
	if not recipients:
		raise Skip(_("the customer's portfolio has no stakeholder who receives surveys"))
	throttle_days = cint(settings.contact_throttle_days)
	made = []
	for contact, email in recipients:
		try:
			check_throttle(contact, email, throttle_days)
			language = respondent_language(portfolio.customer, contact)
			made.append(
				create_survey(
					template=require_template(RELATIONSHIP_REVIEW, language),
					customer=portfolio.customer,
					contact=contact,
					email=email,
					language=language,
					trigger=RELATIONSHIP_REVIEW,
				)
			)
		except Skip as reason:
			skipped.append({"contact": contact, "reason": str(reason)})
	return made, skipped
