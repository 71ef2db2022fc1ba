"""Read survey links back out of frappe's Email Queue (what a respondent would click)."""

import email
import html
import re
from urllib.parse import parse_qs, urlparse

import frappe

_LINK = re.compile(r'href="([^"]*/survey\?token=[^"&]+)"')
# the invitation's one-click rating buttons: the same link with &choice=N (docs/rhythm-surveys.md)
_CHOICE_LINK = re.compile(r'href="([^"]*/survey\?token=[^"&]+&amp;choice=[^"]+)"')


def queued_mails(reference_name: str, reference_doctype: str = "Satisfaction Survey") -> list[frappe._dict]:
	"""Email Queue rows for a record, oldest first, each with its decoded html body and recipients."""
	rows = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": reference_doctype, "reference_name": reference_name},
		fields=["name", "message", "status"],
		order_by="creation asc",
	)
	for row in rows:
		message = email.message_from_string(row.message)
		row.subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
		row.html = ""
		for part in message.walk():
			if part.get_content_type() == "text/html":
				row.html = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
		row.recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": row.name}, pluck="recipient"
		)
	return rows


def survey_links(reference_name: str) -> list[str]:
	"""Every survey link in the e-mails queued for a survey, in order."""
	links = []
	for row in queued_mails(reference_name):
		links.extend(html.unescape(link) for link in _LINK.findall(row.html))
	return links


def choice_links(reference_name: str) -> list[str]:
	"""The one-click rating links in the e-mails queued for a survey, in order."""
	links = []
	for row in queued_mails(reference_name):
		links.extend(html.unescape(link) for link in _CHOICE_LINK.findall(row.html))
	return links


def token_of(link: str) -> str:
	return parse_qs(urlparse(link).query)["token"][0]


def path_of(link: str) -> str:
	parsed = urlparse(link)
	return f"{parsed.path}?{parsed.query}"
