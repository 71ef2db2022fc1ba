"""Idempotent set-up of the survey lifecycle, run from brm_app.setup.install.ensure_setup."""

from brm_app.notifications.mail import ensure_email_templates


def ensure_survey_setup() -> None:
	"""The e-mail templates of the survey lifecycle (its indexes: brm_app.setup.indexes.LOOKUP_INDEXES)."""
	ensure_email_templates()
