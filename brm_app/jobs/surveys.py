"""Scheduled jobs of the survey lifecycle (hooks.scheduler_events).

Each job picks its records with one query, then handles them one by one: the record's row is locked
(SELECT … FOR UPDATE) and its status checked again, so two runs at the same time, or a run after a
half-finished one, never send an invitation or reminder twice (docs/security.md case 20). A record that fails is
rolled back to its savepoint, written to the Error Log and left as it was, so the next run retries it; the
other records go on. Outside tests each record is committed on its own so that the work done survives a
later crash of the job.

Sending means queueing in frappe's Email Queue (frappe.sendmail); the queue's own retries deliver it. The
survey's token survives a failed attempt only if the e-mail was queued in the same transaction, so a link
in an e-mail always works until the survey is closed (docs/security.md case 21).
"""

import frappe
from frappe.utils import add_days, add_months, add_to_date, cint, get_datetime, getdate, now_datetime

from brm_app.notifications.mail import SURVEY_INVITATION, SURVEY_REMINDER, send_survey_mail
from brm_app.rhythm import cadence
from brm_app.services.survey_schedule import reminder_due
from brm_app.settings import get_settings
from brm_app.surveys import tokens
from brm_app.surveys.scheduling import (
	PROJECT_DELIVERED,
	RELATIONSHIP_REVIEW,
	Skip,
	note_skip,
	schedule_project_surveys,
	schedule_relationship_surveys,
)

SURVEY = "Satisfaction Survey"
BATCH_SIZE = 500
DEFAULT_EXPIRY_DAYS = 14
# how far back the project sweep looks for completed projects that got no survey
PROJECT_SWEEP_DAYS = 30


def send_due_surveys(limit: int = BATCH_SIZE) -> int:
	"""E-mail the invitations of Scheduled surveys whose time has come; returns how many were sent.

	A survey scheduled longer ago than the expiry period is not sent any more (expire_surveys closes it).
	"""
	now = now_datetime()
	names = frappe.get_all(
		SURVEY,
		filters=[
			["status", "=", "Scheduled"],
			["scheduled_for", "<=", now],
			["scheduled_for", ">", add_days(now, -expiry_days())],
		],
		pluck="name",
		order_by="scheduled_for asc",
		limit=limit,
	)
	return for_each(names, send_invitation, "Survey invitation failed")


def send_invitation(name: str) -> bool:
	row = lock(name)
	if not row or row.status != "Scheduled":
		return False  # sent (or closed) meanwhile by someone else
	survey = frappe.get_doc(SURVEY, name)
	sent_on = now_datetime()
	survey.sent_on = sent_on
	survey.expires_on = add_days(sent_on, expiry_days())
	send_survey_mail(survey, SURVEY_INVITATION, tokens.token_for_sending(name))
	survey.db_set({"status": "Sent", "sent_on": survey.sent_on, "expires_on": survey.expires_on})
	return True


def send_reminders(limit: int = BATCH_SIZE) -> int:
	"""Remind respondents who have not answered (BRM Settings: reminder_after_days, max_reminders)."""
	settings = get_settings()
	interval, maximum = cint(settings.reminder_after_days), cint(settings.max_reminders)
	if interval <= 0 or maximum <= 0:
		return 0
	now = now_datetime()
	candidates = frappe.get_all(
		SURVEY,
		filters=[
			["status", "in", ("Sent", "Reminded")],
			["sent_on", "<=", add_days(now, -interval)],
			["expires_on", ">", now],
		],
		fields=["name", "sent_on", "reminded_on"],
		order_by="sent_on asc",
		limit=limit,
	)
	due = [
		row.name
		for row in candidates
		if reminder_due(get_datetime(row.sent_on), _dt(row.reminded_on), now, interval, maximum)
	]
	return for_each(due, lambda name: send_reminder(name, interval, maximum), "Survey reminder failed")


