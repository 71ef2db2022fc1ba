"""The daily alert job (docs/alerts.md): open one BRM Alert and one ToDo per cause, close them when it clears.

Set-based over all portfolios: one SELECT per rule that is switched on finds its current causes, one SELECT
reads the open alerts, then new causes are inserted in bulk (alerts, then their ToDos) and the alerts whose
cause is gone (or whose rule is off) are closed with one UPDATE (their ToDos with another). A second run
with nothing new opens and closes nothing: `open_key` (the cause key while the alert is open) is unique.

The relationship managers who got new ToDos are told once per run (frappe's assignment notification, which
also e-mails them unless they turned that off).
"""

import json

import frappe
from frappe import _
from frappe.utils import add_days, cint, cstr, escape_html, flt, formatdate, getdate, now_datetime

from brm_app.services import alerts as rules
from brm_app.services.agreement_status import notice_deadline_sql
from brm_app.services.opportunity_status import FINAL
from brm_app.settings import get_settings

ALERT = "BRM Alert"
CHUNK = 1000
# a Detractor's response is a signal for this long after it came in (as the CSAT / NPS cards' 90 days)
DETRACTOR_WINDOW_DAYS = 90
ALERT_FIELDS = (
	"name",
	"rule",
	"status",
	"message",
	"portfolio",
	"customer",
	"customer_name",
	"relationship_manager",
	"cause_doctype",
	"cause_name",
	"cause_key",
	"open_key",
	"opened_on",
	"todo",
	"_assign",
	"owner",
	"modified_by",
	"creation",
	"modified",
)
TODO_FIELDS = (
	"name",
	"status",
	"priority",
	"date",
	"allocated_to",
	"description",
	"reference_type",
	"reference_name",
	"assigned_by",
	"owner",
	"modified_by",
	"creation",
	"modified",
)


def run_alerts() -> dict:
	"""Open the alerts of new causes and close those whose cause cleared; returns the counts.

	The daily job (hooks.scheduler_events); also what the benchmark times at 10,000 portfolios."""
	now = now_datetime()
	causes = current_causes(getdate(now))
	open_alerts = frappe.db.sql(
		f"select `open_key`, `name`, `todo` from `tab{ALERT}` where `status` = 'Open'", as_dict=True
	)
	open_keys = {row.open_key for row in open_alerts}
	cleared = [row for row in open_alerts if row.open_key not in causes]
	new = [cause for key, cause in causes.items() if key not in open_keys]
	close(cleared, now)
	follow_handovers()
	opened = open_new(new, now)
	return {"opened": opened, "closed": len(cleared)}


# --- causes: one query per rule ---------------------------------------------------------------------------


def current_causes(today) -> dict[str, dict]:
	"""cause key -> cause (rule, cause doctype/name, portfolio, message) of every rule switched on."""
	settings = get_settings()
	causes = {}
	for rule, finder in FINDERS.items():
		if not cint(settings.get(rule.setting)):
			continue
		for row in finder(today, settings):
			key = rules.cause_key(rule, *row.pop("key"))
			causes[key] = {"rule": rule.label, "cause_key": key, **row}
	return causes


PORTFOLIO_COLUMNS = "p.`name` as portfolio, p.`customer`, p.`customer_name`, p.`relationship_manager`"


def health_drops(today, settings) -> list[dict]:
	"""The portfolios whose score is at least X points below their latest weekly snapshot before today."""
	rows = frappe.db.sql(
		f"""
		select {PORTFOLIO_COLUMNS}, p.`health_score` as current, s.`health_score` as previous
		from `tabCustomer Portfolio` p
		join (
			select `portfolio`, max(`snapshot_date`) as snapshot_date
			from `tabCustomer Health Snapshot`
			where `reason` = 'Weekly' and `snapshot_date` < %(today)s
			group by `portfolio`
		) latest on latest.`portfolio` = p.`name`
		join `tabCustomer Health Snapshot` s on s.`portfolio` = latest.`portfolio`
			and s.`snapshot_date` = latest.`snapshot_date` and s.`reason` = 'Weekly'
		where p.`health_score` is not null and s.`health_score` is not null
			and s.`health_score` > p.`health_score`
			and s.`health_score` - p.`health_score` >= %(points)s
		""",
		{"today": today, "points": max(flt(settings.alert_health_drop_points), 0)},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.portfolio,),
			"Customer Portfolio",
			row.portfolio,
			_("Health score of {0} fell from {1} to {2} since the last weekly snapshot.").format(
				_esc(row.customer_name), _number(row.previous), _number(row.current)
			),
		)
		for row in _unique(rows, "portfolio")
	]


