"""Time the Customer Portfolio form's server side at scale: the "at a glance" overview
(brm_app.api.portfolio.get_portfolio_overview) and the whole form load (getdoc + connections counts +
overview), each as the portfolio's relationship manager (row-level access applies).

    scripts/dev python scripts/bench_portfolio_overview.py --site brm-bench.localhost [--portfolios 40]

Read-only: everything runs in one transaction that is rolled back. Prints the site's volume, the median
and 95th percentile per call over the portfolios sampled (the busiest ones by Issue count first, then a
random sample), and EXPLAIN of the overview's queries for the busiest portfolio.
"""

import argparse
import os
import random
import statistics
import time
from pathlib import Path


def timed(fn, *args, **kwargs) -> float:
	start = time.perf_counter()
	fn(*args, **kwargs)
	return (time.perf_counter() - start) * 1000


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--portfolios", type=int, default=40)
	args = parser.parse_args()

	import frappe

	sites = Path(os.environ.get("BRM_BENCH_DIR", Path.home() / ".local/share/brm_app/bench")) / "sites"
	os.chdir(sites)
	frappe.init(site=args.site, sites_path=str(sites))
	frappe.connect()
	from frappe.desk.form.load import getdoc
	from frappe.desk.notifications import get_open_count

	from brm_app.api.portfolio import get_portfolio_overview

	volume = {dt: frappe.db.count(dt) for dt in ("Customer Portfolio", "Issue", "Satisfaction Survey")}
	busiest = frappe.db.sql(
		"""select p.name from `tabCustomer Portfolio` p join `tabIssue` i on i.customer = p.customer
		group by p.name order by count(*) desc limit 5""",
		pluck=True,
	)
	names = frappe.get_all(
		"Customer Portfolio", filters={"relationship_manager": ("is", "set")}, pluck="name"
	)
	sample = busiest + random.Random(8).sample(names, min(args.portfolios, len(names)))
	overview_ms, form_ms, queries, ping_ms, getdoc_ms, counts_ms = [], [], [], [], [], []
	real_sql = frappe.db.sql

	def counting_sql(*a, **kw):
		counting_sql.count += 1
		return real_sql(*a, **kw)

	counting_sql.count = 0
	for name in sample:
		manager = frappe.db.get_value("Customer Portfolio", name, "relationship_manager")
		frappe.set_user(manager or "Administrator")
		get_portfolio_overview(name)  # warm the caches (meta, settings) once per user
		ping_ms.append(timed(frappe.db.sql, "select 1"))
		frappe.db.sql, counting_sql.count = counting_sql, 0
		overview_ms.append(timed(get_portfolio_overview, name))
		frappe.db.sql = real_sql
		queries.append(counting_sql.count)

		def form_load(name=name):
			getdoc("Customer Portfolio", name)
			get_open_count("Customer Portfolio", name)
			get_portfolio_overview(name)

		form_ms.append(timed(form_load))
		getdoc_ms.append(timed(getdoc, "Customer Portfolio", name))
		counts_ms.append(timed(get_open_count, "Customer Portfolio", name))
		frappe.local.response = frappe._dict()
	frappe.set_user("Administrator")

	def summary(values: list[float]) -> str:
		ordered = sorted(values)
		p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
		return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"

	print(f"site {args.site}: " + ", ".join(f"{count:,} {dt}" for dt, count in volume.items()))
	print(f"portfolios timed: {len(sample)} (5 with the most Issues, {len(sample) - 5} random)")
	print(f"database round trip (select 1): {summary(ping_ms)}")
	print(
		f"get_portfolio_overview: {summary(overview_ms)}; {statistics.median(queries):.0f} queries per call"
	)
	print(f"form load (getdoc + connections + overview): {summary(form_ms)}")
	print(f"  of which frappe's getdoc: {summary(getdoc_ms)}")
	print(f"  of which the connections counts (get_open_count): {summary(counts_ms)}")
	print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
	customer = frappe.db.get_value("Customer Portfolio", busiest[0], "customer") if busiest else None
	if customer:
		print(f"busiest portfolio {busiest[0]}: {frappe.db.count('Issue', {'customer': customer}):,} Issues")
		for label, query in (
			("open complaints", "select count(*) from `tabIssue` where customer = %s and status != 'Closed'"),
			(
				"trend",
				"select count(*) from `tabSatisfaction Survey` where portfolio = %s and status = 'Responded'",
			),
		):
			plan = frappe.db.sql("explain " + query, (customer,), as_dict=True)
			print(
				f"EXPLAIN {label}: "
				+ "; ".join(f"{r.table} {r.type} key={r.key} rows={r.rows}" for r in plan)
			)
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	main()
