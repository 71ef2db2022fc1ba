"""Who is told what during a customer sign-off: the signatory is asked (an e-mailed link, or a ToDo in the
desk) and reminded with the same link, the relationship manager hears of a rejection and of a request
that expired without a decision. E-mails are rendered from Email Templates in the
signatory's language (brm_app.notifications.mail), every value escaped first."""

import frappe
from frappe import _
from frappe.utils import escape_html, format_datetime, get_url, get_url_to_form

from brm_app.notifications import mail
from brm_app.signoff import records as rec

SIGN_OFF_ROUTE = "/sign-off"
REQUEST_TEMPLATE = "BRM Customer Sign-off Request"
REMINDER_TEMPLATE = "BRM Customer Sign-off Reminder"


def sign_off_link(token: str) -> str:
	return get_url(f"{SIGN_OFF_ROUTE}?token={token}")


def context(record, token: str | None) -> dict:
	case_title = frappe.db.get_value("Business Case", record.business_case, "title") or record.business_case
	with mail.language(record.language):
		purpose = (
			_("accept what was delivered")
			if record.purpose == rec.ACCEPTANCE
			else _("sign off the requirements")
		)
	return {
		"sign_off_link": sign_off_link(token) if token else get_url_to_form(rec.SIGN_OFF, record.name),
		"contact_name": escape_html(record.signatory_name or ""),
		"case_title": escape_html(case_title),
		"case_name": escape_html(record.business_case),
		"purpose": escape_html(purpose),
		"expires_on": format_datetime(record.expires_on) if record.expires_on else "",
		"sender_name": escape_html(mail.sender_name()),
	}


def can_send_mail() -> bool:
	"""Whether the site has an outgoing e-mail account (frappe.sendmail refuses to queue without one)."""
	from frappe.email.doctype.email_account.email_account import EmailAccount

	# what frappe.sendmail itself uses: the default outgoing account, the site config's, or (e-mails muted)
	# a stand-in that queues without sending
	return bool(EmailAccount.find_default_outgoing())


def requested(record, reminder: bool = False) -> None:
	"""Ask the signatory: by e-mail with their link, or, for a desk user, a ToDo and an e-mail to open it."""
	if frappe.flags.in_demo:
		return  # demo data (brm_app.demo) e-mails nobody
	token = rec.TOKENS.for_sending(record.name) if record.channel == rec.LINK else None
	if record.channel == rec.DESK and record.signatory_user and not reminder:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": record.signatory_user,
				"reference_type": rec.SIGN_OFF,
				"reference_name": record.name,
				"description": escape_html(
					_("Sign off business case {0} for {1}").format(record.business_case, record.customer)
				),
				"priority": "High",
				"date": frappe.utils.getdate(record.expires_on) if record.expires_on else None,
			}
		).insert(ignore_permissions=True)
	if not record.email:
		return
	if not can_send_mail():
		if record.channel == rec.LINK:
			# sending for sign-off is refused without an account (flow.check_ready); an acceptance asked when
			# a project completes is not: say on the case that the link could not be sent (Resend later)
			frappe.get_doc("Business Case", record.business_case).add_comment(
				"Info",
				escape_html(
					_(
						"{0} could not be e-mailed the link of {1}: the site has no outgoing e-mail account."
					).format(record.signatory_name, record.name)
				),
			)
		return
	subject, message = mail.render(
		REMINDER_TEMPLATE if reminder else REQUEST_TEMPLATE, context(record, token), record.language
	)
	frappe.sendmail(
		recipients=[record.email],
		subject=subject,
		message=message,
		reference_doctype=rec.SIGN_OFF,
		reference_name=record.name,
		add_unsubscribe_link=0,
		delayed=True,
	)


def rejected(case, record) -> None:
	"""Tell the relationship manager: a ToDo on the case with the signatory's comment, and an e-mail."""
	manager = case.relationship_manager
	if not manager:
		return
	text = _("{0} rejected business case {1}: {2}").format(
		record.signatory_name, case.name, record.comment or ""
	)
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": manager,
			"reference_type": "Business Case",
			"reference_name": case.name,
			"description": escape_html(text),
			"priority": "High",
		}
	).insert(ignore_permissions=True)
	if not can_send_mail():
		return  # the ToDo tells them
	frappe.sendmail(
		recipients=[manager],
		subject=_("Customer rejected business case {0}").format(case.name),
		message=escape_html(text)
		+ f'<p><a href="{get_url_to_form("Business Case", case.name)}">'
		+ escape_html(_("Open the business case"))
		+ "</a></p>",
		reference_doctype="Business Case",
		reference_name=case.name,
		delayed=True,
	)


def expired(record) -> str | None:
	"""Tell the relationship manager that a request expired without a decision: a ToDo on the case (the
	case waits in Customer Sign-off until they withdraw it and ask again). Returns the ToDo's name."""
	manager = record.relationship_manager or frappe.db.get_value(
		"Business Case", record.business_case, "relationship_manager"
	)
	if not (manager and frappe.db.get_value("User", manager, "enabled")):
		return None
	text = _(
		"The customer sign-off {0} of business case {1} expired: {2} did not decide in time. Contact them, then withdraw the case and send it for sign-off again."
	).format(record.name, record.business_case, record.signatory_name or record.signatory_contact)
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": manager,
			"reference_type": "Business Case",
			"reference_name": record.business_case,
			"description": escape_html(text),
			"priority": "High",
			"date": frappe.utils.nowdate(),
			"assigned_by": "Administrator",
		}
	).insert(ignore_permissions=True)
	return todo.name


def close_requests(record) -> None:
	"""Close the ToDos that asked the signatory to decide (a desk request): decided or expired."""
	for name in frappe.get_all(
		"ToDo",
		filters={"reference_type": rec.SIGN_OFF, "reference_name": record.name, "status": "Open"},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", name)
		todo.status = "Closed"
		todo.save(ignore_permissions=True)
