"""Time "Create portfolios for existing customers" (brm_app.integrations.portfolio_backfill) at scale: N customers without a
portfolio, as on a site that had them before brm_app was installed.

    scripts/dev python scripts/bench_portfolio_backfill.py --site brm-bench.localhost [--customers 50000]

The customers are written with multi-row INSERTs, the backfill runs in its batches without committing, and
everything is rolled back at the end: the site is left as it was. Prints the time of the backfill and of
the count the button shows first.
"""

import argparse
import os
import time
from pathlib import Path


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--customers", type=int, default=50_000)
	args = parser.parse_args()

	import frappe
	from frappe.utils import now_datetime

	sites = Path(os.environ.get("BRM_BENCH_DIR", Path.home() / ".local/share/brm_app/bench")) / "sites"
	os.chdir(sites)
	frappe.init(site=args.site, sites_path=str(sites))
	frappe.connect()
	frappe.set_user("Administrator")
	from brm_app.integrations.portfolio_backfill import count_missing, create_missing_portfolios

	group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
	territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")
	now = now_datetime()
	rows = [
		(f"BRM Backfill Bench {i:06d}", f"BRM Backfill Bench {i:06d}", "Company", group, territory, now, now)
		for i in range(args.customers)
	]
	started = time.perf_counter()
	for chunk in range(0, len(rows), 5000):
		frappe.db.sql(
			"""insert into `tabCustomer` (name, customer_name, customer_type, customer_group, territory,
			creation, modified, owner, modified_by, docstatus) values """
			+ ", ".join(
				["(%s, %s, %s, %s, %s, %s, %s, 'Administrator', 'Administrator', 0)"]
				* len(rows[chunk : chunk + 5000])
			),
			[value for row in rows[chunk : chunk + 5000] for value in row],
		)
	print(f"{args.customers} customers written in {time.perf_counter() - started:.1f} s")
	try:
		started = time.perf_counter()
		missing = count_missing()
		print(
			f"count of customers without a portfolio: {missing} in {(time.perf_counter() - started) * 1000:.0f} ms"
		)
		started = time.perf_counter()
		created = create_missing_portfolios(commit=False)
		print(f"backfill: {created} portfolios in {time.perf_counter() - started:.1f} s")
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main()
