# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""One requirement of a Customer Sign-off: what was asked (snapshot and digest) and the decision. A row
changes only through its sign-off, which only the sign-off service writes."""

from brm_app.controllers.records import BRMChildRow


class CustomerSignoffDecision(BRMChildRow):
	pass
