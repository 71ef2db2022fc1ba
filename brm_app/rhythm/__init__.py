"""The relationship rhythm (docs/relationship-rhythm.md): the cadence of relationship surveys and service
reviews per portfolio, and the customers a change to an IT service affects. Site-bound rules (they read
BRM Settings and the database); the pure rule core stays in brm_app/services/."""
