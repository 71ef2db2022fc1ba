"""Recompute every Customer Portfolio's health score (docs/design.md "Customer Portfolio", scheduled hourly).

Set-based: one GROUP BY query per metric over all portfolios (survey responses: CSAT and NPS through
brm_app.surveys.counts; ticket SLA results, open complaints, agreement coverage), the score of each portfolio computed in Python by
brm_app.services.health with the BRM Settings weights, then the changed portfolios written back with a few
bulk UPDATE … CASE statements. A second run with nothing new changes nothing. `modified` is not touched, so
someone editing a portfolio meanwhile does not get a "document has been modified" conflict.

Window: responses and tickets of the last HEALTH_WINDOW_DAYS days. A part without data (no responses, no
tickets, no services consumed) is left out of the score rather than counted as 0, and stored as NULL (shown
empty), as is the score of a portfolio with no data at all: the columns are made nullable by
brm_app.setup.health_columns.
"""

import frappe
from frappe.utils import add_days, flt, getdate, now_datetime, today

from brm_app.integrations import HD_TICKET, helpdesk_installed
from brm_app.integrations.complaints import open_complaint_counts
from brm_app.services import kpi
from brm_app.services.health import band_changed, compute_health, health_parts
from brm_app.settings import health_weights
from brm_app.surveys.counts import response_counts

PORTFOLIO = "Customer Portfolio"
HEALTH_WINDOW_DAYS = 365
UPDATE_CHUNK = 200
SNAPSHOT = "Customer Health Snapshot"
WEEKLY, BAND_CHANGE = "Weekly", "Band Change"
# the band a changed portfolio had before this run, next to its new health fields (not a stored field)
BEFORE_RAG = "_before_rag"
STORED_FIELDS = (
	"health_score",
	"health_rag",
	"csat_score",
	"nps_score",
	"sla_compliance",
	"open_complaints",
	"agreement_coverage",
)


def recompute_health_scores(portfolios: list[str] | None = None) -> int:
	"""Recompute the health of all portfolios (or of `portfolios`); returns how many changed. A portfolio
	whose band (Green / Amber / Red) changed gets a Band Change snapshot (docs/health-over-time.md)."""
	changed = changed_health(portfolios)
	bulk_update(changed)  # on the primary
	moved = [
		name for name, values in changed.items() if band_changed(values.get(BEFORE_RAG), values["health_rag"])
	]
	snapshot_band_changes(moved)
	return len(changed)


@frappe.read_only()
def changed_health(portfolios: list[str] | None = None) -> dict[str, dict]:
	"""The new health fields of the portfolios whose figures changed. Reads only, so on a site with
	`read_from_replica` it runs on the read replica (a replica a little behind only delays a change to the
	next run); the write-back stays on the primary."""
	filters = {"name": ("in", portfolios)} if portfolios else {}
	rows = frappe.get_all(PORTFOLIO, filters=filters, fields=["name", "customer", *STORED_FIELDS])
	if not rows:
		return {}
	names = [row.name for row in rows]
	customers = [row.customer for row in rows]
	since = add_days(now_datetime(), -HEALTH_WINDOW_DAYS)

	responses = response_counts(
		"s.`portfolio`", since, condition="s.`portfolio` in %(portfolios)s", params={"portfolios": names}
	)
	tickets = sla_counts(customers, since)
	complaints = open_complaint_counts(customers)
	coverage = coverage_counts(names)
	weights = health_weights()

	changed = {}
	for row in rows:
		values = portfolio_health(
			responses.get(row.name),
			tickets.get(row.customer),
			complaints.get(row.customer, 0),
			coverage.get(row.name),
			weights,
		)
		if any(_differs(row.get(field), value) for field, value in values.items()):
			changed[row.name] = {**values, BEFORE_RAG: row.health_rag}
	return changed


