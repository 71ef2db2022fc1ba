"""E-mailed links that act without a login (survey answers, customer sign-offs): one token mechanism
(`tokens`) and one throttle of failed lookups (`throttle`, in brm_app.links.throttle) for all of them."""