def send_reminder(name: str, interval: int, maximum: int) -> bool:
	row = lock(name, extra=("sent_on", "reminded_on"))
	now = now_datetime()
	if (
		not row
		or not tokens.is_open(row)
		or not reminder_due(get_datetime(row.sent_on), _dt(row.reminded_on), now, interval, maximum)
	):
		return False
	survey = frappe.get_doc(SURVEY, name)
	send_survey_mail(survey, SURVEY_REMINDER, tokens.token_for_sending(name))
	survey.db_set({"status": "Reminded", "reminded_on": now})
	return True


def expire_surveys(limit: int = BATCH_SIZE) -> int:
	"""Close unanswered surveys whose link has expired, and scheduled ones too old to send."""
	now = now_datetime()
	sent = frappe.get_all(
		SURVEY,
		filters=[["status", "in", ("Sent", "Reminded")], ["expires_on", "<=", now]],
		pluck="name",
		limit=limit,
	)
	stale = frappe.get_all(
		SURVEY,
		filters=[["status", "=", "Scheduled"], ["scheduled_for", "<=", add_days(now, -expiry_days())]],
		pluck="name",
		limit=limit,
	)
	return for_each([*sent, *stale], expire, "Survey expiry failed")


def expire(name: str) -> bool:
	row = lock(name, extra=("scheduled_for",))
	if not row:
		return False
	now = now_datetime()
	link_expired = (
		row.status in tokens.OPEN_STATUSES and row.expires_on and get_datetime(row.expires_on) <= now
	)
	too_old = (
		row.status == "Scheduled"
		and row.scheduled_for
		and get_datetime(row.scheduled_for) <= add_days(now, -expiry_days())
	)
	if not (link_expired or too_old):
		return False
	frappe.db.set_value(SURVEY, name, "status", "Expired")
	tokens.forget_token(name)
	return True


def schedule_delivered_projects(limit: int = BATCH_SIZE) -> int:
	"""Catch projects completed without a save (ERPNext's task roll-up uses db_update, firing no hook):
	recently completed projects of a Service Opportunity that have no "Project Delivered" survey yet."""
	project = frappe.qb.DocType("Project")
	opportunity = frappe.qb.DocType("Service Opportunity")
	survey = frappe.qb.DocType(SURVEY)
	surveyed = (
		frappe.qb.from_(survey)
		.select(survey.reference_name)
		.where(survey.reference_doctype == "Project")
		.where(survey.trigger == PROJECT_DELIVERED)
	)
	names = (
		frappe.qb.from_(project)
		.join(opportunity)
		.on(opportunity.project == project.name)
		.select(project.name)
		.distinct()
		.where(project.status == "Completed")
		.where(project.modified >= add_days(now_datetime(), -PROJECT_SWEEP_DAYS))
		.where(project.name.notin(surveyed))
		.limit(limit)
	).run(pluck=True)

	def schedule(name: str) -> bool:
		return bool(schedule_project_surveys(frappe.get_doc("Project", name)))

	return for_each(names, schedule, "Project Delivered survey failed", reference_doctype="Project")


PORTFOLIO = "Customer Portfolio"


def due_relationship_portfolios(limit: int | None = None) -> list[str]:
	"""The active portfolios whose next relationship survey is due (today or earlier), in one query on the
	stored due date (kept by brm_app.rhythm.cadence and mark_relationship_surveyed)."""
	table = frappe.qb.DocType(PORTFOLIO)
	query = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(table.relationship_status.isin(cadence.ACTIVE_STATUSES))
		.where(table.next_relationship_survey_due.isnotnull())
		.where(table.next_relationship_survey_due <= getdate())
		.orderby(table.next_relationship_survey_due)
		.orderby(table.name)
	)
	if limit:
		query = query.limit(limit)
	return query.run(pluck=True)


def schedule_due_relationship_surveys(limit: int | None = None) -> int:
	"""Daily: schedule the relationship survey of every active portfolio whose cadence came due
	(docs/rhythm-surveys.md); returns the portfolios handled. Each portfolio's row is locked and its due
	date checked again, and the round moves its due date on, so a second run sends nothing twice."""
	return for_each(
		due_relationship_portfolios(limit),
		schedule_relationship_round,
		"Relationship survey failed",
		reference_doctype=PORTFOLIO,
	)