def at_risk(today, settings) -> list[dict]:
	"""The portfolios whose health is Red."""
	rows = frappe.db.sql(
		f"""select {PORTFOLIO_COLUMNS}, p.`health_score` as score
		from `tabCustomer Portfolio` p where p.`health_rag` = 'Red'""",
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.portfolio,),
			"Customer Portfolio",
			row.portfolio,
			_("{0} is At Risk: its health is Red (score {1}).").format(
				_esc(row.customer_name), _number(row.score)
			),
		)
		for row in rows
	]


def detractors(today, settings) -> list[dict]:
	"""Answered surveys of a Detractor, responded in the last DETRACTOR_WINDOW_DAYS days, whose follow-up
	ToDo is not done yet (or was never opened)."""
	rows = frappe.db.sql(
		f"""
		select {PORTFOLIO_COLUMNS}, s.`name` as survey, s.`email`, s.`nps_score`, s.`follow_up`
		from `tabSatisfaction Survey` s
		join `tabCustomer Portfolio` p on p.`name` = s.`portfolio`
		left join `tabToDo` t on t.`name` = s.`follow_up`
		where s.`status` = 'Responded' and s.`nps_category` = 'Detractor'
			and s.`responded_on` >= %(since)s
			and (s.`follow_up` is null or s.`follow_up` = '' or t.`status` = 'Open')
		""",
		{"since": add_days(today, -DETRACTOR_WINDOW_DAYS)},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.survey,),
			"Satisfaction Survey",
			row.survey,
			_("Detractor response from {0} of {1} (NPS {2}).").format(
				_esc(row.email), _esc(row.customer_name), cint(row.nps_score)
			),
			todo=row.follow_up or None,
		)
		for row in rows
	]


def overdue_outcomes(today, settings) -> list[dict]:
	"""Business outcomes past their target date that are neither Achieved nor Dropped."""
	rows = frappe.db.sql(
		f"""
		select {PORTFOLIO_COLUMNS}, o.`name` as outcome, o.`objective`, o.`target_date`
		from `tabPortfolio Business Outcome` o
		join `tabCustomer Portfolio` p on p.`name` = o.`parent`
		where o.`parenttype` = 'Customer Portfolio' and o.`target_date` < %(today)s
			and coalesce(o.`status`, '') not in ('Achieved', 'Dropped')
		""",
		{"today": today},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.outcome,),
			"Customer Portfolio",
			row.portfolio,
			_("Outcome {0} of {1} was due on {2} and is not achieved.").format(
				_esc(row.objective), _esc(row.customer_name), formatdate(row.target_date)
			),
		)
		for row in rows
	]


def notice_windows(today, settings) -> list[dict]:
	"""Running agreements, not terminated nor renewed, from their notice deadline to their end date."""
	deadline = notice_deadline_sql("ca")
	rows = frappe.db.sql(
		f"""
		select {PORTFOLIO_COLUMNS}, ca.`name` as agreement, {deadline} as deadline
		from `tabCustomer Agreement` ca
		join `tabCustomer Portfolio` p on p.`name` = ca.`portfolio`
		where ca.`docstatus` = 1 and ca.`status` in ('Active', 'Expiring')
			and ca.`terminated_on` is null and ca.`end_date` >= %(today)s
			and {deadline} <= %(today)s
			and not exists (
				select 1 from `tabCustomer Agreement` successor
				where successor.`previous_agreement` = ca.`name` and successor.`docstatus` < 2
			)
		""",
		{"today": today},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.agreement,),
			"Customer Agreement",
			row.agreement,
			_("Agreement {0} of {1} is in its notice window: notice must be given by {2}.").format(
				_esc(row.agreement), _esc(row.customer_name), formatdate(row.deadline)
			),
		)
		for row in rows
	]


