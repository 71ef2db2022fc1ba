"""Indonesian at run time (issue 15): a user whose language is Indonesian runs every BRM report, number card and
dashboard chart and opens the BRM workspace, through the methods the desk calls, on the demo's data; no
English string of ours may come back.

What counts as English is read from brm_app/translations/id.csv, not from a list of labels kept here: a
string the desk shows is English when it is a source string of id.csv whose Indonesian is different
(compared without HTML tags and surrounding spaces), or matches such a source string with placeholders
("{0} of {1} customers"), unless it is an acronym that stays as it is in Indonesian (KPI, NPS, ...). Where
frappe's desk translates a string itself when it shows it (the JavaScript `__()` of a workspace header, a
report column's label, ...), the check applies the same translation first (`desk()` below), so a string
counts only as the user sees it. Values made at run time (figure names, units, trends, RAG, states) are
checked as returned: the desk shows report cells and chart labels as they come.
"""

import csv
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_months, nowdate

from brm_app.demo import generate
from tests.support.desk_calls import chart_data, endpoint
from tests.support.factories import make_business_case
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, approve_business_case, make_approver, to_pending_approval

ID_CSV = Path(__file__).resolve().parents[2] / "brm_app" / "translations" / "id.csv"
ACRONYMS = frozenset({"KPI", "NPS", "CSAT", "NPV", "ROI", "IRR", "RAG", "SLA", "IT"})
WORKSPACE = "Business Relationship Management"
MODULE = "BRM App"
DEMO_RM = "rm1@brm-demo.example.com"  # brm_app.demo's first relationship manager
TAGS = re.compile(r"<[^>]+>")
PLACEHOLDER = re.compile(r"\{\d*\}")


# --- what is English ------------------------------------------------------------------------------------


def _plain(text: str) -> str:
	return " ".join(html.unescape(TAGS.sub(" ", text)).split())


def _english_sources() -> tuple[frozenset[str], list[re.Pattern]]:
	"""The id.csv sources whose Indonesian differs: plain ones, and the ones with placeholders as patterns."""
	plain, patterns = set(), []
	with ID_CSV.open(encoding="utf-8", newline="") as handle:
		for row in csv.reader(handle):
			if len(row) < 2 or _plain(row[0]) == _plain(row[1]) or _plain(row[0]) in ACRONYMS:
				continue
			source = _plain(row[0])
			if PLACEHOLDER.search(source):
				literal = PLACEHOLDER.sub("", source)
				if len(re.findall(r"[A-Za-z]{3,}", literal)) >= 2:  # enough words to be a sentence of ours
					parts = [re.escape(part) for part in PLACEHOLDER.split(source)]
					patterns.append(re.compile("^" + "(.+?)".join(parts) + "$"))
			else:
				plain.add(source)
	return frozenset(plain), patterns


ENGLISH, ENGLISH_PATTERNS = _english_sources()


def english(shown: dict[str, str]) -> dict[str, str]:
	"""Of `shown` (where -> text as the user sees it), the ones that are English."""
	found = {}
	for where, text in shown.items():
		plain = _plain(text)
		if not plain or plain in ACRONYMS:
			continue
		if plain in ENGLISH or any(pattern.match(plain) for pattern in ENGLISH_PATTERNS):
			found[where] = plain
	return found


def strings(value, where: str = "") -> Iterator[tuple[str, str]]:
	"""Every string inside `value` (dicts, lists), with where it is."""
	if isinstance(value, str):
		yield where, value
	elif isinstance(value, dict):
		for key, item in value.items():
			yield from strings(item, f"{where}.{key}")
	elif isinstance(value, list | tuple):
		for index, item in enumerate(value):
			yield from strings(item, f"{where}[{index}]")


def desk(text: str) -> str:
	"""`text` translated as the desk's JavaScript `__()` does (frappe._messages: the boot's translations)."""
	return frappe.translate.get_all_translations("id").get(text) or text


# --- the user and the data ------------------------------------------------------------------------------


@pytest.fixture
def indonesian(db):
	"""The demo's data (3 customers, in this test's transaction) and two users whose language is Indonesian:
	the demo's relationship manager (their customers only) and a BRM Process Manager (all)."""
	from frappe.translate import clear_cache

	generate(scale=3, progress=False, commit=False)
	# a business case in every kind of state the reports and charts tell apart, on the relationship manager's
	# first customer (the demo makes cases only sometimes)
	customer = frappe.get_all(
		"Customer Portfolio", filters={"relationship_manager": DEMO_RM}, pluck="customer"
	)[0]
	approve_business_case(make_business_case(customer=customer))
	to_pending_approval(make_business_case(customer=customer))
	make_business_case(customer=customer)
	manager = make_approver(PROCESS_MANAGER)
	for user in (DEMO_RM, manager):
		frappe.db.set_value("User", user, "language", "id")
	clear_cache()
	frappe.local.lang = "id"
	yield {"relationship manager": DEMO_RM, "process manager": manager}
	frappe.local.lang = "en"


