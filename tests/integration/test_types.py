"""Types (issue 17, item 7): every whitelisted function of brm_app is annotated, parameters and return
(hooks: require_type_annotated_api_methods; frappe.whitelist checks a call's arguments against the
annotations), and every controller carries the type block frappe's exporter writes from its doctype JSON
(hooks: export_python_type_annotations; brm_app.setup.types)."""

import inspect
import shutil

import frappe

from brm_app.setup import types
from tests.support import app_modules


def whitelisted() -> list:
	return list(app_modules.whitelisted().values())


def missing_annotations(fn) -> list[str]:
	"""The parameters (and "return") of `fn` without a type annotation."""
	signature = inspect.signature(fn)  # follows functools.wraps (frappe.read_only) to the function itself
	missing = [
		name
		for name, parameter in signature.parameters.items()
		if parameter.annotation is inspect.Parameter.empty
	]
	if signature.return_annotation is inspect.Signature.empty:
		missing.append("return")
	return missing


def test_the_app_requires_annotated_api_methods():
	assert frappe.get_hooks("require_type_annotated_api_methods", app_name="brm_app") == [True]
	assert frappe.get_hooks("export_python_type_annotations", app_name="brm_app") == [True]


def test_every_whitelisted_function_is_fully_annotated():
	functions = whitelisted()
	# the app's endpoints and its overrides of frappe's (hooks.override_whitelisted_methods) are all found
	names = {f"{fn.__module__}.{fn.__name__}" for fn in functions}
	assert {
		"brm_app.api.survey.submit",
		"brm_app.access.endpoints.run",
		"brm_app.access.record_paths.add_tag",
		"brm_app.approvals.bulk.bulk_workflow_approval",
		"brm_app.brm_app.doctype.customer_agreement.customer_agreement.terminate_agreement",
	} <= names
	hooked = frappe.get_hooks("override_whitelisted_methods", app_name="brm_app")
	overrides = {target for targets in hooked.values() for target in targets}
	assert overrides and overrides <= names, overrides - names
	incomplete = {
		f"{fn.__module__}.{fn.__name__}": missing for fn in functions if (missing := missing_annotations(fn))
	}
	assert incomplete == {}


def test_every_controller_has_its_type_block_and_it_is_current(tmp_path):
	"""frappe's TypeExporter, run on a copy of each controller (and the repository's ruff after it, as
	pre-commit runs it), changes nothing: the block is there and describes the doctype's fields as its JSON
	defines them."""
	definitions = types.definitions()
	assert len(definitions) >= 20  # every doctype of the app, not an empty glob
	stale = []
	for definition in definitions:
		controller = definition.with_suffix(".py")
		copy = tmp_path / controller.name
		shutil.copyfile(controller, copy)
		types.exporter(definition, controller=copy).export_types()
		code = controller.read_text()
		assert "# begin: auto-generated types" in code, controller.name
		if types.as_ruff_leaves_it(copy.read_text(), controller) != code:
			stale.append(controller.name)
	# regenerate with: scripts/dev frappe --site "$BRM_SITE" execute brm_app.setup.types.export_types
	assert stale == []
