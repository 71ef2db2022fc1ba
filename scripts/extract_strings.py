"""Collect every user-facing string of brm_app, and check brm_app/translations/<lang>.csv covers them.

Run with the bench's Python (frappe's extractors are used for code, no site needed):

    scripts/dev python scripts/extract_strings.py                # list the strings, one a line
    scripts/dev python scripts/extract_strings.py --missing id   # the ones id.csv does not translate
    scripts/dev python scripts/extract_strings.py --missing id --csv missing-id.csv   # as CSV rows

What is collected (as frappe's own translation lookup sees it):
- DocTypes: name, description, field labels / descriptions, Select options, the roles in permissions;
- custom fields (brm_app/brm_app/custom/*.json): labels, descriptions, options;
- workflows (brm_app.services.approval_rules): workflow names, state names, action names;
- reports, number cards, dashboard charts, workspaces, module onboarding and onboarding steps: names,
  labels, titles;
- code: Python `_()` / `_lt()` (also the Jinja `_()` inside Python strings: e-mail templates), JavaScript
  `__()`, Jinja / HTML `_()` (print formats, the survey page, templates).
"""

import argparse
import ast
import csv
import html
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "brm_app"
MODULE = APP / "brm_app"
CODE_SUFFIXES = (".py", ".js", ".html", ".vue")
SKIP_DIRS = {"__pycache__", "node_modules", "translations", "dist"}


def _json_files(folder: Path):
	if not folder.exists():
		return []
	return sorted(p for p in folder.glob("*/*.json"))


def _load(path: Path) -> dict:
	try:
		return json.loads(path.read_text(encoding="utf-8"))
	except ValueError:
		return {}


def _select_options(options: str | None) -> list[str]:
	return [option for option in (options or "").split("\n") if option.strip()]


def from_doctypes() -> list[str]:
	out: list[str] = []
	for path in _json_files(MODULE / "doctype"):
		doc = _load(path)
		if doc.get("doctype") != "DocType":
			continue
		out += [doc.get("name"), doc.get("description")]
		for field in doc.get("fields", []):
			out += [field.get("label"), field.get("description")]
			if field.get("fieldtype") == "Select" and field.get("fieldname") != "naming_series":
				out += _select_options(field.get("options"))
		out += [perm.get("role") for perm in doc.get("permissions", [])]
	return out


def from_custom_fields() -> list[str]:
	out: list[str] = []
	for path in sorted((MODULE / "custom").glob("*.json")) if (MODULE / "custom").exists() else []:
		doc = _load(path)
		for field in doc.get("custom_fields", []):
			out += [field.get("label"), field.get("description")]
			if field.get("fieldtype") == "Select":
				out += _select_options(field.get("options"))
	return out


def from_workflows() -> list[str]:
	sys.path.insert(0, str(REPO))
	from brm_app.services import approval_rules

	out: list[str] = []
	for spec in approval_rules.WORKFLOWS.values():
		out.append(spec.name)
		out += [state.name for state in spec.states]
		out += [transition.action for transition in spec.transitions]
	out += list(approval_rules.BRM_ROLES)
	return out


def from_kpi_figures() -> list[str]:
	"""The Scorecard's figure names and definitions (brm_app.services.kpi.FIGURES), translated when its rows
	and chart are built."""
	sys.path.insert(0, str(REPO))
	from brm_app.services import kpi

	return [text for figure in kpi.FIGURES for text in (figure.label, figure.definition)]


