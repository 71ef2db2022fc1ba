"""bench commands of brm_app (frappe loads `<app>.commands.commands`)."""

import click
from frappe.commands import get_site, pass_context


@click.command("brm-demo")
@click.option("--scale", default=20, type=int, help="Number of demo customers (with everything around them)")
@click.option("--seed", default=42, type=int, help="Random seed: the same seed and scale give the same data")
@pass_context
def brm_demo(context, scale: int, seed: int):
	"""Fill the site with BRM demo data (idempotent; a larger scale adds the missing customers)."""
	import frappe

	from brm_app.demo import generate

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		generate(scale=scale, seed=seed)
	finally:
		frappe.destroy()


commands = [brm_demo]
