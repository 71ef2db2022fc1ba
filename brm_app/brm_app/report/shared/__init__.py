"""What the BRM Script Reports (the folders beside this one) share: the run's row-level scope (`scope`),
filters, default periods and columns (`common`), the SQL (`queries`: health, renewals, pipeline;
`kpi_queries`: the scorecard; `survey_queries`: surveys sent and answered) and the number cards a count
cannot express (`cards`). Their desk side is one script, brm_app/public/js/brm_reports.js.

Frappe syncs a report from a folder holding `<name>.json`; this folder has none, so it is code only."""
