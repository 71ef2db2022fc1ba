"""The endpoint sweep (docs/security.md): every whitelisted frappe method that takes a document, a doctype
name, a record name or a file is listed here and classified; a frappe upgrade that adds one fails
`test_every_frappe_method_taking_a_record_is_classified` until someone classifies it.

The methods are found in frappe's source (its installed package, parsed, not imported): module-level functions
decorated with `whitelist` whose parameters name a document, doctype, record or file (or, without
parameters, that read `frappe.form_dict`). Methods on Document classes are reached through
`run_doc_method`, which cases 4 and 24 cover for the BRM doctypes.

Every method classified PROBE is called below over HTTP against a real server on loopback, as relationship
manager A against B's business case (and B's private attachment, e-mail and assignment): each answer is the
one written next to it, it carries nothing of B's records, and nothing of B's records changes. What the sweep
found, and where it was closed, is the findings table of docs/security.md.
"""

import ast
import base64
import io
import json
import os
from pathlib import Path

import frappe
import pytest

from tests.security.conftest import CASE, OPPORTUNITY, PORTFOLIO
from tests.support.factories import uid
from tests.support.security import HttpUser, refresh

pytestmark = pytest.mark.usefixtures("world")

# how a method is classified
PROBE = "called below over HTTP as one manager against another manager's record"
ROLE = "needs a role a relationship manager lacks (System Manager / Administrator, or a settings doctype)"
META = "doctype meta, settings or the caller's own preferences: no record data"
SEARCH = "a link query of a frappe doctype (users, roles, contacts, addresses, doctypes): no BRM record"
WEB = "website / portal / signed e-mail link: BRM doctypes have no web view, web form or portal"
OTHER = "acts on frappe records that are not BRM records (their own permissions apply)"
LIST = "reads through frappe.get_list (BRM permission_query_conditions apply)"
CASE_TEST = "covered by the case test named"
OVERRIDE = "replaced by a permission-checked version (hooks.override_whitelisted_methods)"

