"""Benchmark the BRM reports, the health recompute and the Customer Portfolio form at scale (issue #6).

    scripts/dev frappe --site brm-bench.localhost brm-demo --scale 10000      # the data, once (bulk path)
    scripts/dev python scripts/benchmark.py --site brm-bench.localhost [--runs 11] [--no-write]

In one run, against the site's data as it is:

- each BRM script report with its default filters, as a Business Relationship Manager (row-level access
  applies) and as a BRM Process Manager (sees everything), timed end to end through
  frappe.desk.query_report.run and as its own execute(filters); beside it the baseline, hand-written SQL
  computing what the report shows (ReportCase), and one aggregate of its headline figure alone; all of
  them in interleaved rounds (one untimed warm-up round, then the median of --runs);
- ERPNext's stock "Issue Summary" report over the same Issues, as K5's peer, with its own baseline;
- the health-score recompute of every portfolio (brm_app.jobs.health), all portfolios rewritten and
  nothing to rewrite;
- the Customer Portfolio form load: frappe.desk.form.load.getdoc plus the dashboard counts
  (frappe.desk.notifications.get_open_count), as the portfolio's relationship manager;
- the relationship rhythm (issue 18): the daily alert job over all portfolios (nothing new; every alert
  opened afresh), the weekly health snapshot (first run of the week; second run) beside a hand-written
  INSERT … SELECT of the same rows, the daily selection of portfolios due a relationship survey, and one
  Service Review's prefilled agenda and its PDF pack for a customer given 200 Issues and 20 answered
  surveys in the review's period;
- EXPLAIN of the slowest query of the slowest report.

It prints a Markdown report and, unless --no-write, puts it into docs/benchmarks.md between the
"benchmark:start" / "benchmark:end" markers. Everything it writes on the site is rolled back.
"""

import argparse
import contextlib
import http.server
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
PROCESS_MANAGER_EMAIL = "process.manager@brm-demo.example.com"
TARGET_REPORT_SECONDS = 1.0
TARGET_RATIO = 2.0
TARGET_HEALTH_SECONDS = 30.0
TARGET_FORM_SECONDS = 0.3
# the relationship rhythm (issue 18, docs/relationship-rhythm.md)
TARGET_ALERT_JOB_SECONDS = 60.0
TARGET_SNAPSHOT_SECONDS = 30.0
TARGET_AGENDA_SECONDS = 0.3
TARGET_PACK_SECONDS = 3.0
REVIEW_ISSUES, REVIEW_SURVEYS = 200, 20


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default=os.environ.get("BRM_BENCH_SITE", "brm-bench.localhost"))
	parser.add_argument(
		"--runs", type=int, default=11, help="timed rounds per measurement (median; default 11, at least 5)"
	)
	parser.add_argument("--form-runs", type=int, default=20, help="timed form loads (default 20)")
	parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
	parser.add_argument("--only", action="append", help="benchmark only this report (repeatable)")
	args = parser.parse_args()
	args.runs = max(5, args.runs)

	bench = Path(os.environ.get("BRM_BENCH_DIR", Path.home() / ".local/share/brm_app/bench"))
	os.chdir(bench / "sites")
	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	load_before = os.getloadavg()
	started = time.monotonic()
	try:
		bench_run = Benchmark(frappe, args)
		bench_run.run()
	finally:
		frappe.db.rollback()
		frappe.destroy()
	markdown = bench_run.markdown(load_before, os.getloadavg(), time.monotonic() - started)
	print(markdown)
	if not args.no_write:
		write_doc(markdown)
		print(f"\nwritten to {DOC.relative_to(REPO)}")
	return 0


# --- the reports, their default filters and their baselines -----------------------------------------


def year_window(frappe) -> dict:
	"""The last twelve months up to today."""
	today = date.today()
	return {"from_date": str(today - timedelta(days=365)), "to_date": str(today)}


def this_quarter(frappe) -> dict:
	from brm_app.brm_app.report.shared.common import this_quarter as quarter

	start, end = quarter()
	return {"from_date": str(start), "to_date": str(end)}


def last_3_months(frappe) -> dict:
	from brm_app.brm_app.report.shared.common import last_3_months as months

	start, end = months()
	return {"from_date": str(start), "to_date": str(end)}


def last_12_months(frappe) -> dict:
	from brm_app.brm_app.report.shared.common import last_12_months as months

	start, end = months()
	return {"from_date": str(start), "to_date": str(end)}


class ReportCase:
	"""One report: its default filters (as its .js sets them), the baseline and a headline-only aggregate.

	- baseline: hand-written SQL computing what the report shows with its default filters (its rows, summary
	  and chart figures), one grouped aggregate per table / date axis, as a person would write it without
	  the app's code; the row-level scope as literal IN lists (looked up before timing: this favours the
	  baseline);
	- headline: one SQL aggregate of the report's headline figure alone (the earlier baseline), for reference.
	"""

	def __init__(self, name, headline, filters, headline_sql, baseline, output):
		self.name = name
		self.headline = headline
		self.filters = filters  # frappe -> dict
		self.headline_sql = headline_sql  # (frappe, filters, Scope) -> (sql, values)
		self.baseline = baseline  # (frappe, filters, Scope) -> [(sql, values), ...]
		self.output = output  # what the baseline computes, in words


class Scope:
	"""The portfolios (and their customers) a user may see, as SQL conditions on literal lists; no condition
	for full access. Looked up once, before any timing."""

	def __init__(self, frappe, user):
		from brm_app.access.rules import allowed_portfolios_sql, restricted_user

		self.frappe = frappe
		self.restricted = restricted_user(user)
		self.portfolios = self.customers = None
		if self.restricted:
			rows = frappe.db.sql(
				f"""select p.name, p.customer from `tabCustomer Portfolio` p
				join ({allowed_portfolios_sql(user)}) a on a.name = p.name"""
			)
			self.portfolios = [r[0] for r in rows]
			self.customers = [r[1] for r in rows]

	def _in(self, column, values) -> str:
		if values is None:
			return ""
		if not values:
			return " and 1 = 0"
		return f" and {column} in ({', '.join(self.frappe.db.escape(v) for v in values)})"

	def portfolio(self, column) -> str:
		return self._in(column, self.portfolios)

	def customer(self, column) -> str:
		return self._in(column, self.customers)


def _until(filters) -> dict:
	return {**filters, "until": str(date.fromisoformat(filters["to_date"]) + timedelta(days=1))}


def _ticket_doctypes(frappe) -> list[tuple[str, str, str]]:
	"""(table, complaint type column, Service Opportunity source column) of the ticket tables present."""
	tables = [("Issue", "issue_type", "source_issue")]
	if frappe.db.table_exists("HD Ticket"):
		tables.append(("HD Ticket", "ticket_type", "source_hd_ticket"))
	return tables


