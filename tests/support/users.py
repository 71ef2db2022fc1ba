"""Run test code as a given user or with a given role, on the real site."""

from collections.abc import Iterator
from contextlib import contextmanager

import frappe


def make_user(email: str, roles: tuple[str, ...] = (), first_name: str | None = None) -> str:
	"""Create (or reuse) an enabled System User with exactly these roles; returns the e-mail."""
	if frappe.db.exists("User", email):
		user = frappe.get_doc("User", email)
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name or email.split("@")[0],
				"user_type": "System User",
				"send_welcome_email": 0,
				"enabled": 1,
				# with its roles at once: a second save of a User is slow (its on_update is heavy)
				"roles": [{"role": role} for role in roles],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
		return email
	user.set("roles", [])
	user.add_roles(*roles)
	return email


def insert_user(email: str, roles: tuple[str, ...]) -> str:
	"""A new enabled System User holding exactly these roles (plus frappe's automatic ones); returns the
	e-mail. Written with db_insert: a User's hooks (contact, cache clearing) cost seconds per user, and
	permissions and workflow roles read the same Has Role rows."""
	user = frappe.new_doc("User")
	user.update(
		{
			"name": email,
			"email": email,
			"first_name": email.split("@")[0],
			"user_type": "System User",
			"enabled": 1,
			"send_welcome_email": 0,
		}
	)
	user.db_insert()
	for idx, role in enumerate(roles, 1):
		row = frappe.new_doc("Has Role")
		row.update({"parent": email, "parenttype": "User", "parentfield": "roles", "role": role, "idx": idx})
		row.db_insert()
	return email


@contextmanager
def as_user(email: str) -> Iterator[str]:
	"""Run the block as `email` (frappe.set_user), restoring the previous user afterwards."""
	previous = frappe.session.user
	frappe.set_user(email)
	try:
		yield email
	finally:
		frappe.set_user(previous)


@contextmanager
def as_role(*roles: str, email: str | None = None) -> Iterator[str]:
	"""Run the block as a throw-away user holding exactly `roles` (plus frappe's automatic ones)."""
	email = email or "brm-test-{}@example.com".format(
		"-".join(r.lower().replace(" ", "-") for r in roles) or "none"
	)
	make_user(email, roles)
	with as_user(email):
		yield email
