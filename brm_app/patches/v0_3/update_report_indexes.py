"""The report indexes of 0.3 (brm_app.setup.indexes): one covering index of survey responses in place of two,
and indexes for K7's opportunity sources, Agreement Renewals and the Business Case Pipeline."""

from brm_app.setup.indexes import ensure_report_indexes


def execute():
	ensure_report_indexes()
