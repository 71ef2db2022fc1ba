"""Benchmark the BRM reports, the health recompute and the Customer Portfolio form at scale (issue #6).

    scripts/dev frappe --site brm-bench.localhost brm-demo --scale 10000      # the data, once (bulk path)
    scripts/dev python scripts/benchmark.py --site brm-bench.localhost [--runs 5] [--no-write]

In one run, against the site's data as it is:

- each BRM script report through frappe.desk.query_report.run with its default filters, as a Business
  Relationship Manager (row-level access applies) and as a BRM Process Manager (sees everything): one
  untimed warm-up, then the median of --runs timed runs;
- beside each, the baseline: one hand-written SQL aggregate computing the report's headline figure (with
  the same row-level condition for the relationship manager), timed the same way;
- ERPNext's stock "Issue Summary" report over the same Issues, as K5's peer, with its own baseline;
- the health-score recompute of every portfolio (brm_app.health_job), all portfolios rewritten and
  nothing to rewrite;
- the Customer Portfolio form load: frappe.desk.form.load.getdoc plus the dashboard counts
  (frappe.desk.notifications.get_open_count), as the portfolio's relationship manager;
- EXPLAIN of the slowest query of the slowest report.

It prints a Markdown report and, unless --no-write, puts it into docs/benchmarks.md between the
"benchmark:start" / "benchmark:end" markers. Everything it writes on the site is rolled back.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
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


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default=os.environ.get("BRM_BENCH_SITE", "brm-bench.localhost"))
	parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median; default 5)")
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
	from brm_app.reports.common import this_quarter as quarter

	start, end = quarter()
	return {"from_date": str(start), "to_date": str(end)}


def last_12_months(frappe) -> dict:
	from brm_app.reports.common import last_12_months as months

	start, end = months()
	return {"from_date": str(start), "to_date": str(end)}


class ReportCase:
	"""One report: its default filters (as its .js sets them) and a baseline SQL for its headline figure."""

	def __init__(self, name, headline, filters, baseline_sql, condition_column="s.`portfolio`"):
		self.name = name
		self.headline = headline
		self.filters = filters  # frappe -> dict
		self.baseline_sql = baseline_sql  # (frappe, filters, condition) -> (sql, values)
		self.condition_column = condition_column  # the column the row-level condition applies to


def _and(condition: str) -> str:
	return f" and {condition}" if condition else ""


def _until(filters) -> dict:
	return {**filters, "until": str(date.fromisoformat(filters["to_date"]) + timedelta(days=1))}


def csat_baseline(frappe, filters, condition):
	# CSAT %: rating answers of 4-5 over all rating answers of the surveys responded in the period, from
	# the counts each survey stores (the most direct SQL for the figure since the reports use them too)
	return (
		"""select 100 * sum(s.satisfied_count) / sum(s.rating_count)
		from `tabSatisfaction Survey` s
		where s.status = 'Responded' and s.responded_on >= %(from_date)s and s.responded_on < %(until)s"""
		+ _and(condition),
		_until(filters),
	)


def health_baseline(frappe, filters, condition):
	# portfolios by RAG and their mean health score
	return (
		"""select s.health_rag, count(*), avg(s.health_score)
		from `tabCustomer Portfolio` s where s.relationship_status != 'Ended'"""
		+ _and(condition)
		+ " group by s.health_rag",
		{},
	)


def renewals_baseline(frappe, filters, condition):
	# submitted Active / Expiring agreements ending within the next `days_ahead` days, and their value
	today = date.today()
	return (
		"""select count(*), sum(s.agreement_value)
		from `tabCustomer Agreement` s
		where s.docstatus = 1 and s.status in ('Active', 'Expiring')
			and s.end_date between %(today)s and %(horizon)s"""
		+ _and(condition),
		{"today": str(today), "horizon": str(today + timedelta(days=int(filters["days_ahead"])))},
	)


def pipeline_baseline(frappe, filters, condition):
	# business cases created in the period by workflow state, with their total cost and NPV
	return (
		"""select s.workflow_state, count(*), sum(s.total_cost), sum(s.npv)
		from `tabBusiness Case` s
		where s.docstatus < 2 and s.creation >= %(from_date)s and s.creation < %(until)s"""
		+ _and(condition)
		+ " group by s.workflow_state",
		_until(filters),
	)


REPORTS = [
	ReportCase("BRM KPI Scorecard", "K6 CSAT % of this quarter", this_quarter, csat_baseline),
	ReportCase(
		"Customer Satisfaction",
		"CSAT % of the last 12 months",
		lambda frappe: {**last_12_months(frappe), "group_by": "Month"},
		csat_baseline,
	),
	ReportCase(
		"Customer Health",
		"portfolios by RAG, mean score",
		lambda frappe: {"limit": 500},
		health_baseline,
		condition_column="s.`name`",
	),
	ReportCase(
		"Agreement Renewals",
		"agreements ending in the next 90 days, value",
		lambda frappe: {"days_ahead": 90},
		renewals_baseline,
	),
	ReportCase(
		"Business Case Pipeline",
		"cases of the last 12 months by state: count, cost, NPV",
		last_12_months,
		pipeline_baseline,
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
		from brm_app.permissions import portfolio_condition

		row = {"report": case.name, "headline": case.headline}
		if not frappe.db.exists("Report", case.name):
			row["missing"] = True
			return row
		filters = case.filters(frappe)
		row["filters"] = filters
		for key, user in (("rm", self.rm), ("pm", self.pm)):
			frappe.set_user(user)
			try:
				seconds, result = median_seconds(lambda: self.run_report(case.name, filters), self.args.runs)
				row[key] = seconds
				row[f"{key}_rows"] = len(result.get("result") or [])
			except Exception as exc:
				row[key] = None
				row[f"{key}_error"] = f"{type(exc).__name__}: {exc}"[:200]
			condition = portfolio_condition(
				"s.`portfolio`" if case.name != "Customer Health" else "s.`name`", user
			)
			sql, values = case.baseline_sql(frappe, filters, condition)
			seconds, result = median_seconds(lambda: frappe.db.sql(sql, values), self.args.runs)
			row[f"{key}_baseline"] = seconds
			row[f"{key}_figure"] = result
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
		from brm_app.health_job import recompute_health_scores

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
		ms = lambda s: "–" if s is None else f"{s * 1000:.0f} ms"  # noqa: E731
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
			f"Reports: median of {self.args.runs} runs after one warm-up, through "
			"`frappe.desk.query_report.run` with the report's default filters. **RM** = "
			f"`{self.rm}`, a Business Relationship Manager ({self.rm_portfolios:,} portfolios; "
			f"row-level access applies); **PM** = `{self.pm}`, BRM Process Manager (all data). "
			"Baseline = one hand-written SQL aggregate of the report's headline figure, with the same "
			"row-level condition. Targets: ≤ 1 s and ≤ 2× baseline.\n"
		)
		out.append(
			"| report | headline figure (baseline) | RM median | RM baseline | RM ratio | PM median | "
			"PM baseline | PM ratio | rows (PM) | meets target |"
		)
		out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
		for row in self.rows:
			if row.get("missing"):
				out.append(
					f"| {row['report']} | {row['headline']} | not installed on the site | | | | | | | |"
				)
				continue
			cells = [row["report"], row["headline"]]
			ok = True
			for key in ("rm", "pm"):
				seconds, baseline = row.get(key), row.get(f"{key}_baseline")
				ratio = seconds / baseline if seconds is not None and baseline else None
				ok = ok and seconds is not None and seconds <= TARGET_REPORT_SECONDS
				ok = ok and (ratio is not None and (ratio <= TARGET_RATIO or seconds - baseline < 0.05))
				cells += [
					ms(seconds) if seconds is not None else f"error: {row.get(f'{key}_error')}",
					ms(baseline),
					"–" if ratio is None else f"{ratio:.1f}×",
				]
			cells += [str(row.get("pm_rows", "")), "yes" if ok else "**no**"]
			out.append("| " + " | ".join(cells) + " |")
		summary = self.issue_summary
		out.append(
			f"| Issue Summary (ERPNext, K5's peer) | issues by customer, status and SLA | | | | "
			f"{ms(summary['seconds'])} | {ms(summary['baseline'])} | "
			f"{summary['seconds'] / summary['baseline']:.1f}× | {summary['rows']} | (peer; Administrator, "
			f"{summary['issues']:,} Issues in the window) |\n"
		)
		out.append(
			"Ratios of reports whose time is within 50 ms of the baseline count as met: at that size the ratio "
			"measures frappe's fixed per-call cost (permission checks, report doc, column metadata).\n"
		)
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