def as_reader(user: str):
	"""Run as `user` with the language the desk would give them (their own)."""
	context = as_user(user)
	frappe.local.lang = frappe.db.get_value("User", user, "language") or "en"
	return context


# --- reports --------------------------------------------------------------------------------------------


def report_filters() -> dict[str, dict]:
	"""Per report, the filters' defaults of its JavaScript, with periods wide enough for the demo's data."""
	return {
		"BRM KPI Scorecard": {},
		"Customer Satisfaction": {
			"from_date": add_months(nowdate(), -12),
			"to_date": nowdate(),
			"group_by": "Month",
		},
		"Customer Health": {"limit": 100},
		"Agreement Renewals": {"days_ahead": 400, "limit": 100},
		"Business Case Pipeline": {"from_date": add_months(nowdate(), -24), "to_date": nowdate()},
	}


def shown_by_report(result: dict) -> dict[str, str]:
	"""What the report view shows of a `query_report.run` result: column labels (the desk translates them),
	cells (as returned; a column marked translatable is translated by the desk's formatter), the chart's
	labels and legend, the summary's labels and values, and the message."""
	shown = {}
	columns = result.get("columns") or []
	fieldnames = []
	for index, column in enumerate(columns):
		if isinstance(column, dict):
			if column.get("hidden"):
				continue  # the report view does not show it (a raw key kept for links and sorting)
			shown[f"column {index} label"] = desk(column.get("label") or "")
			fieldnames.append((column.get("fieldname"), column.get("translatable"), index))
		else:
			shown[f"column {index} label"] = desk(str(column).split(":")[0])
			fieldnames.append((index, False, index))
	for row_number, row in enumerate(result.get("result") or []):
		for fieldname, translatable, position in fieldnames:
			value = (
				row.get(fieldname)
				if isinstance(row, dict)
				else (row[position] if position < len(row) else None)
			)
			if isinstance(value, str):
				shown[f"row {row_number} {fieldname}"] = desk(value) if translatable else value
	chart = result.get("chart") or {}
	for where, text in strings(chart.get("data") or {}, "chart"):
		shown[where] = text
	for index, item in enumerate(result.get("report_summary") or []):
		shown[f"summary {index} label"] = desk(item.get("label") or "")
		if isinstance(item.get("value"), str):
			shown[f"summary {index} value"] = item["value"]
	for where, text in strings(result.get("message") or "", "message"):
		shown[where] = text
	return shown


@pytest.mark.parametrize("reader", ["relationship manager", "process manager"])
def test_every_report_speaks_indonesian(indonesian, reader):
	run = endpoint("frappe.desk.query_report.run")
	found = {}
	for report, filters in report_filters().items():
		with as_reader(indonesian[reader]):
			result = run(report, filters=json.dumps(filters))
		assert result.get("result"), f"{report} shows no rows on the demo's data"
		found.update({f"{report}: {where}": text for where, text in english(shown_by_report(result)).items()})
	assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


# --- number cards and dashboard charts ------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["relationship manager", "process manager"])
def test_every_number_card_speaks_indonesian(indonesian, reader):
	get_result = endpoint("frappe.desk.doctype.number_card.number_card.get_result")
	cards = frappe.get_all("Number Card", filters={"module": MODULE}, pluck="name")
	assert len(cards) >= 8
	found = {}
	for name in cards:
		card = frappe.get_doc("Number Card", name)
		with as_reader(indonesian[reader]):
			if card.type == "Custom":
				result = endpoint(card.method)(filters=card.filters_json)
			else:
				result = get_result(card.as_dict(), card.filters_json, nowdate())
			shown = {"label (dashboard)": desk(card.label)}
		# the card shows its value (a number) under its label; the route is where a click leads
		for where, text in strings(
			{
				k: v
				for k, v in (result if isinstance(result, dict) else {"value": result}).items()
				if k != "route"
			},
			"result",
		):
			shown[where] = text
		found.update({f"{name}: {where}": text for where, text in english(shown).items()})
	assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("reader", ["relationship manager", "process manager"])
