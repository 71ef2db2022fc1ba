"""Checks of scripts/ci/bench_install.sh, run by the bench's python from its sites/ folder:

	../env/bin/python bench_install_checks.py SITE stale-map | installed | uninstalled

stale-map    the site's Redis holds frappe's app -> modules map, cached before `bench get-app` and without
             brm_app, while sites/apps.txt lists brm_app (the state in which frappe 15.44 used to sync none
             of brm_app's doctypes)
installed    brm_app is installed with everything it sets up; the customers made before it get portfolios
             from "Create portfolios for existing customers" (once: a second run makes none); a new customer
             gets one; a customer with an untouched portfolio can be deleted, one whose portfolio holds
             content cannot
uninstalled  nothing brm_app added is left (brm_app.setup.uninstall.footprint), and customers can still be
             made and deleted
"""

import sys
from pathlib import Path

import frappe

BEFORE = ("Before BRM One", "Before BRM Two")


def check(condition: bool, message: str) -> None:
	if not condition:
		raise SystemExit(f"CHECK FAILED: {message}")
	print(f"ok: {message}")


def stale_map() -> None:
	cached = frappe.cache.get_value("app_modules")
	check(bool(cached) and "erpnext" in cached, "frappe's app -> modules map is cached in Redis")
	check("brm_app" not in cached, "the cached map predates brm_app")
	check("brm_app" in Path("apps.txt").read_text().split(), "sites/apps.txt lists brm_app (bench get-app)")


def installed() -> None:
	from brm_app.exceptions import BRMLinkExistsError
	from brm_app.integrations.customer import PORTFOLIO
	from brm_app.integrations.portfolio_backfill import count_missing, create_missing_portfolios
	from brm_app.setup.uninstall import (
		custom_field_columns,
		foreign_indexes,
		scheduled_methods,
		shipped_doctypes,
		workflow_names,
	)

	check("brm_app" in frappe.get_installed_apps(), "brm_app is installed")
	doctypes = shipped_doctypes()
	singles = frappe.get_all("DocType", filters={"name": ["in", doctypes], "issingle": 1}, pluck="name")
	check(
		frappe.db.count("DocType", {"name": ["in", doctypes]}) == len(doctypes)
		and all(frappe.db.table_exists(d) for d in doctypes if d not in singles),
		f"its {len(doctypes)} doctypes and their tables exist",
	)
	check(frappe.get_single("BRM Settings").auto_create_portfolio == 1, "BRM Settings has its defaults")
	check(len(workflow_names()) == 2, "the two approval workflows exist")
	jobs = frappe.get_all("Scheduled Job Type", filters={"method": ["like", "brm_app.%"]}, pluck="method")
	check(sorted(jobs) == scheduled_methods(), f"its {len(jobs)} scheduled jobs exist")
	check(
		any(table == "tabIssue" for table, _index in foreign_indexes()), "its report indexes on Issue exist"
	)
	check(len(custom_field_columns()) == 2, "its custom fields' columns on Project exist")

	before = frappe.get_all("Customer", filters={"customer_name": ["in", BEFORE]}, pluck="name")
	check(len(before) == 2, "the two customers made before the install exist")
	check(
		not frappe.db.exists(PORTFOLIO, {"customer": ["in", before]}),
		"customers made before the install have no portfolio",
	)
	check(count_missing() >= 2, "they are counted as missing a portfolio")
	frappe.set_user("Administrator")
	created = create_missing_portfolios()
	check(created >= 2, f"'Create portfolios for existing customers' made {created}")
	check(
		frappe.db.count(PORTFOLIO, {"customer": ["in", before]}) == 2,
		"the earlier customers have a portfolio",
	)
	check(create_missing_portfolios() == 0 and count_missing() == 0, "a second run makes none")

	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": "After BRM", "customer_type": "Company"}
	).insert()
	check(frappe.db.exists(PORTFOLIO, customer.name), "a new customer gets its portfolio")
	frappe.delete_doc("Customer", customer.name)
	check(
		not frappe.db.exists("Customer", customer.name) and not frappe.db.exists(PORTFOLIO, customer.name),
		"a customer with an untouched portfolio is deleted with it",
	)
	portfolio = frappe.get_doc(PORTFOLIO, before[0])
	portfolio.business_strategy = "Grow the managed services"
	portfolio.save()
	try:
		frappe.delete_doc("Customer", before[0])
		deleted = True
	except BRMLinkExistsError as refused:
		deleted = False
		print(f"  refused: {refused}")
	check(not deleted, "a customer whose portfolio holds content cannot be deleted")
	frappe.db.commit()


def uninstalled() -> None:
	from brm_app.setup.uninstall import footprint

	check("brm_app" not in frappe.get_installed_apps(), "brm_app is no longer installed")
	left = footprint()
	check(left == {}, f"nothing brm_app added is left on the site: {left}")
	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": "After uninstall", "customer_type": "Company"}
	).insert()
	frappe.delete_doc("Customer", customer.name)
	check(not frappe.db.exists("Customer", customer.name), "customers are made and deleted as before")
	frappe.db.rollback()


if __name__ == "__main__":
	site, phase = sys.argv[1], sys.argv[2]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		{"stale-map": stale_map, "installed": installed, "uninstalled": uninstalled}[phase]()
	finally:
		frappe.destroy()