def schedule_relationship_round(name: str) -> bool:
	table = frappe.qb.DocType(PORTFOLIO)
	rows = (
		frappe.qb.from_(table)
		.select(table.relationship_status, table.next_relationship_survey_due)
		.where(table.name == name)
		.for_update()
	).run(as_dict=True)
	if not rows or rows[0].relationship_status not in cadence.ACTIVE_STATUSES:
		return False
	due = rows[0].next_relationship_survey_due
	if not due or getdate(due) > getdate():
		return False  # handled meanwhile by another run
	portfolio = frappe.get_doc(PORTFOLIO, name)
	try:
		made, skipped = schedule_relationship_surveys(portfolio)
	except Skip as reason:
		note_skip(portfolio, str(reason))
		made, skipped = [], []
	for item in skipped:
		note_skip(portfolio, item["reason"])
	mark_relationship_surveyed(portfolio, surveyed=bool(made))
	return True


def mark_relationship_surveyed(portfolio, surveyed: bool = True) -> None:
	"""A relationship survey round of the portfolio took place today: the last survey date (when a survey
	was made) and the next due date, one cadence later, written by the server only."""
	values = {}
	if surveyed:
		values["last_relationship_survey_on"] = getdate()
	months = cadence.portfolio_months(cadence.SURVEY, portfolio)
	values["next_relationship_survey_due"] = getdate(add_months(getdate(), months)) if months > 0 else None
	frappe.db.set_value(PORTFOLIO, portfolio.name, values, update_modified=False)


def backfill_relationship_survey_dates(portfolios: list[str] | None = None) -> None:
	"""Set-based: each portfolio's last relationship survey is the latest relationship survey sent (when it
	has none recorded), and its next due date follows (brm_app.rhythm.cadence.refresh_next_due). For
	portfolios that had relationship surveys before the cadence existed (the migration patch) and for the
	demo data (both paths). Running it again changes nothing."""
	if portfolios is not None and not portfolios:
		return
	where = " and p.`name` in %(portfolios)s" if portfolios is not None else ""
	frappe.db.sql(
		f"""update `tabCustomer Portfolio` p
		join (select s.`portfolio`, max(date(s.`sent_on`)) last_sent from `tabSatisfaction Survey` s
			where s.`trigger` = %(trigger)s and s.`sent_on` is not null group by s.`portfolio`) t
			on t.`portfolio` = p.`name`
		set p.`last_relationship_survey_on` = t.last_sent
		where p.`last_relationship_survey_on` is null{where}""",
		{"trigger": RELATIONSHIP_REVIEW, "portfolios": tuple(portfolios or ())},
	)
	cadence.refresh_next_due(cadence.SURVEY, portfolios)


# --- helpers -------------------------------------------------------------------------------------------


def expiry_days() -> int:
	return cint(get_settings().survey_expiry_days) or DEFAULT_EXPIRY_DAYS


def lock(name: str, extra: tuple[str, ...] = ()) -> frappe._dict | None:
	"""Lock the survey's row and read its current (committed) status and times."""
	table = frappe.qb.DocType(SURVEY)
	fields = [table.name, table.status, table.expires_on, *(table[f] for f in extra)]
	rows = frappe.qb.from_(table).select(*fields).where(table.name == name).for_update().run(as_dict=True)
	return rows[0] if rows else None


def for_each(names: list[str], action, title: str, reference_doctype: str = SURVEY) -> int:
	"""Run `action(name)` per record in its own savepoint; count those that did something."""
	done = 0
	for name in names:
		messages = len(frappe.local.message_log or [])
		frappe.db.savepoint("brm_job_record")
		try:
			if action(name):
				done += 1
		except Exception:
			frappe.db.rollback(save_point="brm_job_record")
			del frappe.local.message_log[messages:]
			frappe.log_error(title=title, reference_doctype=reference_doctype, reference_name=name)
		commit()
	return done


def commit() -> None:
	"""Keep each record's work once it is done (not in tests: they run in a transaction rolled back)."""
	if not frappe.flags.in_test:
		frappe.db.commit()  # nosemgrep: per-record commit so a crash later in the run keeps finished records


def _dt(value):
	return get_datetime(value) if value else None
