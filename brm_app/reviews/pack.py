"""The Service Review Pack (docs/service-reviews.md "Pack"): the customer-facing print of a review.

- `pack_language(customer)`: the customer's chosen language (brm_app.surveys.scheduling.chosen_language,
  as the survey mails pick it), else the language of the portfolio's stakeholders' users, else the site's.
- `brm_service_review_pack(doc)`: the print format's data (Jinja method, hooks.py `jinja`): the agenda's
  figures (the Held snapshot, else built now) with their labels, trends and targets, and the charts as
  inline SVG drawn here (no browser, no JavaScript: wkhtmltopdf renders them).
- `pack_pdf(review)`: the PDF, rendered in the review's pack language (the function the benchmark times,
  with `brm_app.reviews.agenda.build_agenda`).
- `email_pack(review)`: the PDF e-mailed to the attendees, logged on the review's timeline.
"""

from html import escape

import frappe
from frappe import _
from frappe.translate import print_language
from frappe.utils import flt, format_date, getdate

from brm_app.exceptions import ServiceReviewMailError
from brm_app.reviews.agenda import LABELS
from brm_app.services import kpi

REVIEW = "Service Review"
PRINT_FORMAT = "Service Review Pack"
# chart colours: this period, previous period, target line
CURRENT, PREVIOUS, TARGET = "#2490ef", "#b8c2cc", "#e24c4c"


def pack_language(customer: str | None) -> str | None:
	"""The language the pack is printed in for `customer`."""
	from brm_app.surveys.scheduling import chosen_language

	language = chosen_language(customer, None)
	if not language and customer:
		language = _stakeholders_language(customer)
	language = language or frappe.db.get_default("lang")
	return language if language and frappe.db.exists("Language", language) else None


def _stakeholders_language(customer: str) -> str | None:
	"""The most common language among the portfolio's stakeholders' users (one query)."""
	rows = frappe.db.sql(
		"""
		select u.`language`, count(*) from `tabPortfolio Stakeholder` ps
		join `tabCustomer Portfolio` p on p.`name` = ps.`parent` and ps.`parenttype` = 'Customer Portfolio'
		join `tabContact` c on c.`name` = ps.`contact`
		join `tabUser` u on u.`name` = c.`user`
		join `tabLanguage` l on l.`name` = u.`language` and l.`enabled` = 1
		where p.`customer` = %(customer)s and ifnull(u.`language`, '') != ''
		group by 1 order by 2 desc, 1 limit 1
		""",
		{"customer": customer},
	)
	return rows[0][0] if rows else None


# --- figures and charts --------------------------------------------------------------------------------


def format_value(value, unit: str) -> str:
	if value is None:
		return "–"
	if unit == kpi.PERCENT:
		return f"{flt(value, 1):g} %"
	if unit == kpi.SCORE:
		return f"{flt(value, 1):+g}"
	return f"{flt(value, 1):g}"


def brm_service_review_pack(doc) -> dict:
	"""The pack's data for a Service Review document (read by service_review_pack.html)."""
	if getattr(doc, "doctype", None) != REVIEW or not doc.get("customer"):
		return {"figures": [], "charts": [], "lists": {}}
	agenda = doc.agenda()
	figures = []
	for figure in agenda.get("figures") or []:
		figures.append(
			{
				**figure,
				"label": str(LABELS.get(figure["key"], figure["key"])),
				"current_text": format_value(figure["current"], figure["unit"]),
				"previous_text": format_value(figure["previous"], figure["unit"]),
				"target_text": format_value(figure["target"], figure["unit"]) if figure.get("target") else "",
				"trend_text": _translated(figure.get("trend"), "KPI trend"),
				"rag_text": _translated(figure.get("rag")),
			}
		)
	by_key = {figure["key"]: figure for figure in figures}
	return {
		"period": _period_text(agenda["period"]),
		"previous": _period_text(agenda["previous"]),
		"figures": figures,
		"charts": [
			_comparison_chart(
				_("This period, previous period and target"),
				[by_key[key] for key in ("sla_compliance", "csat") if key in by_key],
			),
			_monthly_chart(_("Tickets opened per month"), agenda.get("monthly") or []),
		],
		"lists": {
			key: agenda.get(key) or []
			for key in ("agreements", "opportunities", "business_cases", "outcomes")
		},
	}


def _translated(value: str | None, context: str | None = None) -> str:
	"""A trend (Up / Down / Flat) or RAG (Green / Amber / Red) in the pack's language."""
	return _(value, context=context) if value else ""


def _period_text(period: dict) -> str:
	return _("{0} to {1}").format(format_date(period["from"]), format_date(period["to"]))


def _svg(width: int, height: int, body: list[str], title: str) -> str:
	return (
		f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
		f' role="img" aria-label="{escape(title)}" font-family="Helvetica, Arial, sans-serif" font-size="11">'
		f"<title>{escape(title)}</title>{''.join(body)}</svg>"
	)


