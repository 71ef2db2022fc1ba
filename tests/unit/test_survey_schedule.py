"""When a survey reminder is due (brm_app.services.survey_schedule): pure, no site."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brm_app.services.survey_schedule import ReminderInputError, reminder_due, reminders_sent

SENT = datetime(2026, 1, 1, 9, 0)


def at(days: float) -> datetime:
	return SENT + timedelta(days=days)


def test_no_reminder_before_the_interval():
	assert not reminder_due(SENT, None, at(4.9), 5, 1)


def test_first_reminder_after_the_interval():
	assert reminder_due(SENT, None, at(5), 5, 1)


def test_one_reminder_only_when_the_maximum_is_one():
	assert not reminder_due(SENT, at(5.1), at(30), 5, 1)


def test_second_reminder_one_interval_after_the_first():
	assert not reminder_due(SENT, at(5.1), at(9.9), 5, 2)
	assert reminder_due(SENT, at(5.1), at(10), 5, 2)
	assert not reminder_due(SENT, at(10.2), at(14), 5, 2)


def test_a_late_job_sends_one_reminder_not_a_burst():
	assert reminder_due(SENT, None, at(12), 5, 3)
	# that one reminder at day 12 used the slots up to day 10: the next is due at day 15
	assert reminders_sent(SENT, at(12), 5, 3) == 2
	assert not reminder_due(SENT, at(12), at(14), 5, 3)
	assert reminder_due(SENT, at(12), at(15), 5, 3)


@pytest.mark.parametrize("interval, maximum", [(0, 3), (5, 0)])
def test_reminders_off(interval, maximum):
	assert not reminder_due(SENT, None, at(100), interval, maximum)


@pytest.mark.parametrize("interval, maximum", [(-1, 1), (5, -1), (2.5, 1), (True, 1), (5, "2")])
def test_bad_settings_are_refused(interval, maximum):
	with pytest.raises(ReminderInputError):
		reminder_due(SENT, None, at(1), interval, maximum)


def test_a_reminder_before_the_invitation_is_refused():
	with pytest.raises(ReminderInputError):
		reminders_sent(SENT, at(-1), 5, 1)


@given(
	interval=st.integers(min_value=1, max_value=30),
	maximum=st.integers(min_value=1, max_value=5),
	checks=st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=60),
)
def test_a_job_running_at_any_times_never_sends_more_than_the_maximum(interval, maximum, checks):
	reminded_on, sent = None, 0
	for day in sorted(checks):
		now = at(day)
		if reminder_due(SENT, reminded_on, now, interval, maximum):
			reminded_on, sent = now, sent + 1
	assert sent <= maximum
