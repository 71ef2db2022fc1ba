"""docs/security.md case 1: a relationship manager lists, counts, opens, prints, exports, searches (link field
search) and reads through /api/resource another manager's portfolio, agreement, opportunity, business case
or survey → nothing of it is returned.

Over HTTP against a real server on loopback, logged in as relationship manager B, for each of the five
doctypes and every read path of frappe 15.44 (including the ones that skip permission_query_conditions:
frappe.client.get_count, link search with ignore_user_permissions, validate_link, form connections,
dashboard heatmaps). Each check also runs for B's own record, which must come back: a test that found
nothing because the endpoint failed would prove nothing.
"""

import json
import re

import frappe
import pytest

from tests.security.conftest import DOCTYPES, PORTFOLIO, TITLE_FIELD
from tests.support.security import HttpUser

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture(scope="module")
def rm_b(server, world):
	return HttpUser(server, world.rm_b)


@pytest.fixture(scope="module")
def rm_a(server, world):
	return HttpUser(server, world.rm_a)


def _ok(response):
	assert response.status_code == 200, (response.status_code, response.text[:2000])
	return response.json()


def _names(rows) -> set[str]:
	return {row["name"] if isinstance(row, dict) else row[0] for row in rows}


def _mentions(text: str, name: str) -> bool:
	return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


rm_b_committed_todos: list[str] = []
# doctypes whose title (searched by link search) carries the world's unique marker
MARKED = ("Customer Agreement", "Service Opportunity", "Business Case")


def _other_and_own(world, doctype):
	return world.records["a1"][doctype], world.records["b1"][doctype]


@pytest.fixture(params=DOCTYPES)
def doctype(request):
	return request.param


# --- list ----------------------------------------------------------------------------------------------