ENDPOINTS = {
	"frappe.automation.doctype.assignment_rule.assignment_rule.bulk_apply": (
		OTHER,
		"applies Assignment Rules, of which BRM doctypes have none (a rule is a System Manager's to make)",
	),
	"frappe.automation.doctype.auto_repeat.auto_repeat.get_auto_repeat_doctypes": SEARCH,
	"frappe.automation.doctype.auto_repeat.auto_repeat.make_auto_repeat": PROBE,
	"frappe.automation.doctype.auto_repeat.auto_repeat.update_reference": (
		OTHER,
		"writes the Auto Repeat named (its own permission); BRM doctypes do not allow auto repeat",
	),
	"frappe.client.attach_file": PROBE,
	"frappe.client.bulk_update": PROBE,
	"frappe.client.cancel": PROBE,
	"frappe.client.delete": PROBE,
	"frappe.client.get": PROBE,
	"frappe.client.get_count": (OVERRIDE, "brm_app.access.endpoints.get_count (case 1)"),
	"frappe.client.get_doc_permissions": PROBE,
	"frappe.client.get_js": (META, "a JavaScript file of an app, no record"),
	"frappe.client.get_list": (CASE_TEST, "test_case_01_cross_manager_access (permission_query_conditions)"),
	"frappe.client.get_password": PROBE,
	"frappe.client.get_single_value": (
		META,
		"a Single doctype's value (BRM Settings is not row-level; frappe checks read on it)",
	),
	"frappe.client.get_value": PROBE,
	"frappe.client.has_permission": PROBE,
	"frappe.client.insert": PROBE,
	"frappe.client.insert_many": PROBE,
	"frappe.client.is_document_amended": PROBE,
	"frappe.client.rename_doc": (CASE_TEST, "test_case_24_stored_row_decides"),
	"frappe.client.save": PROBE,
	"frappe.client.set_value": (CASE_TEST, "test_case_03_reparenting"),
	"frappe.client.submit": PROBE,
	"frappe.client.validate_link": (OVERRIDE, "brm_app.access.endpoints.validate_link (case 1)"),
	"frappe.contacts.address_and_contact.filter_dynamic_link_doctypes": SEARCH,
	"frappe.contacts.doctype.address.address.address_query": SEARCH,
	"frappe.contacts.doctype.address.address.get_default_address": (
		OTHER,
		"the default Address of a party (Customer, Supplier …); BRM records have none",
	),
	"frappe.contacts.doctype.contact.contact.contact_query": SEARCH,
	"frappe.core.api.file.get_attached_images": PROBE,
	"frappe.core.api.file.unzip_file": (
		OTHER,
		"unzips a File the caller may write (File has_permission, brm_app.access.files)",
	),
	"frappe.core.doctype.access_log.access_log.make_access_log": (
		OTHER,
		"writes the caller's own access log line; returns nothing",
	),
	"frappe.core.doctype.communication.email.make": PROBE,
	"frappe.core.doctype.communication.email.mark_email_as_seen": (
		OTHER,
		"a Communication's read receipt (tracking pixel)",
	),
	"frappe.core.doctype.data_export.exporter.export_data": PROBE,
	"frappe.core.doctype.data_import.data_import.download_template": PROBE,
	"frappe.core.doctype.deleted_document.deleted_document.bulk_restore": ROLE,
	"frappe.core.doctype.deleted_document.deleted_document.restore": ROLE,
	"frappe.core.doctype.doctype.doctype.get_row_size_utilization": META,
	"frappe.core.doctype.log_settings.log_settings.get_log_doctypes": SEARCH,
	"frappe.core.doctype.prepared_report.prepared_report.download_attachment": (
		OVERRIDE,
		"prepared reports are the owner's (case 2, brm_app.access.endpoints)",
	),
	"frappe.core.doctype.role.role.role_query": SEARCH,
	"frappe.core.doctype.scheduled_job_type.scheduled_job_type.execute_event": ROLE,
	"frappe.core.doctype.sms_settings.sms_settings.get_contact_number": (
		OTHER,
		"a Contact's number (Contact permissions)",
	),
	"frappe.core.doctype.submission_queue.submission_queue.get_latest_submissions": PROBE,
	"frappe.core.doctype.user.user.user_query": SEARCH,
	"frappe.core.doctype.user_permission.user_permission.check_applicable_doc_perm": ROLE,
	"frappe.core.doctype.user_permission.user_permission.get_applicable_for_doctype_list": SEARCH,
	"frappe.core.doctype.user_type.user_type.get_user_id": ROLE,
	"frappe.core.doctype.user_type.user_type.get_user_linked_doctypes": SEARCH,
	"frappe.core.page.permission_manager.permission_manager.add": ROLE,
	"frappe.core.page.permission_manager.permission_manager.get_permissions": ROLE,
	"frappe.core.page.permission_manager.permission_manager.get_standard_permissions": ROLE,
	"frappe.core.page.permission_manager.permission_manager.remove": ROLE,
	"frappe.core.page.permission_manager.permission_manager.reset": ROLE,
	"frappe.core.page.permission_manager.permission_manager.update": ROLE,
	"frappe.core.report.database_storage_usage_by_tables.database_storage_usage_by_tables.optimize_doctype": ROLE,
	"frappe.core.report.permitted_documents_for_user.permitted_documents_for_user.query_doctypes": SEARCH,
	"frappe.custom.doctype.custom_field.custom_field.get_fields_label": META,
	"frappe.custom.doctype.customize_form.customize_form.get_link_filters_from_doc_without_customisations": META,
	"frappe.custom.doctype.customize_form.customize_form.get_orphaned_columns": ROLE,
	"frappe.desk.calendar.get_events": PROBE,
	"frappe.desk.calendar.update_event": PROBE,
	"frappe.desk.desk_page.get": (META, "a desk Page definition"),
	"frappe.desk.desk_page.getpage": (META, "a desk Page definition"),
	"frappe.desk.desktop.update_onboarding_step": (OTHER, "an Onboarding Step"),
	"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs": PROBE,
	"frappe.desk.doctype.custom_html_block.custom_html_block.get_custom_blocks_for_user": SEARCH,
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.add_chart_to_dashboard": (
		OTHER,
		"a Dashboard the caller may write",
	),
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.create_dashboard_chart": (
		OTHER,
		"a Dashboard Chart (its data comes through the overridden dashboard_chart.get, case 1)",
	),
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.create_report_chart": (
		OTHER,
		"a Dashboard Chart (its data comes through the overridden dashboard_chart.get, case 1)",
	),
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.get_charts_for_user": SEARCH,
	"frappe.desk.doctype.dashboard_chart_source.dashboard_chart_source.get_config": (
		META,
		"a chart source's JavaScript",
	),
	"frappe.desk.doctype.desktop_icon.desktop_icon.hide": (OTHER, "the caller's desktop icons"),
	"frappe.desk.doctype.event.event.delete_communication": (
		OTHER,
		"Communications of an Event, through get_list",
	),
	"frappe.desk.doctype.kanban_board.kanban_board.add_card": (
		OTHER,
		"a Kanban Board's column order (no record data)",
	),
	"frappe.desk.doctype.kanban_board.kanban_board.get_kanban_boards": META,
	"frappe.desk.doctype.kanban_board.kanban_board.quick_kanban_board": (
		OTHER,
		"makes a Kanban Board (its cards are listed with get_list)",
	),
	"frappe.desk.doctype.kanban_board.kanban_board.update_order_for_single_card": (
		OTHER,
		"a Kanban Board's column order (no record data)",
	),
	"frappe.desk.doctype.list_view_settings.list_view_settings.get_default_listview_fields": META,
	"frappe.desk.doctype.list_view_settings.list_view_settings.save_listview_settings": ROLE,
	"frappe.desk.doctype.notification_log.notification_log.mark_as_read": (
		OTHER,
		"the caller's own notifications",
	),
	"frappe.desk.doctype.number_card.number_card.add_card_to_dashboard": (
		OTHER,
		"a Dashboard the caller may write",
	),
	"frappe.desk.doctype.number_card.number_card.create_number_card": (
		OTHER,
		"a Number Card (its figures come through get_list)",
	),
	"frappe.desk.doctype.number_card.number_card.create_report_number_card": (
		OTHER,
		"a Number Card (its figures come through the overridden report run)",
	),
	"frappe.desk.doctype.number_card.number_card.get_cards_for_user": SEARCH,
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": (
		LIST,
		"frappe.get_list on the card's doctype (row-level conditions apply)",
	),
	"frappe.desk.doctype.number_card.number_card.get_result": (
		LIST,
		"frappe.get_list on the card's doctype (row-level conditions apply)",
	),
	"frappe.desk.doctype.system_console.system_console.execute_code": ROLE,
	"frappe.desk.doctype.tag.tag.add_tag": PROBE,
	"frappe.desk.doctype.tag.tag.add_tags": PROBE,
	"frappe.desk.doctype.tag.tag.get_tagged_docs": PROBE,
	"frappe.desk.doctype.tag.tag.get_tags": (META, "tag names"),
	"frappe.desk.doctype.tag.tag.remove_tag": PROBE,
	"frappe.desk.doctype.workspace.workspace.update_page": (OTHER, "a Workspace"),
	"frappe.desk.form.assign_to.add": PROBE,
	"frappe.desk.form.assign_to.add_multiple": PROBE,
	"frappe.desk.form.assign_to.close": PROBE,
	"frappe.desk.form.assign_to.remove": PROBE,
	"frappe.desk.form.assign_to.remove_multiple": PROBE,
	"frappe.desk.form.document_follow.follow_document": PROBE,
	"frappe.desk.form.document_follow.get_follow_users": PROBE,
	"frappe.desk.form.document_follow.unfollow_document": (
		OTHER,
		"deletes a Document Follow through frappe.delete_doc (Document Follow permissions); nothing of the record",
	),
	"frappe.desk.form.document_follow.update_follow": PROBE,
	"frappe.desk.form.linked_with.cancel_all_linked_docs": PROBE,
	"frappe.desk.form.linked_with.get": PROBE,
	"frappe.desk.form.linked_with.get_linked_doctypes": META,
	"frappe.desk.form.linked_with.get_submitted_linked_docs": (
		OVERRIDE,
		"brm_app.access.endpoints.get_submitted_linked_docs (case 1)",
	),
	"frappe.desk.form.load.get_communications": PROBE,
	"frappe.desk.form.load.get_docinfo": PROBE,
	"frappe.desk.form.load.getdoc": PROBE,
	"frappe.desk.form.load.getdoctype": META,
	"frappe.desk.form.save.cancel": PROBE,
	"frappe.desk.form.save.savedocs": PROBE,
	"frappe.desk.form.utils.add_comment": PROBE,
	"frappe.desk.form.utils.get_next": PROBE,
	"frappe.desk.form.utils.remove_attach": PROBE,
	"frappe.desk.form.utils.update_comment": (
		OTHER,
		"only the comment's author may edit it (frappe checks the owner)",
	),
	"frappe.desk.gantt.update_task": PROBE,
	"frappe.desk.like.toggle_like": PROBE,
	"frappe.desk.link_preview.get_preview_data": PROBE,
	"frappe.desk.listview.get_group_by_count": (
		OVERRIDE,
		"brm_app.access.endpoints.get_group_by_count (case 1)",
	),
	"frappe.desk.listview.get_list_settings": META,
	"frappe.desk.listview.set_list_settings": META,
	"frappe.desk.notifications.get_open_count": (
		OVERRIDE,
		"brm_app.access.endpoints.get_open_count (case 1)",
	),
	"frappe.desk.page.setup_wizard.setup_wizard.setup_complete": ROLE,
	"frappe.desk.query_report.export_query": (OVERRIDE, "brm_app.access.endpoints.export_query (case 2)"),
	"frappe.desk.query_report.get_data_for_custom_field": PROBE,
	"frappe.desk.reportview.delete_items": (
		CASE_TEST,
		"test_case_31_child_rows_through_parent (and row-level: a relationship manager has no delete right)",
	),
	"frappe.desk.reportview.delete_report": (OTHER, "a Report the caller owns"),
	"frappe.desk.reportview.get_filter_dashboard_data": (
		CASE_TEST,
		"test_case_01_cross_manager_access (sidebar counts, through get_list)",
	),
	"frappe.desk.reportview.get_sidebar_stats": (
		CASE_TEST,
		"test_case_01_cross_manager_access (sidebar counts)",
	),
	"frappe.desk.reportview.get_stats": (CASE_TEST, "test_case_01_cross_manager_access (sidebar counts)"),
	"frappe.desk.reportview.save_report": (OTHER, "a Report the caller owns"),
	"frappe.desk.search.get_link_title": PROBE,
	"frappe.desk.search.search_link": (OVERRIDE, "brm_app.access.endpoints.search_link (case 1)"),
	"frappe.desk.search.search_widget": (OVERRIDE, "brm_app.access.endpoints.search_widget (case 1)"),
	"frappe.desk.treeview.add_node": (OTHER, "tree doctypes only; no BRM doctype is a tree"),
	"frappe.desk.treeview.get_all_nodes": (OTHER, "tree doctypes only; no BRM doctype is a tree"),
	"frappe.desk.treeview.get_children": (OTHER, "tree doctypes only; no BRM doctype is a tree"),
	"frappe.email.doctype.auto_email_report.auto_email_report.download": (
		OTHER,
		"an Auto Email Report the caller may read (reports run through the overridden query_report.run)",
	),
	"frappe.email.doctype.auto_email_report.auto_email_report.send_now": (
		OTHER,
		"an Auto Email Report the caller may read (reports run through the overridden query_report.run)",
	),
	"frappe.email.doctype.email_account.email_account.get_append_to": SEARCH,
	"frappe.email.doctype.email_group.email_group.add_subscribers": ROLE,
	"frappe.email.doctype.email_group.email_group.import_from": ROLE,
	"frappe.email.doctype.email_queue.email_queue.send_now": ROLE,
	"frappe.email.doctype.email_template.email_template.get_email_template": (
		OTHER,
		"renders an Email Template with the document the caller posts (nothing read from the database)",
	),
	"frappe.email.doctype.newsletter.newsletter.newsletter_email_read": WEB,
	"frappe.email.email_body.get_email_html": (OTHER, "renders the message the caller posts"),
	"frappe.email.get_communication_doctype": SEARCH,
	"frappe.email.inbox.create_email_flag_queue": (OTHER, "the caller's own e-mail accounts"),
	"frappe.email.queue.unsubscribe": WEB,
	"frappe.email.relink": PROBE,
	"frappe.geo.utils.get_coords": (OTHER, "doctypes with a location field; BRM doctypes have none"),
	"frappe.handler.download_file": PROBE,
	"frappe.handler.upload_file": PROBE,
	"frappe.handler.uploadfile": (
		OTHER,
		"deprecated, calls a whitelisted method named in the request (which applies its own checks)",
	),
	"frappe.integrations.doctype.dropbox_settings.dropbox_settings.dropbox_auth_finish": ROLE,
	"frappe.integrations.doctype.ldap_settings.ldap_settings.login": WEB,
	"frappe.integrations.oauth2.authorize": WEB,
	"frappe.model.document.unlock_document": PROBE,
	"frappe.model.mapper.make_mapped_doc": PROBE,
	"frappe.model.mapper.map_docs": PROBE,
	"frappe.model.rename_doc.update_document_title": (CASE_TEST, "test_case_24_stored_row_decides"),
	"frappe.model.utils.user_settings.get": META,
	"frappe.model.utils.user_settings.save": META,
	"frappe.model.workflow.apply_workflow": PROBE,
	"frappe.model.workflow.bulk_workflow_approval": PROBE,
	"frappe.model.workflow.can_cancel_document": META,
	"frappe.model.workflow.get_common_transition_actions": PROBE,
	"frappe.model.workflow.get_transitions": PROBE,
	"frappe.modules.utils.export_customizations": ROLE,
	"frappe.printing.doctype.print_format.print_format.make_default": ROLE,
	"frappe.printing.page.print.print.get_print_settings_to_show": PROBE,
	"frappe.printing.page.print_format_builder.print_format_builder.create_custom_format": ROLE,
	"frappe.realtime.can_subscribe_doc": PROBE,
	"frappe.realtime.can_subscribe_doctype": META,
	"frappe.rename_doc": (
		CASE_TEST,
		"test_case_24_stored_row_decides (frappe.rename_doc is whitelisted and validates like frappe.client.rename_doc)",
	),
	"frappe.share.add": PROBE,
	"frappe.share.get_users": PROBE,
	"frappe.share.set_permission": PROBE,
	"frappe.social.doctype.energy_point_log.energy_point_log.get_reviews": PROBE,
	"frappe.social.doctype.energy_point_log.energy_point_log.review": (
		OTHER,
		"energy point reviews (Energy Point Log permissions; energy points are off unless a System Manager enables them)",
	),
	"frappe.templates.includes.comments.comments.add_comment": PROBE,
	"frappe.templates.includes.likes.likes.like": PROBE,
	"frappe.utils.csvutils.send_csv_to_client": (OTHER, "sends back the rows the caller posts"),
	"frappe.utils.diff.version_query": SEARCH,
	"frappe.utils.file_manager.add_attachments": PROBE,
	"frappe.utils.global_search.search": PROBE,
	"frappe.utils.goal.get_monthly_goal_graph_data": PROBE,
	"frappe.utils.nestedset.rebuild_tree": ROLE,
	"frappe.utils.print_format.download_multi_pdf": PROBE,
	"frappe.utils.print_format.download_multi_pdf_async": (
		OTHER,
		"enqueues download_multi_pdf (probed) for the caller",
	),
	"frappe.utils.print_format.download_pdf": PROBE,
	"frappe.utils.print_format.print_by_server": ROLE,
	"frappe.utils.weasyprint.download_pdf": PROBE,
	"frappe.website.doctype.discussion_topic.discussion_topic.submit_discussion": WEB,
	"frappe.website.doctype.personal_data_deletion_request.personal_data_deletion_request.confirm_deletion": WEB,
	"frappe.website.doctype.web_form.web_form.delete": WEB,
	"frappe.website.doctype.web_form.web_form.delete_multiple": WEB,
	"frappe.website.doctype.web_form.web_form.get_form_data": WEB,
	"frappe.website.doctype.web_form.web_form.get_in_list_view_fields": WEB,
	"frappe.workflow.doctype.workflow.workflow.get_workflow_state_count": PROBE,
	"frappe.workflow.doctype.workflow_action.workflow_action.apply_action": WEB,
	"frappe.workflow.doctype.workflow_action.workflow_action.confirm_action": (
		OVERRIDE,
		"brm_app.api.approvals.confirm_workflow_action (case 8)",
	),
	"frappe.www.list.get": WEB,
	"frappe.www.list.get_list_data": WEB,
	"frappe.www.printview.get_html_and_style": PROBE,
	"frappe.www.printview.get_rendered_raw_commands": PROBE,
}

