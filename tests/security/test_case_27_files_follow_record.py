"""Case 27 (docs/security.md): list, read, download or re-point a private file attached to a BRM record one may
not read → refused (brm_app.access.files: File has_permission, permission query conditions and
validate).

Over HTTP against a real server on loopback, as relationship manager A against a private attachment of B's
agreement: listing through frappe.client.get_list and reportview, reading through /api/resource, creating a
File of one's own with B's file_url (frappe lets the owner of a File download it), and re-pointing a File of
one's own at B's file_url. A's own attachment still lists and downloads.
"""

import frappe
import pytest

from tests.security.conftest import AGREEMENT
from tests.support.factories import uid
from tests.support.security import HttpUser, refresh

pytestmark = pytest.mark.usefixtures("world")


def _attach(committed, key_record: str, marker: str, owner: str | None = None) -> frappe._dict:
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{uid('f')}.txt",
			"content": f"private notes {marker}",
			"is_private": 1,
			"attached_to_doctype": AGREEMENT,
			"attached_to_name": key_record,
		}
	).insert(ignore_permissions=True)
	if owner:
		frappe.db.set_value("File", file.name, "owner", owner, update_modified=False)
	committed.add("File", file.name)
	return frappe._dict(name=file.name, file_url=file.file_url)


@pytest.fixture(scope="module")
def files(world, committed):
	"""B's private attachment (b1 agreement), A's (a1 agreement), and a File A uploaded to a1 (owned by A)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	result = frappe._dict(
		other=_attach(committed, world.records["b1"][AGREEMENT], world.marker["b1"]),
		own=_attach(committed, world.records["a1"][AGREEMENT], world.marker["a1"]),
		owned=_attach(committed, world.records["a1"][AGREEMENT], world.marker["a1"], owner=world.rm_a),
	)
	committed.commit()
	return result


@pytest.fixture(scope="module")
def rm_a(server, world):
	return HttpUser(server, world.rm_a)


def _ok(response):
	assert response.status_code == 200, response.text[:500]
	return response.json()


def test_listing_files_of_agreements_shows_only_own(world, rm_a, files):
	listed = _ok(
		rm_a.call(
			"frappe.client.get_list",
			doctype="File",
			filters={"attached_to_doctype": AGREEMENT},
			fields=["name", "file_url"],
			limit_page_length=0,
		)
	)["message"]
	names = {row["name"] for row in listed}
	assert files.own.name in names
	assert files.other.name not in names
	view = _ok(
		rm_a.call(
			"frappe.desk.reportview.get",
			doctype="File",
			fields=["`tabFile`.`name`"],
			filters=[["File", "attached_to_doctype", "=", AGREEMENT]],
			page_length=500,
		)
	)["message"]
	view_names = {row[0] for row in view.get("values", [])}
	assert files.own.name in view_names
	assert files.other.name not in view_names


def test_reading_and_downloading_another_records_file_is_refused(world, rm_a, files):
	assert rm_a.resource("GET", "File", files.other.name).status_code == 403
	assert rm_a.session.get(rm_a.url + files.other.file_url, timeout=60).status_code == 403
	# A's own attachment downloads
	own = rm_a.session.get(rm_a.url + files.own.file_url, timeout=60)
	assert own.status_code == 200
	assert world.marker["a1"] in own.text


@pytest.mark.parametrize("attached", [False, True], ids=["loose", "attached-to-own-record"])
def test_a_new_file_pointing_at_another_records_url_is_refused(world, rm_a, files, attached):
	payload = {"file_url": files.other.file_url, "is_private": 1, "file_name": uid("copy") + ".txt"}
	if attached:
		payload.update(attached_to_doctype=AGREEMENT, attached_to_name=world.records["a1"][AGREEMENT])
	response = rm_a.resource("POST", "File", json=payload)
	assert response.status_code == 403, response.text[:500]
	refresh()
	assert frappe.get_all("File", filters={"file_url": files.other.file_url, "owner": world.rm_a}) == []
	download = rm_a.session.get(rm_a.url + files.other.file_url, timeout=60)
	assert download.status_code == 403
	assert world.marker["b1"] not in download.text


def test_re_pointing_an_own_file_at_another_records_url_is_refused(world, rm_a, files):
	response = rm_a.resource("PUT", "File", files.owned.name, json={"file_url": files.other.file_url})
	assert response.status_code == 403, response.text[:500]
	refresh()
	assert frappe.db.get_value("File", files.owned.name, "file_url") == files.owned.file_url
	assert rm_a.session.get(rm_a.url + files.other.file_url, timeout=60).status_code == 403


def test_a_new_file_pointing_at_an_own_records_url_is_allowed(world, rm_a, files, committed):
	"""The rule is about reading: a URL A may read can be attached again."""
	payload = {
		"file_url": files.own.file_url,
		"is_private": 1,
		"file_name": uid("again") + ".txt",
		"attached_to_doctype": AGREEMENT,
		"attached_to_name": world.records["a2"][AGREEMENT],
	}
	response = rm_a.resource("POST", "File", json=payload)
	assert response.status_code == 200, response.text[:500]
	committed.add("File", response.json()["data"]["name"])
