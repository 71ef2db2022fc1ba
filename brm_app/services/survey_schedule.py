"""When a satisfaction survey is due for a reminder.

Pure Python (standard library only), so it runs and is tested without a Frappe site.

Reminder k (1, 2, …, ``max_reminders``) is due ``k * interval_days`` after the invitation was sent. How many
reminders went out is read back from the time of the last one, so the rule needs no counter and a job that
runs twice, late or after a pause sends at most one reminder per run and never a skipped one in a burst.
"""

from datetime import datetime, timedelta


class ReminderInputError(ValueError):
	"""The times or settings given cannot describe a survey's reminders."""


def reminders_sent(
	sent_on: datetime, reminded_on: datetime | None, interval_days: int, max_reminders: int
) -> int:
	"""How many reminder slots the last reminder (at `reminded_on`) has used up."""
	_check(interval_days, max_reminders)
	if reminded_on is None or interval_days <= 0:
		return 0
	if reminded_on < sent_on:
		raise ReminderInputError("a reminder cannot be sent before the invitation")
	return min((reminded_on - sent_on) // timedelta(days=interval_days), max_reminders)


def reminder_due(
	sent_on: datetime,
	reminded_on: datetime | None,
	now: datetime,
	interval_days: int,
	max_reminders: int,
) -> bool:
	"""Whether a reminder should go out at `now` (0 as interval or maximum: reminders are off)."""
	_check(interval_days, max_reminders)
	if interval_days <= 0 or max_reminders <= 0 or now < sent_on:
		return False
	slots_reached = min((now - sent_on) // timedelta(days=interval_days), max_reminders)
	return slots_reached > reminders_sent(sent_on, reminded_on, interval_days, max_reminders)


def _check(interval_days: object, max_reminders: object) -> None:
	for label, value in (("interval_days", interval_days), ("max_reminders", max_reminders)):
		if isinstance(value, bool) or not isinstance(value, int) or value < 0:
			raise ReminderInputError(f"{label} must be a whole number of at least 0")