# parameters that name a document, doctype, record or file
RECORD_PARAMETERS = frozenset(
	{
		"doctype",
		"dt",
		"doc",
		"docs",
		"docname",
		"dn",
		"name",
		"names",
		"docnames",
		"file_url",
		"reference_doctype",
		"reference_name",
		"ref_doctype",
		"ref_docname",
		"items",
		"parent",
		"parenttype",
		"source_name",
		"source_names",
		"target_doc",
		"doctype_name",
		"document_type",
		"reference_docname",
		"doc_name",
		"args",
		"fid",
		"attachments",
	}
)


def _is_whitelist(decorator) -> bool:
	node = decorator.func if isinstance(decorator, ast.Call) else decorator
	return (isinstance(node, ast.Attribute) and node.attr == "whitelist") or (
		isinstance(node, ast.Name) and node.id == "whitelist"
	)


def frappe_methods_taking_a_record() -> set[str]:
	"""Dotted paths of frappe's whitelisted module-level functions that take a record (see module docstring)."""
	root = Path(frappe.__file__).parent
	found = set()
	for directory, _dirs, files in os.walk(root):
		if any(part in ("tests", "patches", "commands") for part in Path(directory).relative_to(root).parts):
			continue
		for filename in files:
			if not filename.endswith(".py") or filename.startswith("test_"):
				continue
			path = Path(directory) / filename
			tree = ast.parse(path.read_text(encoding="utf-8"))
			module = ".".join(("frappe", *path.relative_to(root).with_suffix("").parts))
			module = module.removesuffix(".__init__")
			for node in tree.body:
				if not isinstance(node, ast.FunctionDef) or not any(map(_is_whitelist, node.decorator_list)):
					continue
				params = {arg.arg for arg in (*node.args.args, *node.args.kwonlyargs)}
				reads_form = not params and "form_dict" in ast.unparse(node)
				if params & RECORD_PARAMETERS or reads_form:
					found.add(f"{module}.{node.name}")
	return found


