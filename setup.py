# Kept only for older tooling; pyproject.toml (flit) is the real build definition.
from setuptools import find_packages, setup

setup(name="brm_app", packages=find_packages(include=["brm_app", "brm_app.*"]), include_package_data=True)