# --- headline-only aggregates (reference) ---------------------------------------------------------------


def csat_headline(frappe, filters, scope):
	# CSAT %: rating answers of 4-5 over all rating answers of the surveys responded in the period
	return (
		"""select 100 * sum(s.satisfied_count) / sum(s.rating_count)
		from `tabSatisfaction Survey` s
		where s.status = 'Responded' and s.responded_on >= %(from_date)s and s.responded_on < %(until)s"""
		+ scope.portfolio("s.portfolio"),
		_until(filters),
	)


def health_headline(frappe, filters, scope):
	# portfolios by RAG and their mean health score, and how many moved since the weekly snapshot 4 weeks ago
	return (
		"""select s.health_rag, count(*), avg(s.health_score), count(t.name)
		from `tabCustomer Portfolio` s
		left join `tabCustomer Health Snapshot` t on t.portfolio = s.name and t.reason = 'Weekly'
			and t.snapshot_date = %(then)s and t.health_score != s.health_score
		where s.relationship_status != 'Ended'"""
		+ scope.portfolio("s.name")
		+ " group by s.health_rag",
		{"then": str(_compared_week())},
	)


def _compared_week(weeks: int = 4) -> date:
	"""The Monday of the week Customer Health compares with by default (4 weeks before this week's)."""
	today = date.today()
	return today - timedelta(days=today.weekday() + 7 * weeks)


def renewals_headline(frappe, filters, scope):
	# submitted Active / Expiring agreements ending within the next `days_ahead` days, and their value
	today = date.today()
	return (
		"""select count(*), sum(s.agreement_value)
		from `tabCustomer Agreement` s
		where s.docstatus = 1 and s.status in ('Active', 'Expiring')
			and s.end_date between %(today)s and %(horizon)s"""
		+ scope.portfolio("s.portfolio"),
		{"today": str(today), "horizon": str(today + timedelta(days=int(filters["days_ahead"])))},
	)


def pipeline_headline(frappe, filters, scope):
	# business cases created in the period by workflow state, with their total cost and NPV
	return (
		"""select s.workflow_state, count(*), sum(s.total_cost), sum(s.npv)
		from `tabBusiness Case` s
		where s.docstatus < 2 and s.creation >= %(from_date)s and s.creation < %(until)s"""
		+ scope.portfolio("s.portfolio")
		+ " group by s.workflow_state",
		_until(filters),
	)


# --- baselines: the report's default output in hand-written SQL ----------------------------------------


def scorecard_baseline(frappe, filters, scope):
	"""K1-K7's counts for the period and the previous one (same length, ending the day before)."""
	from brm_app.integrations.complaints import complaint_types
	from brm_app.services.kpi import previous_period

	start, end = date.fromisoformat(filters["from_date"]), date.fromisoformat(filters["to_date"])
	prev_from, _prev_to = previous_period(start, end)
	v = {
		"prev": str(prev_from),
		"split": str(start),
		"to": str(end),
		"until": str(end + timedelta(days=1)),
		"types": tuple(complaint_types()) or ("",),
	}
	p = scope.portfolio
	statements = [
		# K1 / K5: active portfolios, those with an outcome Agreed or Achieved, those with one Achieved
		(
			"""select count(*), count(o.parent), sum(o.achieved) from `tabCustomer Portfolio` cp
			left join (select parent, max(status = 'Achieved') as achieved from `tabPortfolio Business Outcome`
				where parenttype = 'Customer Portfolio' and status in ('Agreed', 'Achieved') group by parent) o
			on o.parent = cp.name
			where cp.relationship_status in ('Active', 'At Risk')"""
			+ p("cp.name"),
			v,
		),
		# K2: cases approved per period and their median days from draft to approval
		(
			"""select distinct bc.decided_on >= %(split)s,
				count(*) over (partition by bc.decided_on >= %(split)s),
				median(bc.cycle_time_days) over (partition by bc.decided_on >= %(split)s)
			from `tabBusiness Case` bc
			where bc.docstatus = 1 and bc.decision = 'Approved' and bc.decided_on >= %(prev)s
				and bc.decided_on < %(until)s"""
			+ p("bc.portfolio"),
			v,
		),
		# K2: their requirements, all and signed off
		(
			"""select bc.decided_on >= %(split)s, count(*), sum(ifnull(r.signed_off_by, '') != '')
			from `tabBusiness Case Requirement` r join `tabBusiness Case` bc on bc.name = r.parent
			where r.parenttype = 'Business Case' and bc.docstatus = 1 and bc.decision = 'Approved'
				and bc.decided_on >= %(prev)s and bc.decided_on < %(until)s"""
			+ p("bc.portfolio")
			+ " group by 1",
			v,
		),
		# K3 / K4: opportunities of the two types per period, and those that reached a business case
		(
			"""select so.opportunity_type, so.creation >= %(split)s, count(*),
				sum(ifnull(so.business_case, '') != '')
			from `tabService Opportunity` so
			where so.opportunity_type in ('Service Change', 'Technology Innovation')
				and so.creation >= %(prev)s and so.creation < %(until)s"""
			+ p("so.portfolio")
			+ " group by 1, 2",
			v,
		),
		# K6: surveys sent per period and kind (relationship / delivery / neither), and responded
		(
			f"""select s.sent_on >= %(split)s, {SURVEY_KIND}, count(*), sum(s.status = 'Responded')
			from `tabSatisfaction Survey` s where s.sent_on >= %(prev)s and s.sent_on < %(until)s"""
			+ p("s.portfolio")
			+ " group by 1, 2",
			v,
		),
		# K6 / K7: responses per period and kind: NPS categories, CSAT rating counts
		(
			f"""select s.responded_on >= %(split)s, {SURVEY_KIND}, sum(s.nps_category = 'Promoter'),
				sum(s.nps_category = 'Passive'), sum(s.nps_category = 'Detractor'),
				sum(ifnull(s.nps_category, '') != ''), sum(s.satisfied_count), sum(s.rating_count)
			from `tabSatisfaction Survey` s
			where s.status = 'Responded' and s.responded_on >= %(prev)s and s.responded_on < %(until)s"""
			+ p("s.portfolio")
			+ " group by 1, 2",
			v,
		),
		# K7: detractors per period that are the source of a Service Opportunity
		(
			"""select s.responded_on >= %(split)s, count(distinct s.name)
			from `tabSatisfaction Survey` s join `tabService Opportunity` so on so.source_survey = s.name
			where s.status = 'Responded' and s.nps_category = 'Detractor'
				and s.responded_on >= %(prev)s and s.responded_on < %(until)s"""
			+ p("s.portfolio")
			+ " group by 1",
			v,
		),
	]
	# (source condition, its period key) per feedback source of an improvement opportunity
	joins = ["left join `tabSatisfaction Survey` s on s.name = so.source_survey"]
	sources = [
		(
			"(s.status = 'Responded' and s.nps_category = 'Detractor' and s.responded_on >= %(prev)s"
			" and s.responded_on < %(until)s)",
			"s.responded_on >= %(split)s",
		)
	]
	for n, (doctype, type_column, source_column) in enumerate(_ticket_doctypes(frappe)):
		customer = scope.customer("t.customer")
		# K5: tickets of portfolio customers per period by SLA result
		statements.append(
			(
				f"""select t.opening_date >= %(split)s, sum(t.agreement_status = 'Fulfilled'),
					sum(t.agreement_status = 'Failed')
				from `tab{doctype}` t
				where t.opening_date between %(prev)s and %(to)s and ifnull(t.customer, '') != ''"""
				+ customer
				+ " group by 1",
				v,
			)
		)
		# K7: complaints per period, and those that are the source of a Service Opportunity
		statements.append(
			(
				f"""select t.opening_date >= %(split)s, count(distinct t.name), count(distinct so.{source_column})
				from `tab{doctype}` t left join `tabService Opportunity` so on so.{source_column} = t.name
				where t.{type_column} in %(types)s and t.opening_date between %(prev)s and %(to)s
					and ifnull(t.customer, '') != ''"""
				+ customer
				+ " group by 1",
				v,
			)
		)
		joins.append(f"left join `tab{doctype}` t{n} on t{n}.name = so.{source_column}")
		sources.append(
			(
				f"(t{n}.{type_column} in %(types)s and t{n}.opening_date between %(prev)s and %(to)s)",
				f"t{n}.opening_date >= %(split)s",
			)
		)
	# K7: improvement opportunities raised from that feedback per period of their source, and delivered
	statements.append(
		(
			f"""select case {" ".join(f"when {c} then {k}" for c, k in sources)} end, count(*),
				sum(so.status = 'Delivered')
			from `tabService Opportunity` so {" ".join(joins)}
			where ({" or ".join(c for c, _k in sources)})"""
			+ p("so.portfolio")
			+ " group by 1",
			v,
		)
	)
	# the alert rows: open alerts per rule now
	statements.append(
		(
			"select a.rule, count(*) from `tabBRM Alert` a where a.status = 'Open'"
			+ p("a.portfolio")
			+ " group by 1",
			{},
		)
	)
	return statements


