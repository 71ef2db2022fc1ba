"""Idempotent set-up of the survey lifecycle, run from brm_app.setup.install.ensure_setup."""

import frappe

from brm_app.notifications.mail import ensure_email_templates

SURVEY = "Satisfaction Survey"
# Composite indexes for the look-ups the ticket hook makes on every close (one survey per ticket, the
# per-contact throttle). frappe's schema sync leaves multi-column indexes alone on migrate.
INDEXES = {
	"brm_survey_reference": ["reference_doctype", "reference_name(140)"],
	"brm_survey_email_creation": ["email", "creation"],
}


def ensure_survey_setup() -> None:
	ensure_email_templates()
	ensure_indexes()


def ensure_indexes() -> None:
	for index_name, columns in INDEXES.items():
		frappe.db.add_index(SURVEY, columns, index_name=index_name)
