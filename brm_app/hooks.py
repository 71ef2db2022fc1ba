app_name = "brm_app"
app_title = "BRM App"
app_publisher = "brm_app developers"
app_description = "ITIL Business Relationship Management for ERPNext"
app_email = "brm@example.com"
app_license = "mit"

required_apps = ["frappe/erpnext"]

# Keep the "begin: auto-generated types" blocks of the controllers up to date.
export_python_type_annotations = True

# Installation
# ------------
after_install = "brm_app.setup.install.after_install"
after_migrate = "brm_app.setup.install.after_migrate"
before_uninstall = "brm_app.setup.install.before_uninstall"

# Document events (other apps' doctypes only)
# ---------------
doc_events = {
	"Customer": {
		"after_insert": "brm_app.brm_app.overrides.customer.after_insert",
		"on_trash": "brm_app.brm_app.overrides.customer.on_trash",
	},
}