# a survey's kind from its trigger (docs/rhythm-surveys.md): relationship, delivery or neither (Manual)
SURVEY_KIND = """case when s.`trigger` = 'Periodic Relationship Review' then 'relationship'
	when s.`trigger` in ('Ticket Closed', 'Project Delivered') then 'delivery' end"""


def satisfaction_baseline(frappe, filters, scope):
	"""Per month of the period and kind of survey (relationship / delivery / neither): surveys sent and
	responded (by send date), the responded per answering channel; NPS categories and CSAT rating counts of
	the responses (by response date)."""
	v = _until(filters)
	p = scope.portfolio("s.portfolio")
	return [
		(
			f"""select date_format(s.sent_on, '%%Y-%%m'), {SURVEY_KIND},
				case when s.status = 'Responded' then nullif(s.response_channel, '') end, count(*),
				sum(s.status = 'Responded')
			from `tabSatisfaction Survey` s where s.sent_on >= %(from_date)s and s.sent_on < %(until)s"""
			+ p
			+ " group by 1, 2, 3",
			v,
		),
		(
			f"""select date_format(s.responded_on, '%%Y-%%m'), {SURVEY_KIND}, sum(s.nps_category = 'Promoter'),
				sum(s.nps_category = 'Passive'), sum(s.nps_category = 'Detractor'),
				sum(ifnull(s.nps_category, '') != ''), sum(s.satisfied_count), sum(s.rating_count)
			from `tabSatisfaction Survey` s
			where s.status = 'Responded' and s.responded_on >= %(from_date)s and s.responded_on < %(until)s"""
			+ p
			+ " group by 1, 2",
			v,
		),
	]


def health_baseline(frappe, filters, scope):
	"""Portfolios (not Ended) per RAG with their score total and how many are At Risk; the first `limit`
	in the report's order (Red or At Risk, Amber, Green, not scored; lowest score first)."""
	p = scope.portfolio("cp.name")
	return [
		(
			"""select ifnull(cp.health_rag, ''), count(*), sum(cp.health_score),
				sum(cp.relationship_status = 'At Risk')
			from `tabCustomer Portfolio` cp where cp.relationship_status != 'Ended'"""
			+ p
			+ " group by 1",
			{},
		),
		(
			# with the trend columns: the score and RAG of the weekly snapshot 4 weeks ago, the change (the
			# explanation is the stored parts, already read, weighted in Python as the report does)
			"""select cp.name, cp.customer, cp.customer_name, cp.relationship_manager, cp.strategic_importance,
				cp.relationship_status, cp.health_score, cp.health_rag, cp.csat_score, cp.nps_score,
				cp.sla_compliance, cp.open_complaints, cp.agreement_coverage, cp.health_updated_on,
				t.health_score as score_then, t.health_rag as rag_then,
				round(cp.health_score - t.health_score, 1) as score_change
			from `tabCustomer Portfolio` cp
			left join `tabCustomer Health Snapshot` t on t.portfolio = cp.name and t.reason = 'Weekly'
				and t.snapshot_date = %(then)s
			where cp.relationship_status != 'Ended'"""
			+ p
			+ """ order by case when cp.health_rag = 'Red' or cp.relationship_status = 'At Risk' then 0
				when cp.health_rag = 'Amber' then 1 when cp.health_rag = 'Green' then 2 else 3 end,
				cp.health_score, cp.name
			limit %(limit)s""",
			{"limit": int(filters["limit"]), "then": str(_compared_week())},
		),
	]


