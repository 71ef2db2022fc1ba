"""Shared pieces of the BRM script reports (brm_app/brm_app/report/…): filters, scope, columns and SQL."""