def portfolio_health(responses, tickets, open_complaints, coverage, weights) -> dict:
	"""The stored health fields of one portfolio from its raw counts (None: no data). `responses`: the
	portfolio's brm_app.surveys.counts.response_counts; CSAT and NPS unrounded here (the score is computed
	from them), stored rounded to 2 decimals."""
	responses = responses or {}
	fulfilled, failed, ticket_count = tickets or (0, 0, 0)
	covered, consumed = coverage or (0, 0)
	csat = kpi.share(responses.get("satisfied"), responses.get("ratings"), digits=None)
	nps_value = kpi.nps(
		responses.get("promoters"), responses.get("detractors"), responses.get("nps_answers"), digits=None
	)
	parts = health_parts(
		csat_percent=csat,
		nps_score=nps_value,
		sla_fulfilled=fulfilled,
		sla_failed=failed,
		# no ticket at all: nothing to say about complaints either
		open_complaints=open_complaints if (ticket_count or open_complaints) else None,
		covered_services=min(covered, consumed),
		consumed_services=consumed,
	)
	result = compute_health(parts, weights)
	return {
		"health_score": result.score,
		"health_rag": result.rag or None,
		"csat_score": _rounded(csat),
		"nps_score": _rounded(nps_value),
		"sla_compliance": _rounded(parts.sla_compliance),
		"open_complaints": open_complaints if parts.complaints is not None else None,
		"agreement_coverage": _rounded(parts.agreement_coverage),
	}


def _rounded(value: float | None) -> float | None:
	"""A stored part: rounded to 2 decimals, or None (stored NULL) when there is no data for it."""
	return round(value, 2) if value is not None else None


# --- one query per metric -------------------------------------------------------------------------------


def sla_counts(customers: list[str], since) -> dict[str, tuple[int, int, int]]:
	"""customer -> (SLA fulfilled, SLA failed, tickets) of Issues (and HD Tickets) opened in the window."""
	counts: dict[str, list[int]] = {}
	queries = [
		"""
		select customer,
			sum(case when agreement_status = 'Fulfilled' then 1 else 0 end),
			sum(case when agreement_status = 'Failed' then 1 else 0 end),
			count(*)
		from `tabIssue`
		where opening_date >= %(since)s and customer in %(customers)s
		group by customer
		"""
	]
	if helpdesk_installed():
		# an HD Customer counts for the ERPNext Customer of the same name
		queries.append(
			f"""
			select customer,
				sum(case when agreement_status = 'Fulfilled' then 1 else 0 end),
				sum(case when agreement_status = 'Failed' then 1 else 0 end),
				count(*)
			from `tab{HD_TICKET}`
			where opening_date >= %(since)s and customer in %(customers)s
			group by customer
			"""
		)
	for query in queries:
		for customer, fulfilled, failed, total in frappe.db.sql(
			query, {"since": since.date(), "customers": customers}
		):
			total_row = counts.setdefault(customer, [0, 0, 0])
			total_row[0] += int(fulfilled or 0)
			total_row[1] += int(failed or 0)
			total_row[2] += int(total)
	return {customer: tuple(values) for customer, values in counts.items()}


def coverage_counts(portfolios: list[str]) -> dict[str, tuple[int, int]]:
	"""portfolio -> (consumed services under an Active / Expiring agreement, services consumed).

	Plain joins on indexed columns (the customer's agreements, their services by parent): a derived table
	of all covered (customer, service) pairs joined back took minutes at 10,000 portfolios.
	"""
	rows = frappe.db.sql(
		"""
		select ps.parent,
			count(distinct case when ags.name is not null then ps.it_service end),
			count(distinct ps.it_service)
		from `tabPortfolio Service` ps
		join `tabCustomer Portfolio` p on p.name = ps.parent
		left join `tabCustomer Agreement` ca on ca.customer = p.customer and ca.docstatus = 1
			and ca.status in ('Active', 'Expiring')
		left join `tabAgreement Service` ags on ags.parent = ca.name
			and ags.parenttype = 'Customer Agreement' and ags.it_service = ps.it_service
		where ps.parenttype = 'Customer Portfolio' and ps.parent in %(portfolios)s
		group by ps.parent
		""",
		{"portfolios": portfolios},
	)
	return {portfolio: (int(covered), int(consumed)) for portfolio, covered, consumed in rows}


# --- bulk write ------------------------------------------------------------------------------------------