def overdue_reviews(today, settings) -> list[dict]:
	"""Portfolios whose next service review was due before today (no due date: no cadence, no alert)."""
	rows = frappe.db.sql(
		f"""select {PORTFOLIO_COLUMNS}, p.`next_review_due` as due
		from `tabCustomer Portfolio` p where p.`next_review_due` < %(today)s""",
		{"today": today},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.portfolio,),
			"Customer Portfolio",
			row.portfolio,
			_("{0} has not been reviewed: a service review was due on {1}.").format(
				_esc(row.customer_name), formatdate(row.due)
			),
		)
		for row in rows
	]


def stale_opportunities(today, settings) -> list[dict]:
	"""Open opportunities in the same status for at least N days."""
	rows = frappe.db.sql(
		f"""
		select {PORTFOLIO_COLUMNS}, o.`name` as opportunity, o.`opportunity_title` as title, o.`status`, o.`status_since`
		from `tabService Opportunity` o
		join `tabCustomer Portfolio` p on p.`name` = o.`portfolio`
		where o.`status` not in %(final)s and o.`status_since` <= %(since)s
		""",
		{"final": tuple(FINAL), "since": add_days(today, -cint(settings.alert_opportunity_stale_days))},
		as_dict=True,
	)
	return [
		_cause(
			row,
			(row.opportunity, row.status),
			"Service Opportunity",
			row.opportunity,
			_("Opportunity {0} of {1} has been {2} since {3}.").format(
				_esc(row.title or row.opportunity),
				_esc(row.customer_name),
				_(row.status),
				formatdate(getdate(row.status_since)),
			),
		)
		for row in rows
	]


FINDERS = {
	rules.HEALTH_DROP: health_drops,
	rules.AT_RISK: at_risk,
	rules.DETRACTOR: detractors,
	rules.OUTCOME_OVERDUE: overdue_outcomes,
	rules.NOTICE_WINDOW: notice_windows,
	rules.REVIEW_OVERDUE: overdue_reviews,
	rules.OPPORTUNITY_STALE: stale_opportunities,
}


def _cause(row, key, cause_doctype, cause_name, message, todo=None) -> dict:
	return {
		"key": key,
		"cause_doctype": cause_doctype,
		"cause_name": cause_name,
		"portfolio": row.portfolio,
		"customer": row.customer,
		"customer_name": row.customer_name,
		"relationship_manager": row.relationship_manager,
		"message": message,
		"todo": todo,
	}


def _unique(rows, field):
	seen = {}
	for row in rows:
		seen.setdefault(row[field], row)
	return list(seen.values())


def _esc(value) -> str:
	return escape_html(cstr(value))


def _number(value) -> str:
	return "" if value is None else f"{flt(value):.1f}"


# --- writes -----------------------------------------------------------------------------------------------


def close(cleared: list, now) -> None:
	"""Close the alerts whose cause is gone, and the ToDos they opened (a survey's follow-up stays)."""
	for start in range(0, len(cleared), CHUNK):
		chunk = cleared[start : start + CHUNK]
		names = [row.name for row in chunk]
		frappe.db.sql(
			f"""update `tab{ALERT}` set `status` = 'Closed', `open_key` = null, `closed_on` = %(now)s,
			`modified` = %(now)s where `name` in %(names)s and `status` = 'Open'""",
			{"now": now, "names": names},
		)
		todos = [row.todo for row in chunk if row.todo]
		if todos:
			frappe.db.sql(
				f"""update `tabToDo` set `status` = 'Closed', `modified` = %(now)s
				where `name` in %(todos)s and `status` = 'Open' and `reference_type` = '{ALERT}'""",
				{"now": now, "todos": todos},
			)


def follow_handovers() -> None:
	"""Open alerts name their portfolio's current relationship manager, so that *My Alerts* follows a
	handover; their ToDos stay with whom they were assigned to. A plain SELECT then UPDATEs by alert name:
	an UPDATE … JOIN would lock every portfolio row it reads until the job commits."""
	moved = frappe.db.sql(
		f"""select a.`name`, p.`relationship_manager` from `tab{ALERT}` a
		join `tabCustomer Portfolio` p on p.`name` = a.`portfolio`
		where a.`status` = 'Open' and not (a.`relationship_manager` <=> p.`relationship_manager`)"""
	)
	for start in range(0, len(moved), CHUNK):
		chunk = moved[start : start + CHUNK]
		cases = " ".join("when %s then %s" for _row in chunk)
		placeholders = ", ".join(["%s"] * len(chunk))
		frappe.db.sql(
			f"""update `tab{ALERT}` set `relationship_manager` = case `name` {cases} end
			where `name` in ({placeholders})""",
			[*(value for row in chunk for value in row), *(row[0] for row in chunk)],
		)


