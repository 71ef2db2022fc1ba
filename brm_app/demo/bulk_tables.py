"""Rows as frappe would store them, written with multi-row INSERTs (the bulk demo writer's tables), and the
names it takes from frappe's naming series counters."""

from datetime import date, datetime
from datetime import time as dtime

import frappe
from frappe.model import float_like_fields
from frappe.model.naming import NamingSeries
from frappe.utils import cint, flt
from pymysql.converters import escape_string

from brm_app.demo.recipe import row_name

ROWS_PER_INSERT = 1000


class Table:
	"""The rows of one doctype for one chunk, stored as frappe would store a new document's values.

	A column left out of a row gets the value a fresh document has (frappe.new_doc defaults; numbers
	and checks normalised as frappe's get_valid_dict does). Columns whose fresh value is what MariaDB
	stores anyway (NULL, or 0 for numbers) are left out of the INSERT unless a row sets them.
	"""

	def __init__(self, doctype: str):
		self.doctype = doctype
		meta = frappe.get_meta(doctype)
		self.columns = set(frappe.db.get_table_columns(doctype))
		template = frappe.new_doc(doctype)
		base = template.get_valid_dict(convert_dates_to_str=False)
		self.base = {key: value for key, value in base.items() if key in self.columns and key != "doctype"}
		self.order = [key for key in self.base] + sorted(self.columns - set(self.base))
		self.checks = {df.fieldname for df in meta.fields if df.fieldtype == "Check"}
		self.ints = {df.fieldname for df in meta.fields if df.fieldtype == "Int"} | {"docstatus", "idx"}
		self.floats = {df.fieldname for df in meta.fields if df.fieldtype in float_like_fields}
		self.numbers = self.checks | self.ints | self.floats
		self.rows: list[dict] = []
		self.used: set[str] = set()

	def add(self, values: dict) -> dict:
		unknown = values.keys() - self.columns
		if unknown:
			raise KeyError(f"{self.doctype} has no column {sorted(unknown)}")
		for fieldname in self.numbers.intersection(values):
			value = values[fieldname]
			if fieldname in self.checks:
				values[fieldname] = 1 if cint(value) else 0
			elif fieldname in self.ints:
				if not isinstance(value, int):
					values[fieldname] = cint(value)
			elif not isinstance(value, float):
				values[fieldname] = flt(value)
		self.used.update(values)
		self.rows.append(values)
		return values

	def flush(self) -> int:
		count = len(self.rows)
		if not count:
			return 0
		fields = [
			field for field in self.order if field in self.used or _stored_differently(self.base.get(field))
		]
		base = self.base
		head = f"insert into `tab{self.doctype}` ({', '.join(f'`{field}`' for field in fields)}) values "
		for start in range(0, count, ROWS_PER_INSERT):
			values = []
			for row in self.rows[start : start + ROWS_PER_INSERT]:
				values.append(
					"(" + ", ".join(_literal(row[f] if f in row else base.get(f)) for f in fields) + ")"
				)
			frappe.db.sql(head + ", ".join(values))
		self.rows = []
		self.used = set()
		return count


def _stored_differently(value) -> bool:
	"""Whether a fresh document's value differs from what MariaDB stores for a column left out."""
	if value is None:
		return False
	if isinstance(value, int | float) and value == 0:
		return False
	return True


def _literal(value) -> str:
	"""A SQL literal (MariaDB) for a value of a row: the string escaping is pymysql's, in C."""
	if value is None:
		return "NULL"
	kind = type(value)
	if kind is str:
		return "'" + escape_string(value) + "'"
	if kind is int or kind is bool:
		return str(int(value))
	if kind is float:
		return repr(value)
	if kind is datetime:
		return "'" + value.isoformat(" ") + "'"
	if kind is date or kind is dtime:
		return "'" + value.isoformat() + "'"
	return "'" + escape_string(str(value)) + "'"


def reserve_names(series: str, count: int) -> list[str]:
	"""`count` names of a naming series, reserved in one step in frappe's counter table (`tabSeries`)."""
	if not count:
		return []
	naming = NamingSeries(series if "#" in series else f"{series}.#####")
	prefix = naming.get_prefix()
	digits = naming.series.count("#")
	current = frappe.db.sql("select `current` from `tabSeries` where `name` = %s for update", prefix)
	if current:
		start = cint(current[0][0])
		frappe.db.sql("update `tabSeries` set `current` = %s where `name` = %s", (start + count, prefix))
	else:
		start = 0
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, %s)", (prefix, count))
	return [f"{prefix}{str(n).zfill(digits)}" for n in range(start + 1, start + count + 1)]


def series_of(doctype: str) -> str:
	meta = frappe.get_meta(doctype)
	return (meta.get_field("naming_series").options or "").split("\n")[0] or meta.autoname


def stamps(created: datetime, owner: str) -> dict:
	return {
		"creation": created,
		"modified": created,
		"owner": owner,
		"modified_by": owner,
		"docstatus": 0,
		"idx": 0,
	}


def child(parent: str, parenttype: str, parentfield: str, idx: int, parent_stamps: dict) -> dict:
	"""A child row's own fields: its name (brm_app.demo.recipe.row_name), place and the parent's stamps."""
	return {
		"name": row_name(parenttype, parent, parentfield, idx),
		"parent": parent,
		"parenttype": parenttype,
		"parentfield": parentfield,
		"idx": idx,
		"creation": parent_stamps["creation"],
		"modified": parent_stamps["modified"],
		"owner": parent_stamps["owner"],
		"modified_by": parent_stamps["modified_by"],
		"docstatus": 0,
	}