def renewals_baseline(frappe, filters, scope):
	"""Agreements ending within `days_ahead` days: the first `limit` by notice deadline with their details,
	and per month of the end date how many end, how many deadlines passed / are within 30 days, the next."""
	today = date.today()
	v = {
		"today": str(today),
		"horizon": str(today + timedelta(days=int(filters["days_ahead"]))),
		"soon": str(today + timedelta(days=30)),
		"limit": int(filters["limit"]),
	}
	where = """ca.docstatus = 1 and ca.status in ('Active', 'Expiring')
		and ca.end_date between %(today)s and %(horizon)s""" + scope.portfolio("ca.portfolio")
	deadline = "date_sub(ca.end_date, interval ifnull(ca.notice_period_days, 0) day)"
	return [
		(
			f"""select ca.name, ca.agreement_title, ca.customer, ca.customer_name, ca.relationship_manager,
				ca.status, ca.agreement_kind, ca.renewal, ca.start_date, ca.end_date,
				ifnull(ca.notice_period_days, 0), {deadline}, datediff(ca.end_date, %(today)s),
				datediff({deadline}, %(today)s), ca.agreement_value, ca.currency, ca.renewal_reminder_sent_on
			from `tabCustomer Agreement` ca where {where}
			order by {deadline}, ca.end_date, ca.name limit %(limit)s""",
			v,
		),
		(
			f"""select date_format(ca.end_date, '%%Y-%%m'), count(*), sum({deadline} < %(today)s),
				sum({deadline} between %(today)s and %(soon)s),
				min(case when {deadline} >= %(today)s then {deadline} end)
			from `tabCustomer Agreement` ca where {where} group by 1""",
			v,
		),
	]


def pipeline_baseline(frappe, filters, scope):
	"""Business cases (not cancelled) created in the period per workflow state and currency: count, cost,
	benefit, net benefit, NPV, positive NPVs, mean ROI and cycle time."""
	return [
		(
			"""select ifnull(nullif(bc.workflow_state, ''), 'Draft'), bc.currency, count(*), sum(bc.total_cost),
				sum(bc.total_benefit), sum(bc.net_benefit), sum(bc.npv), sum(bc.npv > 0), avg(bc.roi_percent),
				avg(bc.cycle_time_days)
			from `tabBusiness Case` bc
			where bc.docstatus < 2 and bc.creation >= %(from_date)s and bc.creation < %(until)s"""
			+ scope.portfolio("bc.portfolio")
			+ " group by 1, 2",
			_until(filters),
		)
	]


REPORTS = [
	ReportCase(
		"BRM KPI Scorecard",
		"K6 CSAT % of this quarter",
		this_quarter,
		csat_headline,
		scorecard_baseline,
		"K1-K7 counts of this quarter and the previous one, K6 also per kind of survey (relationship / "
		"delivery), and the open alerts per rule (12-14 grouped aggregates)",
	),
	ReportCase(
		"Customer Satisfaction",
		"CSAT % of the last 3 months",
		lambda frappe: {**last_3_months(frappe), "group_by": "Month"},
		csat_headline,
		satisfaction_baseline,
		"sent / responded (also per answering channel), NPS categories and CSAT counts per month and kind of "
		"survey (relationship / delivery), last 3 months (2 aggregates)",
	),
	ReportCase(
		"Customer Health",
		"portfolios by RAG, mean score",
		lambda frappe: {"limit": 100},
		health_headline,
		health_baseline,
		"portfolios per RAG + the 100 most at risk with their score 4 weeks ago (aggregate + ordered page)",
	),
	ReportCase(
		"Agreement Renewals",
		"agreements ending in the next 90 days, value",
		lambda frappe: {"days_ahead": 90, "limit": 100},
		renewals_headline,
		renewals_baseline,
		"the 100 soonest notice deadlines + per-month counts (ordered page + aggregate)",
	),
	ReportCase(
		"Business Case Pipeline",
		"cases of the last 12 months by state: count, cost, NPV",
		last_12_months,
		pipeline_headline,
		pipeline_baseline,
		"cases of the last 12 months per state and currency with their sums (1 aggregate)",
	),
]


def issue_summary_filters(frappe) -> dict:
	return {
		"company": frappe.defaults.get_global_default("company"),
		"based_on": "Customer",
		**year_window(frappe),
	}


def issue_summary_baseline(frappe, filters, condition):
	# the same figures per customer: issues by status and SLA result (K5's evidence)
	return (
		"""select customer, count(*), sum(status = 'Open'), sum(status = 'Closed'),
			sum(agreement_status = 'Fulfilled'), sum(agreement_status = 'Failed')
		from `tabIssue`
		where company = %(company)s and opening_date between %(from_date)s and %(to_date)s
		group by customer""",
		filters,
	)


# --- measuring ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def assets_server():
	"""A static file server of the bench's sites folder (the current directory) on a free loopback port,
	for the stylesheet wkhtmltopdf fetches while it renders a print format; yields its URL."""

	class Quiet(http.server.SimpleHTTPRequestHandler):
		def __init__(self, *args, **kwargs):
			super().__init__(*args, directory=os.getcwd(), **kwargs)

		def log_message(self, *args):
			pass

	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	try:
		yield f"http://127.0.0.1:{server.server_address[1]}"
	finally:
		server.shutdown()


def median_seconds(fn, runs: int, warmup: int = 1) -> tuple[float, object]:
	result = None
	for _n in range(warmup):
		result = fn()
	samples = []
	for _n in range(runs):
		started = time.perf_counter()
		result = fn()
		samples.append(time.perf_counter() - started)
	return statistics.median(samples), result


def interleaved_medians(functions: dict, runs: int) -> tuple[dict, dict]:
	"""Median seconds of each function over `runs` rounds, the functions taking turns within a round (so a
	change of machine load hits all of them alike), after one untimed warm-up round; and their last results."""
	results = {name: fn() for name, fn in functions.items()}
	samples = {name: [] for name in functions}
	for _n in range(runs):
		for name, fn in functions.items():
			started = time.perf_counter()
			results[name] = fn()
			samples[name].append(time.perf_counter() - started)
	return {name: statistics.median(values) for name, values in samples.items()}, results


class QueryRecorder:
	"""Records every query frappe.db.sql runs (with its time) while active."""

	def __init__(self, frappe):
		self.frappe = frappe
		self.queries = []

	def __enter__(self):
		db = self.frappe.db
		self.original = db.sql
		recorder = self

		def timed_sql(query, values=(), *args, **kwargs):
			started = time.perf_counter()
			try:
				return recorder.original(query, values, *args, **kwargs)
			finally:
				recorder.queries.append((time.perf_counter() - started, query, values))

		db.sql = timed_sql
		return self

	def __exit__(self, *exc):
		self.frappe.db.sql = self.original


