"""bench commands of brm_app (frappe loads `<app>.commands.commands`)."""

import click
from frappe.commands import get_site, pass_context


@click.command("brm-demo")
@click.option("--scale", default=20, type=int, help="Number of demo customers (with everything around them)")
@click.option("--seed", default=42, type=int, help="Random seed: the same seed and scale give the same data")
@click.option(
	"--bulk/--orm",
	default=None,
	help="Multi-row INSERTs (brm_app.demo.bulk) or the ORM (brm_app.demo.orm); default: bulk above 500 customers",
)
@pass_context
def brm_demo(context, scale: int, seed: int, bulk: bool | None):
	"""Fill the site with BRM demo data (idempotent; a larger scale adds the missing customers)."""
	import frappe

	from brm_app import demo

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		demo.generate(scale=scale, seed=seed, bulk=bulk)
	finally:
		frappe.destroy()


commands = [brm_demo]
