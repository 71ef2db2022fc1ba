"""docs/security.md case 18: Data Import of portfolios / agreements with bad rows (missing fields, bad links,
another manager's customer, workflow_state=Approved) → good rows in, bad rows reported, no permission bypass.

frappe's Data Import runs its Importer in a background job; here it runs synchronously (the same
Importer.import_data, as the importing user), on CSV files, and commits row by row as it does in production
(so this module commits and cleans up after itself). What it shows:
- each good row is imported, each bad row has a failed Data Import Log naming why, and no bad row's
  record exists;
- the importer applies the importing relationship manager's row-level access: no agreement for another
  manager's customer, no portfolio handed to another manager, no record moved through "Update Existing";
- a workflow state cannot be imported (no Approved agreement without the approval);
- a bad link stops the import before anything is written, with the row named (frappe validates links first);
- a relationship manager cannot create a Data Import at all over the desk API (System Manager only).
"""

import csv
import io
import json

import frappe
import pytest
from frappe.core.doctype.data_import.importer import Importer
from frappe.utils import add_days, nowdate

from tests.security.conftest import AGREEMENT, PORTFOLIO, fast_user
from tests.support.factories import make_customer, make_portfolio, uid
from tests.support.security import HttpUser, http_user


@pytest.fixture(scope="module")
def people(committed):
	frappe.db.rollback()
	frappe.set_user("Administrator")
	slug = uid("imp")
	people = frappe._dict(
		rm_a=fast_user(f"brm-acc-{slug}-rm-a@example.com", ("Business Relationship Manager",)),
		rm_b=fast_user(f"brm-acc-{slug}-rm-b@example.com", ("Business Relationship Manager",)),
	)
	committed.add("User", people.rm_a)
	committed.add("User", people.rm_b)
	people.customer_a = make_portfolio(relationship_manager=people.rm_a).customer
	people.customer_b = make_portfolio(relationship_manager=people.rm_b).customer
	for customer in (people.customer_a, people.customer_b):
		committed.add("Customer", customer)
		committed.add(PORTFOLIO, customer)
	committed.commit()
	yield people
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for name in frappe.get_all(
		"Data Import",
		{
			"owner": "Administrator",
			"reference_doctype": ("in", (AGREEMENT, PORTFOLIO)),
			"creation": (">=", committed.started),
		},
		pluck="name",
	):
		frappe.db.delete("Data Import Log", {"data_import": name})
		frappe.db.delete("Data Import", name)
	frappe.db.commit()  # nosemgrep: removes the import records this module committed


def _csv_file(committed, rows: list[list]) -> str:
	"""A private File holding `rows` as CSV, as the desk uploads it; returns its URL."""
	buffer = io.StringIO()
	csv.writer(buffer).writerows(rows)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{uid('import-')}.csv",
			"content": buffer.getvalue().encode(),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	committed.add("File", file.name)
	return file.file_url


