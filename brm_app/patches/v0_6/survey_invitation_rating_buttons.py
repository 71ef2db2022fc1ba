"""Issue 18: the survey invitation carries the first rating question as one-click buttons
(docs/rhythm-surveys.md). The stored Email Template gets the new ``{{ rating_buttons }}`` line only when it
is still the shipped text; a template an administrator reworded is left alone (they may add the line)."""

import frappe

from brm_app.notifications.mail import SURVEY_INVITATION, TEMPLATES

MARKER = "{{ rating_buttons }}"
ANCHOR = '{% if reference_label %}<p>{{ _("About: {0}").format(reference_label) }}</p>{% endif %}\n'


def execute():
	if not frappe.db.exists("Email Template", SURVEY_INVITATION):
		return
	body = frappe.db.get_value("Email Template", SURVEY_INVITATION, "response_html") or ""
	shipped_before = TEMPLATES[SURVEY_INVITATION]["response_html"].replace(MARKER + "\n", "")
	if MARKER in body or body.strip() != shipped_before.strip():
		return
	frappe.db.set_value(
		"Email Template",
		SURVEY_INVITATION,
		"response_html",
		body.replace(ANCHOR, ANCHOR + MARKER + "\n"),
		update_modified=False,
	)
