"""The roles of brm_app and what each group of them may do: the one place their names are written.

Pure Python, so it runs and is tested without a Frappe site. The desk gets the same groups at login
(`brm_app.api.boot`, `frappe.boot.brm_roles`), so no script types a role name.
"""

PROCESS_OWNER = "BRM Process Owner"
PROCESS_MANAGER = "BRM Process Manager"
RELATIONSHIP_MANAGER = "Business Relationship Manager"
SYSTEM_MANAGER = "System Manager"
# a desk user of the customer (an internal business unit) who signs off business cases for it; not a
# provider role: holds no BRM permission but reading and deciding the sign-offs addressed to them
CUSTOMER_SIGNATORY = "BRM Customer Signatory"

# the provider's roles: none of them may sign off for the customer
BRM_ROLES = (RELATIONSHIP_MANAGER, PROCESS_MANAGER, PROCESS_OWNER)
# every role brm_app creates on install and removes on uninstall
ALL_ROLES = (*BRM_ROLES, CUSTOMER_SIGNATORY)
# approvers of the workflows (brm_app.services.approval_rules)
MANAGERS = (PROCESS_MANAGER, PROCESS_OWNER)
# see and change every portfolio (no row-level restriction); cancel surveys; create missing portfolios
FULL_ACCESS = (PROCESS_MANAGER, PROCESS_OWNER, SYSTEM_MANAGER)
# change the settings that decide how many approvals a business case needs (docs/security.md case 30)
APPROVAL_SETTINGS = (PROCESS_OWNER, SYSTEM_MANAGER)


def for_desk() -> dict:
	"""The role groups the desk scripts use, keyed as they read them (`frappe.boot.brm_roles`)."""
	return {
		"relationship_manager": RELATIONSHIP_MANAGER,
		"managers": list(MANAGERS),
		"full_access": list(FULL_ACCESS),
		"approval_settings": list(APPROVAL_SETTINGS),
		"customer_signatory": CUSTOMER_SIGNATORY,
	}