def test_every_dashboard_chart_speaks_indonesian(indonesian, reader):
	charts = frappe.get_all("Dashboard Chart", filters={"module": MODULE}, pluck="name")
	assert len(charts) >= 6
	found = {}
	for name in charts:
		chart = frappe.get_doc("Dashboard Chart", name)
		with as_reader(indonesian[reader]):
			try:
				data = chart_data(chart)
			except Exception as error:  # the desk shows no chart at all: a failure of its own, listed too
				found[f"{name}: error"] = repr(error)
				continue
		shown = {"title": desk(name)}
		for where, text in strings(data or {}, "data"):
			shown[where] = text
		found.update({f"{name}: {where}": text for where, text in english(shown).items()})
	assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


# --- the workspace --------------------------------------------------------------------------------------


JS_ESCAPES = {
	"&": "&amp;",
	"<": "&lt;",
	">": "&gt;",
	'"': "&quot;",
	"'": "&#39;",
	"`": "&#x60;",
	"=": "&#x3D;",
}


def desk_header(text: str) -> str:
	"""A workspace header as frappe 15's header block shows it (workspace/blocks/header.js): the whole HTML
	through __(), then its text, HTML-escaped (frappe.utils.escape_html), through __() again."""
	shown = desk(text)
	only_text = _plain(shown)
	escaped = "".join(JS_ESCAPES.get(char, char) for char in only_text)
	return shown.replace(escaped, desk(escaped))


def shown_by_workspace(page: dict, sidebar: dict) -> dict[str, str]:
	"""What the workspace shows: its title in the sidebar, the content's headers and paragraphs (translated by
	the desk as whole HTML strings), cards and links, charts, number cards, shortcuts and the onboarding."""
	shown = {}
	(entry,) = [p for p in sidebar["pages"] if p["name"] == WORKSPACE]
	shown["sidebar title"] = desk(entry.get("title") or entry["name"])
	workspace = frappe.get_doc("Workspace", WORKSPACE)
	for index, block in enumerate(json.loads(workspace.content)):
		if block["type"] == "header":
			shown[f"content {index} header"] = desk_header(block["data"].get("text") or "")
		elif block["type"] == "paragraph":
			shown[f"content {index} paragraph"] = desk(block["data"].get("text") or "")
	for card in page["cards"]["items"]:
		shown[f"card {card['label']}"] = desk(card["label"])
		for link in card.get("links") or []:
			shown[f"card {card['label']} link {link['label']}"] = desk(link["label"])
	for key in ("charts", "number_cards", "shortcuts", "quick_lists", "custom_blocks"):
		for item in (page.get(key) or {}).get("items") or []:
			shown[f"{key} {item.get('label')}"] = desk(item.get("label") or "")
	for onboarding in (page.get("onboardings") or {}).get("items") or []:
		for field in ("title", "subtitle", "success"):
			shown[f"onboarding {field}"] = desk(onboarding.get(field) or "")
		for step in onboarding.get("items") or []:
			shown[f"onboarding step {step['name']} title"] = desk(
				step.get("label") or step.get("title") or ""
			)
			shown[f"onboarding step {step['name']} action"] = desk(step.get("action_label") or "")
			# shown as returned: frappe's onboarding widget renders the description without __()
			shown[f"onboarding step {step['name']} description"] = step.get("description") or ""
	return shown


@pytest.mark.parametrize("reader", ["relationship manager", "process manager"])
def test_the_workspace_speaks_indonesian(indonesian, reader):
	with as_reader(indonesian[reader]):
		sidebar = endpoint("frappe.desk.desktop.get_workspace_sidebar_items")()
		page = endpoint("frappe.desk.desktop.get_desktop_page")(
			json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1})
		)
	shown = shown_by_workspace(page, sidebar)
	assert any(key.startswith("onboarding step") for key in shown), "the workspace shows no onboarding"
	assert english(shown) == {}, json.dumps(english(shown), indent=1, ensure_ascii=False)


# --- the checker itself -----------------------------------------------------------------------------------


def test_the_check_knows_english_from_indonesian(site):
	assert english({"a": "Customer Portfolio", "b": "<b>Business Case</b>", "c": "Portofolio Pelanggan"}) == {
		"a": "Customer Portfolio",
		"b": "Business Case",
	}
	assert english({"acronyms": "KPI", "data": "BRM Demo Customer 00001"}) == {}
	assert english({"pattern": "Row 3: question type must be one of: Rating."}) == {
		"pattern": "Row 3: question type must be one of: Rating."
	}