def from_desk_records() -> list[str]:
	"""Reports, number cards, dashboard charts, workspaces, onboarding."""
	out: list[str] = []
	for path in _json_files(MODULE / "report"):
		doc = _load(path)
		out += [doc.get("name"), doc.get("report_name")]
		for column in doc.get("columns") or []:
			out.append(column.get("label"))
		for flt in doc.get("filters") or []:
			out.append(flt.get("label"))
	for path in _json_files(MODULE / "number_card"):
		doc = _load(path)
		out += [doc.get("label")]
	for path in _json_files(MODULE / "dashboard_chart"):
		doc = _load(path)
		out += [doc.get("chart_name")]
	for path in _json_files(MODULE / "dashboard"):
		doc = _load(path)
		out += [doc.get("dashboard_name")]
	for path in _json_files(MODULE / "workspace"):
		doc = _load(path)
		out += [doc.get("label"), doc.get("title")]
		for key in ("shortcuts", "links", "charts", "number_cards", "quick_lists", "custom_blocks", "cards"):
			for row in doc.get(key) or []:
				out.append(row.get("label"))
		for block in json.loads(doc.get("content") or "[]"):
			data = block.get("data") or {}
			if block.get("type") in ("header", "paragraph"):
				out.append(_strip_tags(data.get("text")))
				# the desk translates a header or paragraph as its whole HTML, without line breaks and tabs
				# (frappe's workspace blocks: __(text.replace(/(\n|\t)/gm, "")))
				out.append(re.sub(r"[\n\t]", "", data.get("text") or ""))
	for path in _json_files(MODULE / "module_onboarding"):
		doc = _load(path)
		out += [doc.get("title"), doc.get("subtitle"), doc.get("success_message")]
	for path in _json_files(MODULE / "onboarding_step"):
		doc = _load(path)
		# the description too: brm_app.api.workspace translates it for the onboarding widget
		out += [doc.get("title"), doc.get("action_label"), doc.get("description")]
	for path in _json_files(MODULE / "print_format"):
		doc = _load(path)
		out.append(doc.get("name"))
	return out


def _strip_tags(text: str | None) -> str | None:
	import re

	if not text:
		return text
	return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _code_files():
	for path in sorted(APP.rglob("*")):
		if path.suffix in CODE_SUFFIXES and not SKIP_DIRS.intersection(path.parts):
			yield path


def from_code() -> list[str]:
	from frappe.gettext.extractors.utils import extract_messages_from_code
	from frappe.translate import extract_messages_from_javascript_code, extract_messages_from_python_code

	out: list[str] = []
	for path in _code_files():
		text = path.read_text(encoding="utf-8")
		if path.suffix == ".py":
			out += [message for _line, message, _ctx in extract_messages_from_python_code(text)]
			# Jinja templates kept in Python strings (e-mail templates): their _() calls
			for constant in _string_constants(text):
				if "_(" in constant and ("{{" in constant or "{%" in constant):
					out += [message for _line, message, _ctx in extract_messages_from_code(constant)]
		else:
			out += [message for _line, message, _ctx in extract_messages_from_code(text)]
			if path.suffix == ".js":
				out += [message for _line, message, _ctx in extract_messages_from_javascript_code(text)]
	return out


def _string_constants(source: str) -> list[str]:
	try:
		tree = ast.parse(source)
	except SyntaxError:
		return []
	return [
		node.value
		for node in ast.walk(tree)
		if isinstance(node, ast.Constant) and isinstance(node.value, str)
	]


def collect() -> list[str]:
	"""Every translatable string of the app, sorted, each once."""
	from frappe.gettext.extractors.utils import is_translatable

	strings = [
		*from_doctypes(),
		*from_custom_fields(),
		*from_workflows(),
		*from_kpi_figures(),
		*from_desk_records(),
		*from_code(),
	]
	cleaned = {s.strip() if isinstance(s, str) else s for s in strings}
	return sorted(s for s in cleaned if s and isinstance(s, str) and is_translatable(s) and _wanted(s))


def _wanted(message: str) -> bool:
	# placeholders only ("{0}: {1}") and bare punctuation need no translation
	import re

	return bool(re.search(r"[A-Za-z]{2,}", re.sub(r"\{\d*\}", "", message)))


def translations(lang: str) -> dict[str, str]:
	path = APP / "translations" / f"{lang}.csv"
	if not path.exists():
		return {}
	with path.open(encoding="utf-8", newline="") as handle:
		return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2 and row[0] and row[1]}


def missing(lang: str) -> list[str]:
	have = translations(lang)
	return [s for s in collect() if s not in have]


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--missing", metavar="LANG", help="only the strings LANG.csv does not translate")
	parser.add_argument("--csv", metavar="FILE", help="write them as CSV rows (source, empty translation)")
	args = parser.parse_args()
	strings = missing(args.missing) if args.missing else collect()
	if args.csv:
		with open(args.csv, "w", encoding="utf-8", newline="") as handle:
			writer = csv.writer(handle)
			for s in strings:
				writer.writerow([s, ""])
	else:
		for s in strings:
			print(s)
	print(f"{len(strings)} strings", file=sys.stderr)
	return 0


if __name__ == "__main__":
	sys.exit(main())
