"""The controllers' type blocks ("# begin: auto-generated types" … "# end: auto-generated types").

hooks.export_python_type_annotations is on, so frappe's own exporter (frappe.types.exporter.TypeExporter)
rewrites a controller's block whenever its doctype is saved in the desk in developer mode; the repository's
ruff (pre-commit: `ruff --fix`, `ruff format`) then sorts the block's imports and wraps its long lines. A
doctype JSON edited by hand is not saved there: regenerate the blocks from the JSON files, the same two
steps, with

    scripts/dev frappe --site "$BRM_SITE" execute brm_app.setup.types.export_types

tests/integration/test_types.py fails while a block is missing or out of date.
"""

import json
import subprocess
import sys
from pathlib import Path

import frappe

DOCTYPES = Path(__file__).resolve().parent.parent / "brm_app" / "doctype"


def definitions() -> list[Path]:
	"""The JSON definition of every doctype of the app (doctype/<name>/<name>.json)."""
	return sorted(path for path in DOCTYPES.glob("*/*.json") if path.stem == path.parent.name)


def exporter(definition: Path, controller: Path | None = None):
	"""frappe's TypeExporter for the doctype defined in `definition`, writing to `controller` (default: the
	doctype's own controller module)."""
	from frappe.types.exporter import TypeExporter

	doctype = frappe.get_doc(json.loads(definition.read_text()))
	types = TypeExporter(doctype)
	if controller is not None:
		types.controller_path = controller
	return types


def as_ruff_leaves_it(code: str, path: Path) -> str:
	"""`code` after the repository's `ruff check --fix` and `ruff format`, as if it were the file `path`
	(its configuration and first-party packages are those of `path`)."""
	for command in (("check", "--fix", "--exit-zero", "--quiet"), ("format", "--quiet")):
		code = subprocess.run(
			[sys.executable, "-m", "ruff", *command, "--stdin-filename", str(path), "-"],
			input=code,
			capture_output=True,
			text=True,
			check=True,
			cwd=path.parent,
		).stdout
	return code


def add_block_if_missing(types) -> None:
	"""Put a first type block into a controller frappe's exporter cannot find the class of: it looks for
	`class <doctype without spaces>(`, but a doctype name with a hyphen ("Customer Sign-off") gives a class
	name without it (CustomerSignoff). Once there, the exporter replaces the block as usual."""
	path = Path(types.controller_path)
	code = path.read_text()
	if "# begin: auto-generated types" in code or "-" not in types.doctype:
		return
	class_name = types.doctype.replace(" ", "").replace("-", "")
	types._guess_indentation()
	block = types._generate_code()
	line_end = code.index("\n", code.index(f"class {class_name}(")) + 1
	path.write_text(code[:line_end] + block + "\n" + code[line_end:])


def export_types() -> list[str]:
	"""Write every controller's type block from its doctype JSON; returns the doctypes exported."""
	exported = []
	for definition in definitions():
		types = exporter(definition)
		add_block_if_missing(types)
		types.export_types()
		controller = Path(types.controller_path)
		controller.write_text(as_ruff_leaves_it(controller.read_text(), controller))
		exported.append(types.doctype)
	return exported
