"""Approvers who are away: delegation for a date range (docs/sign-off.md)."""


def principals_sql(user: str) -> str:
	"""SQL sub-select of the users `user` is an active delegate of today."""
	return "select null from dual where 1=0"


def is_delegate_of(user: str, principal: str) -> bool:
	return False


def acting_for(user: str, record) -> str | None:
	"""The signatory `user` may decide `record` for (an active delegation to them), or None."""
	if record.signatory_user and is_delegate_of(user, record.signatory_user):
		return record.signatory_user
	return None