class Benchmark:
	def __init__(self, frappe, args):
		self.frappe = frappe
		self.args = args
		self.rows = []
		self.notes = []
		self.explain = None

	def run(self):
		frappe = self.frappe
		self.machine_info = self.machine()
		self.counts = self.dataset_counts()
		self.rm = self.pick_relationship_manager()
		self.pm = self.ensure_process_manager()
		self.rm_portfolios = frappe.db.count("Customer Portfolio", {"relationship_manager": self.rm})
		for user in (self.rm, self.pm):
			# frappe's query_report.run checks read access to the doctypes of the reports' link columns
			# (Customer, Currency): an account manager's ERPNext role gives it
			if "Sales User" not in frappe.get_roles(user):
				frappe.get_doc("User", user).add_roles("Sales User")
		cases = [c for c in REPORTS if not self.args.only or c.name in self.args.only]
		slowest = None
		for case in cases:
			print(f"… {case.name}", file=sys.stderr, flush=True)
			row = self.bench_report(case)
			self.rows.append(row)
			if row.get("pm") is not None and (slowest is None or row["pm"] > slowest[1]["pm"]):
				slowest = (case, row)
		print("… Issue Summary", file=sys.stderr, flush=True)
		self.issue_summary = self.bench_issue_summary()
		print("… health recompute", file=sys.stderr, flush=True)
		self.health = self.bench_health()
		print("… form load", file=sys.stderr, flush=True)
		self.form = self.bench_form_load()
		print("… relationship rhythm", file=sys.stderr, flush=True)
		self.rhythm = self.bench_rhythm()
		if slowest:
			self.explain = self.explain_slowest(*slowest)

	# data

	def dataset_counts(self) -> dict:
		frappe = self.frappe
		counts = {}
		for doctype in (
			"Customer",
			"Customer Portfolio",
			"Contact",
			"Issue",
			"Satisfaction Survey",
			"Satisfaction Survey Answer",
			"Service Opportunity",
			"Business Case",
			"Customer Agreement",
		):
			counts[doctype] = frappe.db.sql(f"select count(*) from `tab{doctype}`")[0][0]
		counts["Business Relationship Managers"] = frappe.db.sql(
			"""select count(distinct relationship_manager) from `tabCustomer Portfolio`"""
		)[0][0]
		return counts

	def pick_relationship_manager(self) -> str:
		"""The relationship manager with the most portfolios (a restricted user: row-level access applies)."""
		rows = self.frappe.db.sql(
			"""select p.relationship_manager, count(*) from `tabCustomer Portfolio` p
			join `tabHas Role` r on r.parent = p.relationship_manager and r.role = 'Business Relationship Manager'
			group by p.relationship_manager order by count(*) desc, p.relationship_manager limit 1"""
		)
		if not rows:
			raise SystemExit("no portfolio with a relationship manager: generate the demo data first")
		return rows[0][0]

	def ensure_process_manager(self) -> str:
		frappe = self.frappe
		if not frappe.db.exists("User", PROCESS_MANAGER_EMAIL):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": PROCESS_MANAGER_EMAIL,
					"first_name": "Process",
					"last_name": "Manager",
					"send_welcome_email": 0,
					"user_type": "System User",
					"roles": [{"role": "BRM Process Manager"}],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
		return PROCESS_MANAGER_EMAIL

	# reports

	def run_report(self, name: str, filters: dict):
		from frappe.desk.query_report import run

		return run(name, filters=dict(filters), ignore_prepared_report=True, are_default_filters=False)

	def bench_report(self, case: ReportCase) -> dict:
		frappe = self.frappe

		row = {"report": case.name, "headline": case.headline, "output": case.output}
		if not frappe.db.exists("Report", case.name):
			row["missing"] = True
			return row
		filters = case.filters(frappe)
		row["filters"] = filters
		module = frappe.scrub(case.name)
		report_execute = frappe.get_attr(f"brm_app.brm_app.report.{module}.{module}.execute")
		for key, user in (("rm", self.rm), ("pm", self.pm)):
			frappe.set_user(user)
			scope = Scope(frappe, user)
			statements = case.baseline(frappe, filters, scope)
			headline_sql, headline_values = case.headline_sql(frappe, filters, scope)
			timed = {
				"run": lambda: self.run_report(case.name, filters),
				"execute": lambda: report_execute(dict(filters)),
				"baseline": lambda: [frappe.db.sql(sql, values) for sql, values in statements],
				"headline": lambda: frappe.db.sql(headline_sql, headline_values),
			}
			try:
				medians, results = interleaved_medians(timed, self.args.runs)
			except Exception as exc:
				row[f"{key}_error"] = f"{type(exc).__name__}: {exc}"[:200]
				frappe.set_user("Administrator")
				continue
			row[key] = medians["run"]
			row[f"{key}_execute"] = medians["execute"]
			row[f"{key}_baseline"] = medians["baseline"]
			row[f"{key}_headline"] = medians["headline"]
			row[f"{key}_rows"] = len(results["run"].get("result") or [])
			row[f"{key}_statements"] = len(statements)
			frappe.set_user("Administrator")
		return row

	def bench_issue_summary(self) -> dict:
		frappe = self.frappe
		filters = issue_summary_filters(frappe)
		frappe.set_user("Administrator")
		seconds, result = median_seconds(lambda: self.run_report("Issue Summary", filters), self.args.runs)
		sql, values = issue_summary_baseline(frappe, filters, "")
		baseline, _ = median_seconds(lambda: frappe.db.sql(sql, values), self.args.runs)
		issues = frappe.db.count(
			"Issue", {"opening_date": ("between", [filters["from_date"], filters["to_date"]])}
		)
		return {
			"seconds": seconds,
			"baseline": baseline,
			"rows": len(result.get("result") or []),
			"issues": issues,
		}

	# health and form

	def bench_health(self) -> dict:
		frappe = self.frappe
		from brm_app.jobs.health import recompute_health_scores

		def everything_changed():
			# all portfolios' stored figures reset first (untimed), so every one of them is rewritten
			frappe.db.sql("update `tabCustomer Portfolio` set health_score = -1, health_rag = ''")
			started = time.perf_counter()
			changed = recompute_health_scores()
			elapsed = time.perf_counter() - started
			frappe.db.rollback()
			return elapsed, changed

		samples, changed = [], 0
		for _n in range(3):
			elapsed, changed = everything_changed()
			samples.append(elapsed)
		steady, _ = median_seconds(recompute_health_scores, 3)
		frappe.db.rollback()
		return {"all_changed": statistics.median(samples), "changed": changed, "nothing_changed": steady}

	# the relationship rhythm (issue 18)

	def bench_rhythm(self) -> dict:
		frappe = self.frappe
		from brm_app.jobs.alerts import run_alerts
		from brm_app.jobs.health import snapshot_weekly_health, week_start
		from brm_app.jobs.surveys import due_relationship_portfolios

		out = {}
		frappe.set_user("Administrator")

		# the daily alert job: a run that finds nothing new (the demo ran it), and a run that opens every
		# alert afresh (all closed first, untimed)
		out["alerts_steady"], _steady = median_seconds(run_alerts, 3, warmup=1)
		frappe.db.rollback()
		fresh = []
		for _n in range(3):
			frappe.db.sql("update `tabBRM Alert` set status = 'Closed', open_key = null")
			started = time.perf_counter()
			opened = run_alerts()
			fresh.append(time.perf_counter() - started)
			frappe.db.rollback()
		out["alerts_fresh"], out["alerts_opened"] = statistics.median(fresh), opened.get("opened")
		out["alerts_open"] = frappe.db.count("BRM Alert", {"status": "Open"})

		# the weekly snapshot: this week's rows removed (untimed) before each first run; a second run stores
		# nothing; the baseline writes the same rows with one hand-written INSERT … SELECT into a copy
		monday = week_start()
		columns = (
			"portfolio, customer, customer_name, relationship_manager, health_score, health_rag, csat_score,"
			" nps_score, sla_compliance, open_complaints, agreement_coverage"
		)
		first, baseline = [], []
		stored = 0
		for _n in range(3):
			frappe.db.sql(
				"delete from `tabCustomer Health Snapshot` where reason = 'Weekly' and snapshot_date = %s",
				monday,
			)
			started = time.perf_counter()
			stored = snapshot_weekly_health()
			first.append(time.perf_counter() - started)
			frappe.db.rollback()
			frappe.db.sql_ddl(
				"create temporary table if not exists `brm_bench_snapshot` like `tabCustomer Health Snapshot`"
			)
			started = time.perf_counter()
			frappe.db.sql(
				f"""insert into `brm_bench_snapshot` (name, snapshot_date, reason, {columns})
				select md5(concat(name, %(day)s, 'Weekly')), %(day)s, 'Weekly', name, customer, customer_name,
					relationship_manager, health_score, health_rag, csat_score, nps_score, sla_compliance,
					open_complaints, agreement_coverage
				from `tabCustomer Portfolio` where health_score is not null""",
				{"day": monday},
			)
			baseline.append(time.perf_counter() - started)
			frappe.db.sql("delete from `brm_bench_snapshot`")
		out["snapshot_first"], out["snapshot_stored"] = statistics.median(first), stored
		out["snapshot_baseline"] = statistics.median(baseline)
		snapshot_weekly_health()
		out["snapshot_second"], again = median_seconds(snapshot_weekly_health, 3, warmup=0)
		out["snapshot_second_stored"] = again
		frappe.db.rollback()

		# the daily selection of portfolios due a relationship survey
		out["survey_due"], due = median_seconds(due_relationship_portfolios, 5)
		out["survey_due_count"] = len(due)

		out.update(self.bench_review())
		frappe.db.rollback()
		return out

	def bench_review(self) -> dict:
		"""One Service Review's agenda and PDF for a customer given REVIEW_ISSUES Issues and REVIEW_SURVEYS
		answered surveys in the last 90 days (other customers' rows re-pointed at it, rolled back after)."""
		frappe = self.frappe
		from frappe.utils import add_days, getdate, today

		from brm_app.reviews.agenda import build_agenda
		from brm_app.reviews.pack import pack_pdf

		to_date = getdate(today())
		from_date = add_days(to_date, -90)
		portfolio = frappe.db.get_value(
			"Customer Portfolio",
			{"relationship_manager": self.rm},
			["name", "customer"],
			order_by="name",
			as_dict=True,
		)
		customer = portfolio.customer
		frappe.db.sql(
			"""update `tabIssue` set customer = %(customer)s
			where name in (select name from (select name from `tabIssue`
				where opening_date between %(from)s and %(to)s order by name limit %(n)s) t)""",
			{"customer": customer, "from": from_date, "to": to_date, "n": REVIEW_ISSUES},
		)
		frappe.db.sql(
			"""update `tabSatisfaction Survey` set customer = %(customer)s, portfolio = %(portfolio)s,
				relationship_manager = %(rm)s
			where name in (select name from (select name from `tabSatisfaction Survey`
				where status = 'Responded' and responded_on between %(from)s and %(to)s
				order by name limit %(n)s) t)""",
			{
				"customer": customer,
				"portfolio": portfolio.name,
				"rm": self.rm,
				"from": from_date,
				"to": add_days(to_date, 1),
				"n": REVIEW_SURVEYS,
			},
		)
		issues = frappe.db.count(
			"Issue", {"customer": customer, "opening_date": ["between", [from_date, to_date]]}
		)
		surveys = frappe.db.sql(
			"""select count(*) from `tabSatisfaction Survey` where customer = %s and status = 'Responded'
			and responded_on between %s and %s""",
			(customer, from_date, add_days(to_date, 1)),
		)[0][0]
		review = frappe.get_doc(
			{
				"doctype": "Service Review",
				"portfolio": portfolio.name,
				"customer": customer,
				"review_date": to_date,
				"period_from": from_date,
				"period_to": to_date,
			}
		).insert(ignore_permissions=True)
		frappe.set_user(self.rm)
		agenda, _ = median_seconds(lambda: build_agenda(customer, from_date, to_date, to_date), 11, warmup=2)
		frappe.set_user("Administrator")
		pdf_runs = []
		size = 0
		# wkhtmltopdf fetches the print stylesheet from the site's URL, as for every frappe PDF: a loopback
		# server of the bench's sites folder stands in for the site's web server
		# frappe's print view commits an Access Log of every print: held back here, so that the rows re-pointed
		# above (and the review) roll back with the rest of the run
		commit = frappe.db.commit
		with assets_server() as url:
			configured = frappe.local.conf.get("host_name")
			frappe.local.conf.host_name = url
			frappe.db.commit = lambda *args, **kwargs: None
			try:
				for n in range(4):
					started = time.perf_counter()
					pdf = pack_pdf(review.name)
					if n:  # the first (untimed) run starts wkhtmltopdf's caches
						pdf_runs.append(time.perf_counter() - started)
					size = len(pdf)
			finally:
				frappe.local.conf.host_name = configured
				frappe.db.commit = commit
		return {
			"review_customer": customer,
			"review_issues": issues,
			"review_surveys": surveys,
			"agenda": agenda,
			"pack": statistics.median(pdf_runs),
			"pack_bytes": size,
		}

	def bench_form_load(self) -> dict:
		frappe = self.frappe
		from frappe.desk.form.load import getdoc
		from frappe.desk.notifications import get_open_count

		portfolio = frappe.db.get_value(
			"Customer Portfolio", {"relationship_manager": self.rm}, "name", order_by="name"
		)
		frappe.set_user(self.rm)

		def load():
			frappe.local.response = frappe._dict({"docs": []})
			getdoc("Customer Portfolio", portfolio)
			return get_open_count("Customer Portfolio", portfolio)

		seconds, counts = median_seconds(load, self.args.form_runs, warmup=2)
		overview = None
		try:
			from brm_app.api.portfolio import get_portfolio_overview

			overview, _ = median_seconds(lambda: get_portfolio_overview(portfolio), self.args.form_runs, 2)
		except ImportError:
			pass
		frappe.set_user("Administrator")
		frappe.db.rollback()
		linked = {
			d["doctype"]: d.get("count") for d in (counts.get("count") or {}).get("external_links_found", [])
		}
		return {"seconds": seconds, "overview": overview, "portfolio": portfolio, "linked": linked}

	def explain_slowest(self, case: ReportCase, row: dict) -> dict:
		frappe = self.frappe
		frappe.set_user(self.pm)
		with QueryRecorder(frappe) as recorder:
			self.run_report(case.name, row["filters"])
		frappe.set_user("Administrator")
		data_tables = (
			"`tabSatisfaction",
			"`tabIssue`",
			"`tabCustomer",
			"`tabService",
			"`tabBusiness",
			"`tabPortfolio",
		)
		selects = [
			q
			for q in recorder.queries
			if q[1].lstrip().lower().startswith(("select", "with")) and any(t in q[1] for t in data_tables)
		]
		if not selects:
			return None
		seconds, query, values = max(selects, key=lambda q: q[0])
		plan = frappe.db.sql(f"explain {query}", values, as_dict=True)
		return {"report": case.name, "seconds": seconds, "query": query, "values": values, "plan": plan}

	# output

	def machine(self) -> list[tuple[str, str]]:
		frappe = self.frappe
		import erpnext

		mem = "?"
		try:
			for line in Path("/proc/meminfo").read_text().splitlines():
				if line.startswith("MemTotal:"):
					mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
		except OSError:
			pass
		cpu = platform.processor() or platform.machine()
		try:
			for line in Path("/proc/cpuinfo").read_text().splitlines():
				if line.startswith("model name"):
					cpu = line.split(":", 1)[1].strip()
					break
		except OSError:
			pass
		return [
			("CPU", f"{os.cpu_count()} cores ({cpu})"),
			("RAM", mem),
			("MariaDB", frappe.db.sql("select version()")[0][0]),
			(
				"InnoDB buffer pool",
				f"{int(frappe.db.sql('select @@innodb_buffer_pool_size')[0][0]) / 1024 / 1024:.0f} MiB",
			),
			("Python", platform.python_version()),
			("frappe / ERPNext", f"{frappe.__version__} / {erpnext.__version__}"),
			("OS", platform.platform()),
		]

	def markdown(self, load_before, load_after, elapsed) -> str:
		out = []
		ms = lambda s: "–" if s is None else f"{s * 1000:.1f} ms" if s < 0.1 else f"{s * 1000:.0f} ms"  # noqa: E731
		out.append(
			f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on site `{self.args.site}` with\n"
			f"`scripts/dev python scripts/benchmark.py --site {self.args.site} --runs {self.args.runs}`"
			f" (took {elapsed:.0f} s).\n"
		)
		out.append("| machine | |\n|---|---|")
		out += [f"| {k} | {v} |" for k, v in self.machine_info]
		out.append(
			f"| load average (1/5/15 min) | before {' / '.join(f'{x:.2f}' for x in load_before)}; "
			f"after {' / '.join(f'{x:.2f}' for x in load_after)} (2 cores shared with other work) |\n"
		)
		out.append("Data on the site:\n\n| doctype | rows |\n|---|---:|")
		out += [f"| {k} | {v:,} |" for k, v in self.counts.items()]
		out.append("")
		out.append(
			f"Reports: median of {self.args.runs} rounds after one warm-up round, with the report's default "
			"filters; in each round the report, its baseline and its headline aggregate run in turn. "
			f"**RM** = `{self.rm}`, a Business Relationship Manager ({self.rm_portfolios:,} portfolios; "
			f"row-level access applies); **PM** = `{self.pm}`, BRM Process Manager (all data).\n\n"
			"- **run**: `frappe.desk.query_report.run` end to end (what the desk waits for, less HTTP): "
			"frappe's report doc, permission checks and result handling plus the report;\n"
			"- **report**: the report's own work, its `execute(filters)`: every query, the scope lookup, the "
			"maths, rows, chart and summary;\n"
			"- **baseline**: hand-written SQL computing what the report shows with those filters (the "
			"output column), one grouped aggregate per table or date axis, the row-level scope as a literal "
			"list looked up before timing;\n"
			"- **ratio** = report / baseline. Targets: run ≤ 1 s, ratio ≤ 2×.\n"
		)
		out.append(
			"| report | baseline computes | RM run | RM report | RM baseline | RM ratio | PM run | "
			"PM report | PM baseline | PM ratio | rows (PM) | ≤ 1 s | ≤ 2× |"
		)
		out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
		for row in self.rows:
			if row.get("missing"):
				out.append(f"| {row['report']} | not installed on the site |" + " |" * 11)
				continue
			cells = [row["report"], row["output"]]
			fast = close = True
			for key in ("rm", "pm"):
				run, report, baseline = row.get(key), row.get(f"{key}_execute"), row.get(f"{key}_baseline")
				if run is None:
					cells += [f"error: {row.get(f'{key}_error')}", "", "", ""]
					fast = close = False
					continue
				ratio = report / baseline
				fast = fast and run <= TARGET_REPORT_SECONDS
				close = close and ratio <= TARGET_RATIO
				cells += [ms(run), ms(report), ms(baseline), f"{ratio:.1f}×"]
			cells += [
				str(row.get("pm_rows", "")),
				"yes" if fast else "**no**",
				"yes" if close else "**no**",
			]
			out.append("| " + " | ".join(cells) + " |")
		summary = self.issue_summary
		out.append(
			f"| Issue Summary (ERPNext, K5's peer; Administrator, {summary['issues']:,} Issues in the window) "
			f"| issues by customer, status and SLA result | | | | | {ms(summary['seconds'])} | | "
			f"{ms(summary['baseline'])} | {summary['seconds'] / summary['baseline']:.1f}× (run) | "
			f"{summary['rows']} | {'yes' if summary['seconds'] <= TARGET_REPORT_SECONDS else 'no'} | (peer) |\n"
		)
		out.append(
			"For reference, each report against **one SQL aggregate of its headline figure alone** (the "
			"baseline of the first benchmark; it computes one figure where the report computes all it shows):\n"
		)
		out.append(
			"| report | headline figure | RM aggregate | RM report / aggregate | PM aggregate | "
			"PM report / aggregate | frappe's share of run (PM: run − report) |"
		)
		out.append("|---|---|---:|---:|---:|---:|---:|")
		for row in self.rows:
			if row.get("missing") or row.get("pm") is None or row.get("rm") is None:
				continue
			cells = [row["report"], row["headline"]]
			for key in ("rm", "pm"):
				cells += [
					ms(row[f"{key}_headline"]),
					f"{row[f'{key}_execute'] / row[f'{key}_headline']:.1f}×",
				]
			share = row["pm"] - row["pm_execute"]
			# two medians of separate samples: at a few ms apart the difference is noise
			cells.append(ms(share) if share > 0.001 else "≈ 0 (noise)")
			out.append("| " + " | ".join(cells) + " |")
		out.append("")
		health = self.health
		out.append("| other measurement | median | target | meets |\n|---|---:|---:|---|")
		out.append(
			f"| health-score recompute, all {self.counts['Customer Portfolio']:,} portfolios rewritten "
			f"({health['changed']:,} changed; median of 3) | {health['all_changed']:.1f} s | ≤ 30 s | "
			f"{'yes' if health['all_changed'] <= TARGET_HEALTH_SECONDS else '**no**'} |"
		)
		out.append(
			f"| health-score recompute, nothing to rewrite (median of 3) | {health['nothing_changed']:.1f} s | "
			f"≤ 30 s | {'yes' if health['nothing_changed'] <= TARGET_HEALTH_SECONDS else '**no**'} |"
		)
		form = self.form
		linked = ", ".join(f"{k} {v}" for k, v in form["linked"].items())
		out.append(
			f"| Customer Portfolio form load (getdoc + dashboard counts, as RM; `{form['portfolio']}`: "
			f"{linked}; median of {self.args.form_runs}) | {ms(form['seconds'])} | ≤ 300 ms | "
			f"{'yes' if form['seconds'] <= TARGET_FORM_SECONDS else '**no**'} |"
		)
		if form["overview"] is not None:
			total = form["seconds"] + form["overview"]
			out.append(
				f"| … plus the form's one extra call, `brm_app.api.portfolio.get_portfolio_overview` "
				f"({ms(form['overview'])} alone) | {ms(total)} | ≤ 300 ms | "
				f"{'yes' if total <= TARGET_FORM_SECONDS else '**no**'} |"
			)
		rhythm = self.rhythm
		yes = lambda ok: "yes" if ok else "**no**"  # noqa: E731
		out.append(
			f"| daily alert job (`brm_app.jobs.alerts.run_alerts`), all {self.counts['Customer Portfolio']:,} "
			f"portfolios, nothing new ({rhythm['alerts_open']:,} open alerts; median of 3) | "
			f"{rhythm['alerts_steady']:.1f} s | ≤ 60 s | {yes(rhythm['alerts_steady'] <= TARGET_ALERT_JOB_SECONDS)} |"
		)
		out.append(
			f"| daily alert job, every alert closed first so that it opens all of them again "
			f"({rhythm['alerts_opened']:,} alerts and ToDos opened; median of 3) | {rhythm['alerts_fresh']:.1f} s | "
			f"≤ 60 s | {yes(rhythm['alerts_fresh'] <= TARGET_ALERT_JOB_SECONDS)} |"
		)
		ratio = rhythm["snapshot_first"] / rhythm["snapshot_baseline"]
		out.append(
			f"| weekly health snapshot (`brm_app.jobs.health.snapshot_weekly_health`), first run of the week "
			f"({rhythm['snapshot_stored']:,} rows; median of 3) — a hand-written INSERT … SELECT of the same rows "
			f"takes {ms(rhythm['snapshot_baseline'])}: **{ratio:.1f}×** | {ms(rhythm['snapshot_first'])} | ≤ 30 s | "
			f"{yes(rhythm['snapshot_first'] <= TARGET_SNAPSHOT_SECONDS)} |"
		)
		out.append(
			f"| weekly health snapshot, second run in the same week ({rhythm['snapshot_second_stored']} rows "
			f"stored; median of 3) | {ms(rhythm['snapshot_second'])} | ≤ 30 s | "
			f"{yes(rhythm['snapshot_second'] <= TARGET_SNAPSHOT_SECONDS)} |"
		)
		out.append(
			f"| portfolios due a relationship survey today (`brm_app.jobs.surveys.due_relationship_portfolios`, "
			f"{rhythm['survey_due_count']:,} due; median of 5) | {ms(rhythm['survey_due'])} | | |"
		)
		out.append(
			f"| Service Review agenda (`brm_app.reviews.agenda.build_agenda`, as RM; customer "
			f"`{rhythm['review_customer']}` with {rhythm['review_issues']} Issues and {rhythm['review_surveys']} "
			f"responded surveys in the 90-day period; median of 11) | {ms(rhythm['agenda'])} | ≤ 300 ms | "
			f"{yes(rhythm['agenda'] <= TARGET_AGENDA_SECONDS)} |"
		)
		out.append(
			f"| Service Review Pack PDF (`brm_app.reviews.pack.pack_pdf`, same review, wkhtmltopdf, "
			f"{rhythm['pack_bytes'] / 1024:.0f} KiB; median of 3 after one untimed run) | {rhythm['pack']:.2f} s | "
			f"≤ 3 s | {yes(rhythm['pack'] <= TARGET_PACK_SECONDS)} |"
		)
		out.append("")
		if self.explain:
			e = self.explain
			out.append(
				f"EXPLAIN of the slowest query ({e['seconds'] * 1000:.0f} ms) of the slowest report "
				f"(**{e['report']}**, as PM):\n"
			)
			out.append("```sql\n" + _one_line(e["query"]) + "\n```\n")
			columns = [
				"id",
				"select_type",
				"table",
				"type",
				"possible_keys",
				"key",
				"key_len",
				"rows",
				"Extra",
			]
			out.append("| " + " | ".join(columns) + " |")
			out.append("|" + "---|" * len(columns))
			for plan_row in e["plan"]:
				out.append("| " + " | ".join(str(plan_row.get(c) or "") for c in columns) + " |")
			out.append("")
		return "\n".join(out)


def _one_line(query: str) -> str:
	return "\n".join(line.rstrip() for line in query.strip().splitlines() if line.strip())


def write_doc(markdown: str) -> None:
	text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
	if START not in text:
		text += f"\n{START}\n{END}\n"
	head, rest = text.split(START, 1)
	_old, tail = rest.split(END, 1)
	DOC.write_text(f"{head}{START}\n{markdown}\n{END}{tail}")


if __name__ == "__main__":
	sys.exit(main())
