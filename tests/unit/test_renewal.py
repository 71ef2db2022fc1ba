"""brm_app.services.renewal: what happens to an agreement at its end by its renewal type
(docs/renewals-and-change-impact.md). No site needed."""

from datetime import date

from brm_app.services import renewal


def test_a_tacit_extension_lasts_whole_calendar_months():
	assert renewal.extended_end(date(2026, 12, 31), 12) == date(2027, 12, 31)
	assert renewal.extended_end(date(2026, 6, 30), 24) == date(2028, 6, 30)
	# the term starts the day after the end: 31 Jan -> 1 Feb .. 28 Feb
	assert renewal.extended_end(date(2027, 1, 31), 1) == date(2027, 2, 28)
	# an empty or non-positive term is the default twelve months
	assert renewal.extended_end(date(2026, 12, 31), 0) == date(2027, 12, 31)
	assert renewal.extended_end(date(2026, 12, 31), None) == date(2027, 12, 31)


def test_a_late_job_catches_up_term_by_term():
	assert renewal.extensions_due(date(2026, 1, 31), 12, date(2026, 2, 1)) == (date(2027, 1, 31), 1)
	assert renewal.extensions_due(date(2024, 1, 31), 12, date(2026, 2, 1)) == (date(2027, 1, 31), 3)
	# not ended yet: nothing to do
	assert renewal.extensions_due(date(2026, 2, 1), 12, date(2026, 2, 1)) == (date(2026, 2, 1), 0)


def test_a_tacit_agreement_can_be_terminated_up_to_its_notice_deadline():
	end = date(2026, 12, 31)
	assert renewal.can_terminate_tacit(end, 30, date(2026, 12, 1))  # the deadline itself
	assert not renewal.can_terminate_tacit(end, 30, date(2026, 12, 2))
	assert renewal.can_terminate_tacit(end, 0, end)


def test_the_outcome_follows_the_renewal_type():
	end = date(2026, 12, 31)
	assert renewal.outcome("Tacit", end, 12) == (renewal.EXTENDS, date(2027, 1, 1))
	assert renewal.outcome("Never", end, 12) == (renewal.EXPIRES, end)
	assert renewal.outcome("Express", end, 12) == (renewal.NEEDS_DECISION, end)
	assert renewal.outcome("Express", end, 12, renewed_by="CAG-1") == (renewal.RENEWED, date(2027, 1, 1))
	assert renewal.outcome("Tacit", end, 12, terminated_on=date(2026, 6, 1)) == (
		renewal.ENDS,
		date(2026, 6, 1),
	)
	assert "Never" not in renewal.REMINDED and set(renewal.REMINDED) == {"Tacit", "Express"}