def run_import(committed, doctype: str, user: str, rows: list[list], import_type="Insert New Records"):
	"""Import `rows` (header first) into `doctype` as `user`, synchronously (the background job's
	Importer.import_data); returns (data import, logs)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": doctype,
			"import_type": import_type,
			"import_file": _csv_file(committed, rows),
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the importer commits row by row; cleaned up with the module
	try:
		frappe.set_user(user)
		Importer(doctype, data_import=data_import).import_data()
		frappe.db.commit()  # nosemgrep: as the background job does when it ends (status, template warnings)
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
	logs = frappe.get_all(
		"Data Import Log",
		filters={"data_import": data_import.name},
		fields=["success", "docname", "row_indexes", "messages", "exception"],
		order_by="log_index",
	)
	for log in logs:
		if log.docname:
			committed.add(doctype, log.docname)
	return frappe.get_doc("Data Import", data_import.name), logs


def _by_row(logs) -> dict[int, frappe._dict]:
	out = {}
	for log in logs:
		for row in json.loads(log.row_indexes):
			out[row] = log
	return out


def _why(log) -> str:
	return f"{log.messages or ''} {log.exception or ''}"


AGREEMENT_HEADER = ["Title", "Customer", "Agreement Type", "Start Date", "End Date", "Sign-off State"]


def _agreement_row(title, customer, state=""):
	return [title, customer, "Internal", nowdate(), add_days(nowdate(), 365), state]


def test_agreement_import_good_rows_in_bad_rows_reported(committed, people):
	marker = uid("imp")
	rows = [
		AGREEMENT_HEADER,
		_agreement_row(f"good one {marker}", people.customer_b),  # row 2
		_agreement_row("", people.customer_b),  # row 3: missing title
		_agreement_row(f"theirs {marker}", people.customer_a),  # row 4: another manager's customer
		_agreement_row(f"approved {marker}", people.customer_b, "Approved"),  # row 5: workflow shortcut
		["", people.customer_b, "Internal", "", "", ""],  # row 6: several fields missing
		_agreement_row(f"good two {marker}", people.customer_b),  # row 7
	]
	data_import, logs = run_import(committed, AGREEMENT, people.rm_b, rows)
	by_row = _by_row(logs)
	assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
	assert [row for row, log in sorted(by_row.items()) if log.success] == [2, 7], _why(by_row[2])
	assert data_import.status == "Partial Success"
	assert "agreement_title" in _why(by_row[3]).lower() or "agreement title" in _why(by_row[3]).lower()
	assert "PermissionError" in _why(by_row[4]) or "permission" in _why(by_row[4]).lower()
	assert "workflow" in _why(by_row[5]).lower() or "Approved" in _why(by_row[5])
	# what is stored: only the good rows, for B's customer, not approved
	imported = frappe.get_all(
		AGREEMENT,
		filters={"agreement_title": ("like", f"%{marker}%")},
		fields=["agreement_title", "customer", "docstatus", "workflow_state", "owner"],
	)
	assert sorted(r.agreement_title for r in imported) == [f"good one {marker}", f"good two {marker}"]
	assert {(r.customer, r.docstatus, r.owner) for r in imported} == {(people.customer_b, 0, people.rm_b)}
	assert all(r.workflow_state != "Approved" for r in imported)


def test_agreement_import_with_a_bad_link_stops_before_writing_and_names_the_link(committed, people):
	marker = uid("imp")
	rows = [
		AGREEMENT_HEADER,
		_agreement_row(f"good {marker}", people.customer_b),
		_agreement_row(f"nowhere {marker}", f"No Such Customer {marker}"),  # row 3
	]
	data_import, logs = run_import(committed, AGREEMENT, people.rm_b, rows)
	assert logs == []
	warnings = json.loads(data_import.template_warnings or "[]")
	# frappe checks a Link column's values up front and names the missing ones (per column, or per row)
	assert warnings, (data_import.status, logs)
	assert any(f"No Such Customer {marker}" in w.get("message", "") for w in warnings), warnings
	assert {w["row"] for w in warnings if "row" in w} <= {3}
	assert not frappe.get_all(AGREEMENT, filters={"agreement_title": ("like", f"%{marker}%")})


def test_agreement_update_import_cannot_move_another_managers_record(committed, people):
	frappe.db.rollback()
	frappe.set_user(people.rm_a)
	try:
		theirs = frappe.get_doc(
			{
				"doctype": AGREEMENT,
				"agreement_title": uid("A's "),
				"customer": people.customer_a,
				"agreement_kind": "Internal",
				"start_date": nowdate(),
				"end_date": add_days(nowdate(), 365),
			}
		).insert()
	finally:
		frappe.set_user("Administrator")
	committed.add(AGREEMENT, theirs.name)
	committed.commit()
	rows = [["ID", "Customer", "Title"], [theirs.name, people.customer_b, "taken by B"]]
	_data_import, logs = run_import(committed, AGREEMENT, people.rm_b, rows, "Update Existing Records")
	assert [log.success for log in logs] == [0]
	assert "PermissionError" in _why(logs[0]) or "permission" in _why(logs[0]).lower()
	assert frappe.db.get_value(AGREEMENT, theirs.name, ["customer", "agreement_title"]) == (
		people.customer_a,
		theirs.agreement_title,
	)


def test_portfolio_import_good_rows_in_bad_rows_reported(committed, people):
	frappe.db.rollback()
	fresh = []
	for _ in range(2):
		customer = make_customer().name
		committed.add("Customer", customer)
		if frappe.db.exists(PORTFOLIO, customer):  # BRM Settings may open one on insert
			frappe.delete_doc(PORTFOLIO, customer, ignore_permissions=True, force=True)
		fresh.append(customer)
	committed.commit()
	rows = [
		["Customer", "Relationship Manager"],
		[fresh[0], people.rm_b],  # row 2: good
		["", people.rm_b],  # row 3: missing customer
		[fresh[1], people.rm_a],  # row 4: a portfolio handed to another manager
		[people.customer_a, people.rm_b],  # row 5: another manager's customer (has a portfolio)
	]
	_data_import, logs = run_import(committed, PORTFOLIO, people.rm_b, rows)
	by_row = _by_row(logs)
	assert [row for row, log in sorted(by_row.items()) if log.success] == [2]
	assert sorted(by_row) == [2, 3, 4, 5]
	assert "PermissionError" in _why(by_row[4]) or "permission" in _why(by_row[4]).lower()
	assert frappe.db.get_value(PORTFOLIO, fresh[0], "relationship_manager") == people.rm_b
	assert not frappe.db.exists(PORTFOLIO, fresh[1])
	assert frappe.db.get_value(PORTFOLIO, people.customer_a, "relationship_manager") == people.rm_a


def test_relationship_manager_cannot_start_a_data_import_over_http(committed, server, people):
	frappe.db.rollback()
	email = http_user(committed, f"brm-acc-{uid()}-importer@example.com", ("Business Relationship Manager",))
	committed.commit()
	browser = HttpUser(server, email)
	response = browser.call(
		"frappe.client.insert",
		doc={"doctype": "Data Import", "reference_doctype": AGREEMENT, "import_type": "Insert New Records"},
	)
	assert response.status_code == 403, response.text[:300]
