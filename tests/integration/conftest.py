import pytest


@pytest.fixture(autouse=True)
def _rolled_back(db):
	"""Every integration test runs on the real site inside a rolled-back transaction."""
	yield