def test_every_frappe_method_taking_a_record_is_classified(site):
	found = frappe_methods_taking_a_record()
	assert len(found) > 150  # the scan works (frappe 15 has about 200)
	unclassified = sorted(found - set(ENDPOINTS))
	assert unclassified == [], "classify these frappe methods in ENDPOINTS (and probe the risky ones)"
	gone = sorted(set(ENDPOINTS) - found)
	assert gone == [], "these methods are no longer in frappe: drop them from ENDPOINTS"


def test_every_probed_method_has_a_probe(site):
	probed = {method for method, kind in ENDPOINTS.items() if kind == PROBE}
	assert probed == set(PROBES)


# --- the probes ------------------------------------------------------------------------------------------

OPPORTUNITY_TO_CASE = "brm_app.brm_app.doctype.service_opportunity.service_opportunity.make_business_case"
REFUSED = 403


@pytest.fixture(scope="module")
def sweep(world, committed):
	"""B's case with what the probes reach for: a private attachment, an e-mail on its timeline, a tag and an
	assignment to the process manager (committed as Administrator); A follows documents (so that
	follow_document really writes)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	b_case = world.records["b1"][CASE]
	marker = world.marker["b1"]
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{uid('sweep')}.txt",
			"content": f"B's private notes {marker}",
			"is_private": 1,
			"attached_to_doctype": CASE,
			"attached_to_name": b_case,
		}
	).insert(ignore_permissions=True)
	committed.add("File", file.name)
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": f"B's customer writes {marker}",
			"content": f"confidential {marker}",
			"reference_doctype": CASE,
			"reference_name": b_case,
		}
	).insert(ignore_permissions=True)
	committed.add("Communication", communication.name)
	tag = uid("sweeptag")
	from frappe.desk.doctype.tag.tag import DocTags

	DocTags(CASE).add(b_case, tag)
	committed.add("Tag", tag)
	from frappe.desk.form.assign_to import add as assign

	assign({"doctype": CASE, "name": b_case, "assign_to": [world.pm]}, ignore_permissions=True)
	committed.add_related(CASE, b_case)
	frappe.db.set_value("User", world.rm_a, "document_follow_notify", 1)
	committed.commit()
	frappe.clear_cache(user=world.rm_a)
	return frappe._dict(
		b_case=b_case,
		a_case=world.records["a1"][CASE],
		b_opportunity=world.records["b1"][OPPORTUNITY],
		b_customer=world.records["b1"][PORTFOLIO],
		b_file=file.name,
		b_file_url=file.file_url,
		b_communication=communication.name,
		tag=tag,
		marker=marker,
		rm_a=world.rm_a,
		pm=world.pm,
	)


@pytest.fixture(scope="module")
def rm_a(server, world):
	return HttpUser(server, world.rm_a)


def _b_doc(ctx) -> str:
	refresh()
	return json.dumps(frappe.get_doc(CASE, ctx.b_case).as_dict(convert_dates_to_str=True), default=str)


def _new_case_of_b(ctx) -> dict:
	return {"doctype": CASE, "title": uid("A's case"), "customer": ctx.b_customer, "discount_rate": 10}


def _b_state(ctx) -> dict:
	"""Everything of B's case the probes could change."""
	refresh()
	reference = {"reference_doctype": CASE, "reference_name": ctx.b_case}
	return {
		"case": frappe.db.get_value(
			CASE,
			ctx.b_case,
			["modified", "title", "docstatus", "workflow_state", "_user_tags", "_liked_by", "_assign"],
			as_dict=True,
		),
		"comments": frappe.db.count("Comment", reference),
		"follows": frappe.db.count("Document Follow", {"ref_doctype": CASE, "ref_docname": ctx.b_case}),
		"files": frappe.db.count("File", {"attached_to_doctype": CASE, "attached_to_name": ctx.b_case}),
		"file_copies": frappe.db.count("File", {"file_url": ctx.b_file_url}),
		"todos": frappe.db.count(
			"ToDo", {"reference_type": CASE, "reference_name": ctx.b_case, "status": "Open"}
		),
		"shares": frappe.db.count("DocShare", {"share_doctype": CASE, "share_name": ctx.b_case}),
		"communication": frappe.db.get_value(
			"Communication", ctx.b_communication, ["reference_doctype", "reference_name"]
		),
		"auto_repeat": frappe.db.count("Auto Repeat", {"reference_document": ctx.b_case}),
		"cases_of_b": frappe.db.count(CASE, {"customer": ctx.b_customer}),
	}


