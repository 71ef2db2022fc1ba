"""What the BRM Script Reports (the folders beside this one) share: the reader's scope, filters and
columns (`common`), the SQL (`queries`) and the number cards a count cannot express (`cards`).

Frappe syncs a report from a folder holding `<name>.json`; this folder has none, so it is code only."""
