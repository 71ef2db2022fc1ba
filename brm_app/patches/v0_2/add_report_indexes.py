"""Composite indexes for the reports and the health job at scale (brm_app.setup.indexes, issue #6)."""

from brm_app.setup.indexes import ensure_report_indexes


def execute():
	ensure_report_indexes()