# method -> (arguments, the status of the answer); arguments name B's records through `ctx`
PROBES = {
	"frappe.automation.doctype.auto_repeat.auto_repeat.make_auto_repeat": (
		lambda c: {"doctype": CASE, "docname": c.b_case, "frequency": "Daily"},
		REFUSED,
	),
	"frappe.client.attach_file": (
		lambda c: {
			"filename": "planted.txt",
			"filedata": base64.b64encode(b"planted").decode(),
			"doctype": CASE,
			"docname": c.b_case,
			"is_private": 1,
			"decode_base64": 1,
		},
		REFUSED,
	),
	"frappe.client.bulk_update": (
		lambda c: {"docs": [{"doctype": CASE, "docname": c.b_case, "title": "taken"}]},
		200,
	),
	"frappe.client.cancel": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.client.delete": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.client.get": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.client.get_doc_permissions": (lambda c: {"doctype": CASE, "docname": c.b_case}, 200),
	"frappe.client.get_password": (
		lambda c: {"doctype": CASE, "name": c.b_case, "fieldname": "title"},
		REFUSED,
	),
	"frappe.client.get_value": (
		lambda c: {"doctype": CASE, "fieldname": "title", "filters": c.b_case},
		200,
	),
	"frappe.client.has_permission": (
		lambda c: {"doctype": CASE, "docname": c.b_case, "perm_type": "read"},
		200,
	),
	"frappe.client.insert": (lambda c: {"doc": _new_case_of_b(c)}, REFUSED),
	"frappe.client.insert_many": (lambda c: {"docs": [_new_case_of_b(c)]}, REFUSED),
	"frappe.client.is_document_amended": (lambda c: {"doctype": CASE, "docname": c.b_case}, REFUSED),
	"frappe.client.save": (lambda c: {"doc": _b_doc(c)}, REFUSED),
	"frappe.client.submit": (lambda c: {"doc": _b_doc(c)}, REFUSED),
	"frappe.core.api.file.get_attached_images": (lambda c: {"doctype": CASE, "names": [c.b_case]}, 200),
	"frappe.core.doctype.communication.email.make": (
		lambda c: {"doctype": CASE, "name": c.b_case, "content": "hello", "subject": "hi", "send_email": 0},
		REFUSED,
	),
	"frappe.core.doctype.data_export.exporter.export_data": (
		lambda c: {
			"doctype": CASE,
			"select_columns": {CASE: ["name", "title"]},
			"with_data": 1,
			"file_type": "CSV",
		},
		200,
	),
	"frappe.core.doctype.data_import.data_import.download_template": (
		lambda c: {
			"doctype": CASE,
			"export_fields": {CASE: ["name", "title"]},
			"export_records": "all",
			"file_type": "CSV",
		},
		200,
	),
	"frappe.core.doctype.submission_queue.submission_queue.get_latest_submissions": (
		lambda c: {"doctype": CASE, "docname": c.b_case},
		REFUSED,
	),
	"frappe.desk.calendar.get_events": (
		lambda c: {
			"doctype": CASE,
			"start": "2000-01-01",
			"end": "2100-01-01",
			"field_map": {"start": "creation", "end": "modified", "id": "name", "title": "title"},
		},
		200,
	),
	"frappe.desk.calendar.update_event": (
		lambda c: {
			"args": {"doctype": CASE, "name": c.b_case, "title": "taken", "risks": "taken"},
			"field_map": {"start": "title", "end": "risks"},
		},
		REFUSED,
	),
	"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs": (
		lambda c: {"doctype": CASE, "docnames": [c.b_case], "action": "update", "data": {"title": "taken"}},
		200,
	),
	"frappe.desk.doctype.tag.tag.add_tag": (
		lambda c: {"tag": "planted", "dt": CASE, "dn": c.b_case},
		REFUSED,
	),
	"frappe.desk.doctype.tag.tag.add_tags": (
		lambda c: {"tags": ["planted"], "dt": CASE, "docs": [c.b_case]},
		REFUSED,
	),
	"frappe.desk.doctype.tag.tag.get_tagged_docs": (lambda c: {"doctype": CASE, "tag": f"%{c.tag}%"}, 200),
	"frappe.desk.doctype.tag.tag.remove_tag": (lambda c: {"tag": c.tag, "dt": CASE, "dn": c.b_case}, REFUSED),
	"frappe.desk.form.assign_to.add": (
		lambda c: {"doctype": CASE, "name": c.b_case, "assign_to": [c.rm_a]},
		REFUSED,
	),
	"frappe.desk.form.assign_to.add_multiple": (
		lambda c: {"doctype": CASE, "name": json.dumps([c.b_case]), "assign_to": [c.rm_a]},
		REFUSED,
	),
	"frappe.desk.form.assign_to.close": (
		lambda c: {"doctype": CASE, "name": c.b_case, "assign_to": c.rm_a, "ignore_permissions": 1},
		REFUSED,
	),
	"frappe.desk.form.assign_to.remove": (
		lambda c: {"doctype": CASE, "name": c.b_case, "assign_to": c.pm, "ignore_permissions": 1},
		REFUSED,
	),
	"frappe.desk.form.assign_to.remove_multiple": (
		lambda c: {"doctype": CASE, "names": json.dumps([c.b_case]), "ignore_permissions": 1},
		REFUSED,
	),
	"frappe.desk.form.document_follow.follow_document": (
		lambda c: {"doctype": CASE, "doc_name": c.b_case, "user": c.rm_a},
		REFUSED,
	),
	"frappe.desk.form.document_follow.get_follow_users": (
		lambda c: {"doctype": CASE, "doc_name": c.b_case},
		REFUSED,
	),
	"frappe.desk.form.document_follow.update_follow": (
		lambda c: {"doctype": CASE, "doc_name": c.b_case, "following": 1},
		REFUSED,
	),
	"frappe.desk.form.linked_with.cancel_all_linked_docs": (
		lambda c: {"docs": json.dumps([{"doctype": CASE, "name": c.b_case, "docstatus": 1}])},
		REFUSED,
	),
	"frappe.desk.form.linked_with.get": (lambda c: {"doctype": CASE, "docname": c.b_case}, REFUSED),
	"frappe.desk.form.load.get_communications": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.desk.form.load.get_docinfo": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.desk.form.load.getdoc": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.desk.form.save.cancel": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.desk.form.save.savedocs": (lambda c: {"doc": _b_doc(c), "action": "Save"}, REFUSED),
	"frappe.desk.form.utils.add_comment": (
		lambda c: {
			"reference_doctype": CASE,
			"reference_name": c.b_case,
			"content": "planted",
			"comment_email": c.rm_a,
			"comment_by": "A",
		},
		REFUSED,
	),
	"frappe.desk.form.utils.get_next": (
		lambda c: {"doctype": CASE, "value": c.b_case, "prev": 0, "sort_field": "name", "sort_order": "desc"},
		200,
	),
	"frappe.desk.form.utils.remove_attach": (
		lambda c: {"fid": c.b_file, "dt": CASE, "dn": c.b_case},
		REFUSED,
	),
	"frappe.desk.gantt.update_task": (
		lambda c: {
			"args": {"doctype": CASE, "name": c.b_case, "start": "taken", "end": "taken"},
			"field_map": {"start": "title", "end": "risks"},
		},
		REFUSED,
	),
	"frappe.desk.like.toggle_like": (lambda c: {"doctype": CASE, "name": c.b_case, "add": "Yes"}, REFUSED),
	"frappe.desk.link_preview.get_preview_data": (lambda c: {"doctype": CASE, "docname": c.b_case}, 200),
	"frappe.desk.query_report.get_data_for_custom_field": (
		lambda c: {"doctype": CASE, "field": "title", "names": [c.b_case]},
		200,
	),
	"frappe.desk.search.get_link_title": (lambda c: {"doctype": CASE, "docname": c.b_case}, REFUSED),
	"frappe.email.relink": (
		lambda c: {"name": c.b_communication, "reference_doctype": CASE, "reference_name": c.a_case},
		REFUSED,
	),
	"frappe.handler.download_file": (lambda c: {"file_url": c.b_file_url}, REFUSED),
	"frappe.handler.upload_file": (
		lambda c: {"file_url": c.b_file_url, "doctype": CASE, "docname": c.a_case, "is_private": 1},
		REFUSED,
	),
	"frappe.model.document.unlock_document": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.model.mapper.make_mapped_doc": (
		lambda c: {"method": OPPORTUNITY_TO_CASE, "source_name": c.b_opportunity},
		REFUSED,
	),
	"frappe.model.mapper.map_docs": (
		lambda c: {
			"method": OPPORTUNITY_TO_CASE,
			"source_names": [c.b_opportunity],
			"target_doc": {"doctype": CASE},
		},
		REFUSED,
	),
	"frappe.model.workflow.apply_workflow": (
		lambda c: {"doc": _b_doc(c), "action": "Submit for Review"},
		REFUSED,
	),
	"frappe.model.workflow.bulk_workflow_approval": (
		lambda c: {"docnames": [c.b_case], "doctype": CASE, "action": "Submit for Review"},
		200,
	),
	"frappe.model.workflow.get_common_transition_actions": (
		lambda c: {"docs": [{"name": c.b_case}], "doctype": CASE},
		REFUSED,
	),
	"frappe.model.workflow.get_transitions": (lambda c: {"doc": _b_doc(c)}, REFUSED),
	"frappe.printing.page.print.print.get_print_settings_to_show": (
		lambda c: {"doctype": CASE, "docname": c.b_case},
		200,
	),
	"frappe.realtime.can_subscribe_doc": (lambda c: {"doctype": CASE, "docname": c.b_case}, REFUSED),
	"frappe.share.add": (lambda c: {"doctype": CASE, "name": c.b_case, "user": c.rm_a, "read": 1}, REFUSED),
	"frappe.share.get_users": (lambda c: {"doctype": CASE, "name": c.b_case}, 200),
	"frappe.share.set_permission": (
		lambda c: {"doctype": CASE, "name": c.b_case, "user": c.rm_a, "permission_to": "read", "value": 1},
		REFUSED,
	),
	"frappe.social.doctype.energy_point_log.energy_point_log.get_reviews": (
		lambda c: {"doctype": CASE, "docname": c.b_case},
		REFUSED,
	),
	"frappe.templates.includes.comments.comments.add_comment": (
		lambda c: {
			"comment": "planted comment",
			"comment_email": c.rm_a,
			"comment_by": "A",
			"reference_doctype": CASE,
			"reference_name": c.b_case,
			"route": "",
		},
		REFUSED,
	),
	"frappe.templates.includes.likes.likes.like": (
		lambda c: {"reference_doctype": CASE, "reference_name": c.b_case, "like": "true"},
		500,  # frappe fails on the record's missing `disable_likes` before writing anything
	),
	"frappe.utils.file_manager.add_attachments": (
		lambda c: {"doctype": CASE, "name": c.a_case, "attachments": [c.b_file]},
		REFUSED,
	),
	"frappe.utils.global_search.search": (lambda c: {"text": c.marker}, 200),
	"frappe.utils.goal.get_monthly_goal_graph_data": (
		lambda c: {
			"title": "t",
			"doctype": CASE,
			"docname": c.b_case,
			"goal_value_field": "total_cost",
			"goal_total_field": "npv",
			"goal_history_field": "objectives",
			"goal_doctype": CASE,
			"goal_doctype_link": "name",
			"goal_field": "npv",
			"date_field": "creation",
		},
		REFUSED,
	),
	"frappe.utils.print_format.download_multi_pdf": (
		lambda c: {"doctype": CASE, "name": json.dumps([c.b_case]), "format": "Standard"},
		200,  # frappe leaves out the documents it may not print: an empty PDF
	),
	"frappe.utils.print_format.download_pdf": (lambda c: {"doctype": CASE, "name": c.b_case}, REFUSED),
	"frappe.utils.weasyprint.download_pdf": (
		lambda c: {"doctype": CASE, "name": c.b_case, "print_format": "Standard"},
		REFUSED,
	),
	"frappe.workflow.doctype.workflow.workflow.get_workflow_state_count": (
		lambda c: {"doctype": CASE, "workflow_state_field": "workflow_state", "states": []},
		200,
	),
	"frappe.www.printview.get_html_and_style": (lambda c: {"doc": CASE, "name": c.b_case}, REFUSED),
	"frappe.www.printview.get_rendered_raw_commands": (lambda c: {"doc": CASE, "name": c.b_case}, REFUSED),
}


