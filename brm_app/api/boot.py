"""What the desk receives at login from brm_app (hooks.boot_session): the role groups of
`brm_app.services.roles`, read by public/js/brm_desk.js as `brm_app.desk.ROLES`."""

from brm_app.services import roles


def boot_session(bootinfo) -> None:
	bootinfo.brm_roles = roles.for_desk()