def test_list_through_api_resource(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	rows = _ok(rm_b.resource("GET", doctype, params={"fields": '["name"]', "limit": 0}))["data"]
	assert own in _names(rows)
	assert other not in _names(rows)
	assert world.records["a2"][doctype] not in _names(rows)


def test_list_through_api_v2(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	response = rm_b.session.get(
		f"{rm_b.url}/api/v2/document/{doctype}", params={"fields": '["name"]', "limit": 1000}, timeout=60
	)
	names = _names(_ok(response)["data"])
	assert own in names and other not in names


def test_list_through_client_get_list_and_the_list_view(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	listed = _names(_ok(rm_b.call("frappe.client.get_list", doctype=doctype, limit_page_length=0))["message"])
	assert own in listed and other not in listed
	view = _ok(
		rm_b.call(
			"frappe.desk.reportview.get", doctype=doctype, fields=[f"`tab{doctype}`.`name`"], page_length=500
		)
	)["message"]
	view_names = {row[0] for row in view.get("values", [])}
	assert own in view_names and other not in view_names


def test_list_with_a_filter_naming_the_other_record(world, rm_b, doctype):
	other, _own = _other_and_own(world, doctype)
	rows = _ok(rm_b.call("frappe.client.get_list", doctype=doctype, filters={"name": other}))["message"]
	assert rows == []
	value = _ok(rm_b.call("frappe.client.get_value", doctype=doctype, fieldname="name", filters=other))
	assert not value.get("message")


# --- count ---------------------------------------------------------------------------------------------


def test_count_through_every_api(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	for name, expected in ((other, 0), (own, 1)):
		flt = {"name": name}
		assert _ok(rm_b.call("frappe.client.get_count", doctype=doctype, filters=flt))["message"] == expected
		assert (
			_ok(rm_b.get_method("frappe.client.get_count", doctype=doctype, filters=flt))["message"]
			== expected
		)
		assert (
			_ok(rm_b.call("frappe.desk.reportview.get_count", doctype=doctype, filters=flt))["message"]
			== expected
		)
		v2 = rm_b.session.get(
			f"{rm_b.url}/api/v2/doctype/{doctype}/count", params={"filters": json.dumps(flt)}, timeout=60
		)
		assert _ok(v2)["data"] == expected
	# and no filter at all: B's own records only (cached or not)
	for cache in (0, 1):
		total = _ok(rm_b.call("frappe.client.get_count", doctype=doctype, cache=cache))["message"]
		frappe.db.rollback()
		assert total == len(frappe.get_list(doctype, pluck="name", user=world.rm_b, limit=0))


def test_sidebar_and_group_by_counts(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	# an assignment on each of A's and B's records (the "Assigned To" sidebar counts them)
	frappe.db.rollback()
	for name in (other, own):
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"description": "review",
				"allocated_to": world.pm,
				"reference_type": doctype,
				"reference_name": name,
			}
		).insert(ignore_permissions=True)
		rm_b_committed_todos.append(todo.name)
	frappe.db.commit()  # nosemgrep: the server reads committed ToDos; removed below
	try:
		assigned = _ok(
			rm_b.call(
				"frappe.desk.listview.get_group_by_count",
				doctype=doctype,
				current_filters=[],
				field="assigned_to",
			)
		)["message"]
	finally:
		frappe.db.rollback()
		for todo in rm_b_committed_todos:
			frappe.db.delete("ToDo", todo)
		rm_b_committed_todos.clear()
		frappe.db.commit()  # nosemgrep: removes the ToDos committed above
	assert {row["name"]: row["count"] for row in assigned} == {world.pm: 1}
	stats = _ok(
		rm_b.call(
			"frappe.desk.listview.get_group_by_count", doctype=doctype, current_filters=[], field="owner"
		)
	)["message"]
	total = sum(row["count"] for row in stats)
	frappe.db.rollback()
	assert total == len(frappe.get_list(doctype, pluck="name", user=world.rm_b, limit=0))
	response = rm_b.call("frappe.desk.reportview.get_sidebar_stats", stats='["_user_tags"]', doctype=doctype)
	assert not _mentions(response.text, other)


# --- open ----------------------------------------------------------------------------------------------


def test_open_through_api_resource_client_get_and_the_form(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	assert rm_b.resource("GET", doctype, own).status_code == 200
	refused = rm_b.resource("GET", doctype, other)
	assert refused.status_code == 403
	assert "data" not in refused.json()
	assert world.marker["a1"] not in refused.text
	assert rm_b.session.get(f"{rm_b.url}/api/v2/document/{doctype}/{other}", timeout=60).status_code == 403
	assert rm_b.call("frappe.client.get", doctype=doctype, name=other).status_code == 403
	assert rm_b.get_method("frappe.desk.form.load.getdoc", doctype=doctype, name=other).status_code == 403
	assert rm_b.get_method("frappe.desk.form.load.getdoc", doctype=doctype, name=own).status_code == 200
	assert rm_b.call("frappe.desk.form.load.get_docinfo", doctype=doctype, name=other).status_code == 403
	perms = _ok(rm_b.call("frappe.client.has_permission", doctype=doctype, docname=other))
	assert perms["message"]["has_permission"] is False


# --- print and export ----------------------------------------------------------------------------------


def test_print(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	mine = rm_b.get_page("/printview", doctype=doctype, name=own)
	assert mine.status_code == 200 and _mentions(mine.text, own)
	page = rm_b.get_page("/printview", doctype=doctype, name=other)
	assert page.status_code == 403
	assert world.marker["a1"] not in page.text
	html_and_style = rm_b.call("frappe.www.printview.get_html_and_style", doc=doctype, name=other)
	assert html_and_style.status_code == 403
	assert world.marker["a1"] not in html_and_style.text
	pdf = rm_b.session.get(
		f"{rm_b.url}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": doctype, "name": other},
		timeout=60,
	)
	assert pdf.status_code == 403


def test_export(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	for selection in (None, [other, own]):
		data = {
			"doctype": doctype,
			"file_format_type": "CSV",
			"fields": json.dumps([f"`tab{doctype}`.`name`", f"`tab{doctype}`.`{TITLE_FIELD[doctype]}`"]),
			"title": doctype,
		}
		if selection:
			data["selected_items"] = json.dumps(selection)
		response = rm_b.call("frappe.desk.reportview.export_query", **data)
		assert response.status_code == 200, response.text[:500]
		assert _mentions(response.text, own)
		assert not _mentions(response.text, other)
		assert world.marker["a1"] not in response.text


# --- link search ---------------------------------------------------------------------------------------


def test_link_search(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	# the record's name, its title's unique marker (where the title carries one) and an empty search
	searchable = {
		"a1": [other, ""] + ([world.marker["a1"]] if doctype in MARKED else []),
		"b1": [own] + ([world.marker["b1"]] if doctype in MARKED else []),
	}
	for key, name in (("a1", other), ("b1", own)):
		for ignore_user_permissions in (0, 1):
			for txt in searchable[key]:
				found = _ok(
					rm_b.call(
						"frappe.desk.search.search_link",
						doctype=doctype,
						txt=txt,
						page_length=500,
						ignore_user_permissions=ignore_user_permissions,
					)
				)["message"]
				values = {row["value"] for row in found}
				if key == "a1":
					assert other not in values, (txt, ignore_user_permissions)
				else:
					assert own in values, (txt, ignore_user_permissions)
			widget = rm_b.call(
				"frappe.desk.search.search_widget",
				doctype=doctype,
				txt=name,
				ignore_user_permissions=ignore_user_permissions,
				as_dict=1,
			)
			assert (key == "b1") == _mentions(widget.text, name), (key, ignore_user_permissions)


def test_validate_link_does_not_confirm_the_other_name(world, rm_b, doctype):
	other, own = _other_and_own(world, doctype)
	assert (
		_ok(rm_b.call("frappe.client.validate_link", doctype=doctype, docname=own))["message"]["name"] == own
	)
	answer = _ok(rm_b.call("frappe.client.validate_link", doctype=doctype, docname=other))
	assert not (answer.get("message") or {}).get("name")


def test_link_preview(world, rm_b, doctype):
	other, _own = _other_and_own(world, doctype)
	response = rm_b.call("frappe.desk.link_preview.get_preview_data", doctype=doctype, docname=other)
	# answered, with nothing in it: the preview of a record one may not read is empty
	assert response.status_code == 200, response.text[:500]
	assert world.marker["a1"] not in response.text and not (response.json().get("message"))


# --- connections, dashboards ---------------------------------------------------------------------------


def test_customer_connections_count_only_own_records(world, rm_b, server):
	"""The Customer form's "Business Relationship" connections (get_open_count) of A's customer, for a user
	who may read Customers: none of A's records is counted."""
	customer = world.records["a1"][PORTFOLIO]
	frappe.db.rollback()
	reader = HttpUser(server, world.rm_b)
	frappe.set_user("Administrator")
	# B gets read access to Customers (e.g. through a Sales User role)
	frappe.get_doc("User", world.rm_b).add_roles("Sales User")
	frappe.db.commit()  # nosemgrep: the server reads committed roles; the world cleanup removes the user
	try:
		counts = _ok(
			reader.call("frappe.desk.notifications.get_open_count", doctype="Customer", name=customer)
		)
		found = {row["doctype"]: row["count"] for row in counts["message"]["count"]["external_links_found"]}
		assert set(found) >= set(DOCTYPES)
		assert all(found[d] == 0 for d in DOCTYPES), found
		own_customer = world.records["b1"][PORTFOLIO]
		counts = _ok(
			reader.call("frappe.desk.notifications.get_open_count", doctype="Customer", name=own_customer)
		)
		found = {row["doctype"]: row["count"] for row in counts["message"]["count"]["external_links_found"]}
		assert all(found[d] == 1 for d in DOCTYPES), found
	finally:
		frappe.db.rollback()
		user = frappe.get_doc("User", world.rm_b)
		user.remove_roles("Sales User")
		frappe.db.commit()  # nosemgrep: puts the committed user back as it was


def test_dashboard_heatmap_and_group_by_chart(world, rm_b, rm_a, doctype):
	other_count = len(world.records)  # three records of each doctype exist, one is B's
	heatmap = {
		"name": f"brm-sec-{doctype}",
		"chart_name": f"brm-sec-{doctype}",
		"chart_type": "Count",
		"type": "Heatmap",
		"document_type": doctype,
		"based_on": "creation",
		"filters_json": "[]",
	}
	data = _ok(
		rm_b.call("frappe.desk.doctype.dashboard_chart.dashboard_chart.get", chart=heatmap, no_cache=1)
	)
	points = data["message"]["dataPoints"]
	assert sum(points.values()) == len(frappe.get_list(doctype, pluck="name", user=world.rm_b, limit=0))
	assert sum(points.values()) < other_count
	group_by = {**heatmap, "type": "Bar", "chart_type": "Group By", "group_by_type": "Count"}
	group_by["group_by_based_on"] = "owner"
	# A asks first (frappe 15.44 caches the result per chart name for everyone), then B
	method = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"
	_ok(rm_a.call(method, chart=group_by, refresh=1))
	values = _ok(rm_b.call(method, chart=group_by))["message"]["datasets"][0]["values"]
	assert sum(values) == len(frappe.get_list(doctype, pluck="name", user=world.rm_b, limit=0))


def test_number_card(world, rm_b, doctype):
	card = {"function": "Count", "document_type": doctype}
	result = _ok(rm_b.call("frappe.desk.doctype.number_card.number_card.get_result", doc=card, filters=[]))
	frappe.db.rollback()
	assert result["message"] == len(frappe.get_list(doctype, pluck="name", user=world.rm_b, limit=0))