def _pdf_text(content: bytes) -> str:
	"""The text of every page (frappe's multi-document PDF may have none: no pdftotext then)."""
	from pypdf import PdfReader

	return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("method", sorted(PROBES))
def test_probe_against_another_managers_record(rm_a, sweep, method):
	arguments, expected = PROBES[method]
	before = _b_state(sweep)
	response = rm_a.call(method, **arguments(sweep))
	assert response.status_code == expected, (method, response.status_code, response.text[:400])
	text = _pdf_text(response.content) if response.content.startswith(b"%PDF-") else response.text
	assert sweep.marker not in text, method
	sent = json.dumps(arguments(sweep))
	for secret in (sweep.b_file_url, sweep.b_case):
		if secret not in sent:  # not even named, unless the caller named it
			assert secret not in text, (method, secret)
	assert _b_state(sweep) == before, method


def test_workflow_state_counts_are_the_callers_own(rm_a, sweep, world):
	"""get_workflow_state_count counted every record (frappe.get_all); now only the caller's."""
	response = rm_a.call(
		"frappe.workflow.doctype.workflow.workflow.get_workflow_state_count",
		doctype=CASE,
		workflow_state_field="workflow_state",
		states=[],
	)
	assert response.status_code == 200, response.text[:400]
	counted = sum(row["count"] for row in response.json()["message"])
	refresh()
	visible = len(frappe.get_list(CASE, user=world.rm_a, pluck="name", limit=0))
	assert counted == visible
	assert counted < frappe.db.count(CASE)
