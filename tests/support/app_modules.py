"""Every module of brm_app, imported, and the whitelisted functions they define.

A whitelisted function is registered (frappe.whitelisted) when its module is imported. pkgutil.walk_packages
does not descend into brm_app/brm_app/doctype, a folder without __init__.py (a namespace package), so the
controllers' endpoints would be found only when something else happened to import them first: the modules
are listed from the files instead."""

import importlib
from pathlib import Path

import frappe

import brm_app

ROOT = Path(brm_app.__file__).resolve().parent


def module_names() -> list[str]:
	"""The dotted name of every Python module of the app."""
	names = []
	for path in sorted(ROOT.rglob("*.py")):
		parts = path.relative_to(ROOT.parent).with_suffix("").parts
		names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
	return names


def whitelisted() -> dict[str, object]:
	"""Dotted path -> function of every whitelisted function defined in brm_app, every module imported."""
	for name in module_names():
		importlib.import_module(name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if getattr(fn, "__module__", "").startswith("brm_app.")
	}