def _comparison_chart(title: str, figures: list[dict]) -> dict:
	"""Grouped bars (this period, previous period) per percentage figure, with the target as a red line."""
	width, height, top, bottom, left = 520, 200, 20, 40, 40
	plot = height - top - bottom
	group = (width - left) / max(len(figures), 1)
	body = [f'<line x1="{left}" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="#888"/>']
	for tick in (0, 50, 100):
		y = top + plot - plot * tick / 100
		body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
	for n, figure in enumerate(figures):
		x0 = left + n * group + group * 0.15
		bar = group * 0.3
		for m, (value, colour) in enumerate(((figure["current"], CURRENT), (figure["previous"], PREVIOUS))):
			if value is None:
				continue
			h = plot * max(0.0, min(flt(value), 100.0)) / 100
			body.append(
				f'<rect x="{x0 + m * bar:.1f}" y="{top + plot - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}"'
				f' fill="{colour}"/>'
			)
			body.append(
				f'<text x="{x0 + m * bar + (bar - 4) / 2:.1f}" y="{top + plot - h - 4:.1f}" text-anchor="middle">'
				f"{flt(value, 1):g}</text>"
			)
		if figure.get("target"):
			y = top + plot - plot * min(flt(figure["target"]), 100.0) / 100
			body.append(
				f'<line x1="{x0 - 4:.1f}" y1="{y:.1f}" x2="{x0 + 2 * bar:.1f}" y2="{y:.1f}" stroke="{TARGET}"'
				' stroke-width="2" stroke-dasharray="4 2"/>'
			)
		body.append(
			f'<text x="{x0 + bar:.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(figure["label"])}</text>'
		)
	legend = ((CURRENT, _("This period")), (PREVIOUS, _("Previous period")), (TARGET, _("Target")))
	for n, (colour, label) in enumerate(legend):
		x = left + n * 150
		body.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
		body.append(f'<text x="{x + 14}" y="{height - 5}">{escape(label)}</text>')
	return {"title": title, "svg": _svg(width, height, body, title), "empty": not figures}


def _monthly_chart(title: str, months: list[dict]) -> dict:
	"""Bars of the tickets opened per month of the period."""
	width, height, top, bottom, left = 520, 180, 20, 30, 40
	plot = height - top - bottom
	highest = max([month["tickets"] for month in months] or [0]) or 1
	slot = (width - left) / max(len(months), 1)
	body = [f'<line x1="{left}" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="#888"/>']
	for n, month in enumerate(months):
		h = plot * month["tickets"] / highest
		x = left + n * slot + slot * 0.2
		body.append(
			f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" fill="{CURRENT}"/>'
		)
		body.append(
			f'<text x="{x + slot * 0.3:.1f}" y="{top + plot - h - 4:.1f}" text-anchor="middle">{month["tickets"]}</text>'
		)
		label = format_date(getdate(f"{month['month']}-01"), "MMM yy")
		body.append(
			f'<text x="{x + slot * 0.3:.1f}" y="{height - 12}" text-anchor="middle">{escape(label)}</text>'
		)
	return {"title": title, "svg": _svg(width, height, body, title), "empty": not months}


# --- PDF and e-mail ------------------------------------------------------------------------------------


def pack_pdf(review) -> bytes:
	"""The Service Review Pack of `review` (a name or document) as PDF bytes, in the review's pack language.
	The caller checks the permission (the e-mail endpoint, or frappe's print endpoints themselves)."""
	doc = frappe.get_doc(REVIEW, review) if isinstance(review, str) else review
	with print_language(doc.language or pack_language(doc.customer)):
		return frappe.get_print(REVIEW, doc.name, print_format=PRINT_FORMAT, doc=doc, as_pdf=True)


def attendee_emails(doc) -> list[str]:
	"""The attendees' e-mail addresses, each once, in the table's order."""
	emails = []
	for row in doc.get("attendees") or []:
		if row.email and row.email not in emails:
			emails.append(row.email)
	return emails


def email_pack(doc) -> list[str]:
	"""E-mail the pack to the review's attendees; returns the recipients. Raises ServiceReviewMailError
	without an outgoing e-mail account or without an attendee with an e-mail address."""
	from brm_app.notifications.mail import language, sender_name
	from brm_app.signoff.notify import can_send_mail

	if not can_send_mail():
		frappe.throw(
			_(
				"No outgoing e-mail account is set up, so the pack cannot be e-mailed. Ask your System Manager to"
				" add a default outgoing Email Account, or download the PDF and send it yourself."
			),
			exc=ServiceReviewMailError,
			title=_("E-mail Not Set Up"),
		)
	recipients = attendee_emails(doc)
	if not recipients:
		frappe.throw(
			_("No attendee of this review has an e-mail address."),
			exc=ServiceReviewMailError,
			title=_("No Recipients"),
		)
	pdf = pack_pdf(doc)
	with language(doc.language):
		subject = _("Service review {0}: {1}").format(
			format_date(doc.review_date), doc.customer_name or doc.customer
		)
		message = "<p>{}</p><p>{}</p><p>{}<br>{}</p>".format(
			escape(_("Dear attendees,")),
			escape(
				_("Please find attached the pack of our service review of {0}.").format(
					format_date(doc.review_date)
				)
			),
			escape(_("Kind regards,")),
			escape(sender_name()),
		)
	frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=message,
		attachments=[{"fname": f"{doc.name}.pdf", "fcontent": pdf}],
		reference_doctype=REVIEW,
		reference_name=doc.name,
	)
	doc.db_set("pack_sent_on", frappe.utils.now_datetime(), update_modified=False)
	doc.add_comment("Info", _("Service Review Pack e-mailed to {0}").format(escape(", ".join(recipients))))
	return recipients
