"""Create (or bring up to date) the Business Case and Customer Agreement approval workflows on sites that
had brm_app before the workflows existed. ensure_setup() runs the same upsert after every migrate."""

from brm_app.setup.workflows import ensure_workflows


def execute():
	ensure_workflows()