def open_new(new: list[dict], now) -> int:
	"""Insert the new alerts (an alert already open for the key is skipped), then a ToDo for each alert
	without one whose relationship manager is an enabled user; notify those managers."""
	if not new:
		return 0
	enabled = set(
		frappe.get_all(
			"User",
			filters={"enabled": 1, "name": ("in", list({c["relationship_manager"] for c in new} - {None}))},
			pluck="name",
		)
	)
	for cause in new:
		cause["name"] = frappe.generate_hash(length=10)
		manager = cause["relationship_manager"]
		if not cause["todo"] and manager in enabled:
			cause["new_todo"] = frappe.generate_hash(length=10)
			cause["todo"] = cause["new_todo"]
	frappe.db.bulk_insert(
		ALERT,
		ALERT_FIELDS,
		(
			(
				cause["name"],
				cause["rule"],
				rules.OPEN,
				cause["message"],
				cause["portfolio"],
				cause["customer"],
				cause["customer_name"],
				cause["relationship_manager"],
				cause["cause_doctype"],
				cause["cause_name"],
				cause["cause_key"],
				cause["cause_key"],
				now,
				cause["todo"],
				json.dumps([cause["relationship_manager"]]) if cause.get("new_todo") else None,
				"Administrator",
				"Administrator",
				now,
				now,
			)
			for cause in new
		),
		ignore_duplicates=True,
		chunk_size=CHUNK,
	)
	inserted = set()
	names = [cause["name"] for cause in new]
	for start in range(0, len(names), CHUNK):
		inserted.update(
			frappe.get_all(ALERT, filters={"name": ("in", names[start : start + CHUNK])}, pluck="name")
		)
	created = [cause for cause in new if cause["name"] in inserted]
	with_todo = [cause for cause in created if cause.get("new_todo")]
	frappe.db.bulk_insert(
		"ToDo",
		TODO_FIELDS,
		(
			(
				cause["new_todo"],
				"Open",
				"High",
				getdate(now),
				cause["relationship_manager"],
				f"<p>{cause['message']}</p>",
				ALERT,
				cause["name"],
				"Administrator",
				"Administrator",
				"Administrator",
				now,
				now,
			)
			for cause in with_todo
		),
		chunk_size=CHUNK,
	)
	link_follow_ups(with_todo)
	notify(with_todo)
	return len(created)


def link_follow_ups(with_todo: list[dict]) -> None:
	"""A Detractor's survey without a follow-up gets the alert's ToDo as its follow-up: one ToDo per response."""
	surveys = [
		(cause["cause_name"], cause["new_todo"])
		for cause in with_todo
		if cause["cause_doctype"] == "Satisfaction Survey"
	]
	for start in range(0, len(surveys), CHUNK):
		chunk = surveys[start : start + CHUNK]
		cases = " ".join("when %s then %s" for _pair in chunk)
		params = [value for pair in chunk for value in pair]
		placeholders = ", ".join(["%s"] * len(chunk))
		frappe.db.sql(
			f"""update `tabSatisfaction Survey` set `follow_up` = case `name` {cases} end
			where `name` in ({placeholders}) and (`follow_up` is null or `follow_up` = '')""",
			[*params, *(survey for survey, _todo in chunk)],
		)


def notify(with_todo: list[dict]) -> None:
	"""One assignment notification per relationship manager (e-mailed by frappe per their settings)."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	by_manager: dict[str, list[dict]] = {}
	for cause in with_todo:
		by_manager.setdefault(cause["relationship_manager"], []).append(cause)
	for manager, causes in by_manager.items():
		subject = (
			_("New alert: {0}").format(causes[0]["message"])
			if len(causes) == 1
			else _("{0} new alerts for your customers").format(len(causes))
		)
		enqueue_create_notification(
			manager,
			{
				"type": "Assignment",
				"document_type": ALERT,
				"document_name": causes[0]["name"],
				"subject": subject,
				"from_user": "Administrator",
				"email_content": "".join(f"<p>{cause['message']}</p>" for cause in causes[:50]),
			},
		)