def bulk_update(changed: dict[str, dict]) -> None:
	"""UPDATE … SET field = CASE name WHEN … END for UPDATE_CHUNK portfolios at a time."""
	names = list(changed)
	stamp = now_datetime()
	for start in range(0, len(names), UPDATE_CHUNK):
		chunk = names[start : start + UPDATE_CHUNK]
		assignments, params = [], []
		for field in STORED_FIELDS:
			cases = " ".join("when %s then %s" for _name in chunk)
			assignments.append(f"`{field}` = case `name` {cases} end")
			for name in chunk:
				params.extend((name, changed[name][field]))
		assignments.append("`health_updated_on` = %s")
		params.append(stamp)
		placeholders = ", ".join(["%s"] * len(chunk))
		frappe.db.sql(
			f"update `tab{PORTFOLIO}` set {', '.join(assignments)} where `name` in ({placeholders})",
			[*params, *chunk],
		)


def _differs(stored, computed) -> bool:
	"""Whether a stored health field must be rewritten: no data (NULL) and 0 are different values."""
	if isinstance(stored, str) or isinstance(computed, str):
		return (stored or "") != (computed or "")
	if stored is None or computed is None:
		return (stored is None) != (computed is None)
	return abs(flt(stored) - flt(computed)) > 0.005


# --- health over time (docs/health-over-time.md) ---------------------------------------------------------

SNAPSHOT_COLUMNS = (
	"portfolio",
	"customer",
	"customer_name",
	"relationship_manager",
	"snapshot_date",
	"reason",
	*STORED_FIELDS,
)


def week_start(day=None):
	"""The Monday of the week of `day` (today by default): the date a weekly snapshot is stored under."""
	day = getdate(day or today())
	return add_days(day, -day.weekday())


def snapshot_weekly_health(day=None, portfolios: list[str] | None = None) -> int:
	"""Store this week's snapshot of every scored portfolio (or of `portfolios`): one INSERT … SELECT from
	the health fields the hourly job stores on the portfolio. The unique key (portfolio, snapshot_date,
	reason) keeps a second run in the same week from storing anything; returns how many were added."""
	condition, params = "p.`health_score` is not null", {}
	if portfolios is not None:
		if not portfolios:
			return 0
		condition += " and p.`name` in %(portfolios)s"
		params["portfolios"] = portfolios
	return _insert_snapshots(week_start(day), WEEKLY, condition, params)


def snapshot_band_changes(portfolios: list[str], day=None) -> int:
	"""A Band Change snapshot of `portfolios` (just recomputed) dated `day`: one per portfolio and day,
	the last band of the day winning."""
	if not portfolios:
		return 0
	return _insert_snapshots(
		getdate(day or today()),
		BAND_CHANGE,
		"p.`name` in %(portfolios)s",
		{"portfolios": portfolios},
		refresh=True,
	)


def _insert_snapshots(day, reason: str, condition: str, params: dict, refresh: bool = False) -> int:
	"""INSERT … SELECT the portfolios matching `condition` as snapshots of `day` and `reason`. The name is
	derived from the key, so the row of a key is always the same one. On a duplicate key the row is left
	alone, or with `refresh` takes the portfolio's current figures."""
	stamp = now_datetime()
	fields = ", ".join(f"`{field}`" for field in SNAPSHOT_COLUMNS)
	parts = ", ".join(f"p.`{field}`" for field in STORED_FIELDS)
	table = f"`tab{SNAPSHOT}`"
	on_duplicate = (
		", ".join(f"{table}.`{field}` = values(`{field}`)" for field in (*STORED_FIELDS, "modified"))
		if refresh
		else f"{table}.`name` = {table}.`name`"
	)
	frappe.flags.in_health_snapshot = True
	try:
		frappe.db.sql(
			f"""
			insert into `tab{SNAPSHOT}` (`name`, {fields}, `creation`, `modified`, `owner`, `modified_by`,
				`docstatus`, `idx`)
			select md5(concat(p.`name`, '|', %(day)s, '|', %(reason)s)), p.`name`, p.`customer`,
				p.`customer_name`, p.`relationship_manager`, %(day)s, %(reason)s, {parts},
				%(stamp)s, %(stamp)s, 'Administrator', 'Administrator', 0, 0
			from `tab{PORTFOLIO}` p
			where {condition}
			on duplicate key update {on_duplicate}
			""",
			{**params, "day": day, "reason": reason, "stamp": stamp},
		)
		# MariaDB counts an untouched duplicate as 0 rows (and a refreshed one as 2)
		return frappe.db._cursor.rowcount if not refresh else len(params["portfolios"])
	finally:
		frappe.flags.in_health_snapshot = False
