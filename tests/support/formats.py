"""The site's number format, set for one test: `with number_format("#.###,##"): ...`.

frappe keeps the system defaults in its cache; the format is written with frappe.db.set_default (which
clears that cache) and put back, cache cleared again, afterwards, because the test's rollback undoes the
row but not the cache."""

from contextlib import contextmanager

import frappe

INDONESIAN = "#.###,##"
ENGLISH = "#,###.##"
FORMATS = (INDONESIAN, ENGLISH)


@contextmanager
def number_format(fmt: str):
	before = frappe.db.get_default("number_format")
	frappe.db.set_default("number_format", fmt)
	try:
		yield fmt
	finally:
		frappe.db.set_default("number_format", before)
