"""Issue 18: the relationship survey dates of existing portfolios (docs/rhythm-surveys.md).

The last relationship survey is the latest one sent (Send Survey Now before this version); the next one is
due a cadence later, or now for a portfolio never surveyed. Set-based; running it again changes nothing.
"""

from brm_app.jobs.surveys import backfill_relationship_survey_dates


def execute():
	backfill_relationship_survey_dates()
