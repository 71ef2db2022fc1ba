"""Demo data: a realistic, internally consistent BRM world on a site.

    bench --site SITE brm-demo --scale 20
    bench --site SITE execute brm_app.demo.generate --kwargs "{'scale': 20}"

One seeded recipe of the world (brm_app.demo.recipe: counts, shares, distributions, names) and two writers
of it: brm_app.demo.orm (documents through their controllers, for small scales and the dev site) and
brm_app.demo.bulk (multi-row INSERTs, for benchmark scale). `generate` takes the bulk writer above
recipe.BULK_FROM customers unless told (`bulk=`). Both are idempotent (customers already on the site are
skipped, so a larger scale adds the missing ones) and end with every portfolio's health computed.
"""

from brm_app.demo.recipe import BULK_FROM, DEMO_PREFIX

__all__ = ["BULK_FROM", "DEMO_PREFIX", "generate"]


def generate(scale: int = 20, seed: int = 42, progress: bool = True, commit: bool = True, bulk=None) -> dict:
	"""Fill the site with `scale` demo customers and everything around them; returns counts and seconds."""
	if bulk is None:
		bulk = int(scale) > BULK_FROM
	if bulk:
		from brm_app.demo import bulk as writer
	else:
		from brm_app.demo import orm as writer
	return writer.generate(scale=scale, seed=seed, progress=progress, commit=commit)
