"""Validation steps several BRM doctypes share: each takes the doctype's own (translated) message, error
class and title, so every record keeps its wording while the rule is written once."""

from collections.abc import Iterable, Iterator

import frappe


def each_once(rows: Iterable, fieldname: str, message: str, exc: type[Exception], title: str) -> Iterator:
	"""The rows of a child table, refusing a row whose `fieldname` repeats an earlier row's (empty values
	included). `message`: {0} the row number, {1} the repeated value. A generator: a caller that checks
	each row as well sees the rows in order, a repeat refused when it is reached."""
	seen = set()
	for row in rows:
		value = row.get(fieldname)
		if value in seen:
			frappe.throw(message.format(row.idx, frappe.bold(value)), exc=exc, title=title)
		seen.add(value)
		yield row


def check_all_once(rows: Iterable, fieldname: str, message: str, exc: type[Exception], title: str) -> None:
	"""`each_once` for a caller that only wants the repeat refused."""
	for _row in each_once(rows, fieldname, message, exc, title):
		pass


def refuse_existing(owner: str, existing: str | None, message: str, exc: type[Exception], title: str) -> None:
	"""One of a kind: refuse making another when `owner` already has `existing` (a name, or None).
	`message`: {0} the owner, {1} the existing record."""
	if existing:
		frappe.throw(message.format(frappe.bold(owner), frappe.bold(existing)), exc=exc, title=title)


def refuse_more_than(rows: list, maximum: int, message: str, exc: type[Exception], title: str) -> None:
	"""At most `maximum` rows in a table. `message`: {0} the maximum."""
	if len(rows) > maximum:
		frappe.throw(message.format(maximum), exc=exc, title=title)


def options_list(options: Iterable[str]) -> str:
	"""The allowed values, translated, for a "must be one of: {0}" message."""
	return ", ".join(frappe._(option) for option in options)
