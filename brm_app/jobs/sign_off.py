"""Scheduled jobs of the customer's sign-off (hooks.scheduler_events, hourly; docs/sign-off.md).

- `send_reminders`: a signatory with an e-mailed link who has not decided is reminded with the same link
  after BRM Settings *First Reminder After (days)*, then again every that many days, at most *Max
  Reminders* times, while the request is open. Desk signatories are reminded by the escalation job
  (brm_app.jobs.escalation), not here.
- `expire_sign_offs`: an open request past its `expires_on` becomes Expired, its link stops working (the
  recoverable token is dropped; the hash stays, so the link says it is no longer valid) and the
  relationship manager gets a ToDo.

As the survey jobs (brm_app.jobs.surveys): each record's row is locked and its state read again before
anything is sent or written, so two runs at the same time, or a run after a half-finished one, never
remind or expire twice; a record that fails is rolled back to its savepoint and logged, the others go on.
"""

import frappe
from frappe.utils import add_days, cint, get_datetime, now_datetime

from brm_app.jobs.surveys import for_each
from brm_app.settings import get_settings
from brm_app.signoff import notify
from brm_app.signoff import records as rec

BATCH_SIZE = 500
DEFAULT_FIRST_REMINDER_DAYS = 3
DEFAULT_MAX_REMINDERS = 2
LOCKED_FIELDS = (
	"name",
	"status",
	"expires_on",
	"requested_on",
	"reminders_sent",
	"last_reminded_on",
	"business_case",
	"purpose",
	"channel",
)


def reminder_settings() -> tuple[int, int]:
	"""(days between the request or the last reminder and the next reminder, most reminders per request);
	a 0 in the settings turns reminders off."""
	settings = get_settings()
	interval = settings.get("sign_off_first_reminder_days")
	maximum = settings.get("sign_off_max_reminders")
	interval = DEFAULT_FIRST_REMINDER_DAYS if interval is None else cint(interval)
	maximum = DEFAULT_MAX_REMINDERS if maximum is None else cint(maximum)
	return interval, maximum


def reminder_due(row, now, interval: int, maximum: int) -> bool:
	"""Whether an open request (a locked row) is due a reminder now."""
	if (
		interval <= 0
		or row.channel != rec.LINK
		or cint(row.reminders_sent) >= maximum
		or not rec.TOKENS.is_open(row)
	):
		return False
	since = row.last_reminded_on or row.requested_on
	return bool(since) and get_datetime(since) <= add_days(now, -interval)


def send_reminders(limit: int = BATCH_SIZE) -> int:
	"""Remind the signatories of open requests that are due a reminder; returns how many were reminded."""
	interval, maximum = reminder_settings()
	if interval <= 0 or maximum <= 0:
		return 0
	now = now_datetime()
	cutoff = add_days(now, -interval)
	names = frappe.get_all(
		rec.SIGN_OFF,
		filters=[
			["status", "in", rec.OPEN],
			["channel", "=", rec.LINK],
			["expires_on", ">", now],
			["reminders_sent", "<", maximum],
			["requested_on", "<=", cutoff],
		],
		or_filters=[["last_reminded_on", "is", "not set"], ["last_reminded_on", "<=", cutoff]],
		pluck="name",
		order_by="requested_on asc",
		limit=limit,
	)
	return for_each(
		names,
		lambda name: remind(name, interval, maximum),
		"Customer sign-off reminder failed",
		reference_doctype=rec.SIGN_OFF,
	)


def remind(name: str, interval: int, maximum: int) -> bool:
	row = _lock(name)
	now = now_datetime()
	if not row or not reminder_due(row, now, interval, maximum):
		return False  # decided, closed or reminded meanwhile
	record = rec.update(name, {"reminders_sent": cint(row.reminders_sent) + 1, "last_reminded_on": now})
	notify.requested(record, reminder=True)
	return True


def expire_sign_offs(limit: int = BATCH_SIZE) -> int:
	"""Close the open requests whose link has expired and tell their relationship manager."""
	names = frappe.get_all(
		rec.SIGN_OFF,
		filters=[["status", "in", rec.OPEN], ["expires_on", "<=", now_datetime()]],
		pluck="name",
		order_by="expires_on asc",
		limit=limit,
	)
	return for_each(names, expire, "Customer sign-off expiry failed", reference_doctype=rec.SIGN_OFF)


def expire(name: str) -> bool:
	row = _lock(name)
	if (
		not row
		or row.status not in rec.OPEN
		or not row.expires_on
		or get_datetime(row.expires_on) > now_datetime()
	):
		return False
	record = rec.update(name, {"status": rec.EXPIRED}, close=True)
	if record.purpose == rec.REQUIREMENTS:
		from brm_app.signoff import flow

		flow.store_case_fields(record.business_case)  # the signatory row no longer shows "Requested"
	notify.close_requests(record)
	notify.expired(record)
	return True


def _lock(name: str) -> frappe._dict | None:
	"""Lock the sign-off's row and read its current (committed) state."""
	return frappe.db.get_value(rec.SIGN_OFF, name, LOCKED_FIELDS, as_dict=True, for_update=True)
