app_name = "crm_lifecycle"
app_title = "CRM Lifecycle"
app_publisher = "crm_lifecycle developers"
app_description = "Customer-lifecycle features for ERPNext"
app_email = "crm-lifecycle@example.com"
app_license = "mit"
required_apps = ["frappe/erpnext"]  # "org/repo", so that install-app does not look it up on the network

# Installation
# ------------
after_install = "crm_lifecycle.setup.install.after_install"
after_migrate = "crm_lifecycle.setup.install.after_migrate"
before_uninstall = "crm_lifecycle.setup.uninstall.before_uninstall"

# Desk
# ----
# One entry per ERPNext/Frappe doctype whose form or list we extend.
doctype_js = {}
doctype_list_js = {}

# Document events
# ---------------
# Each handler lives in crm_lifecycle/overrides/<doctype>.py and is named after its event.
doc_events = {}

# Scheduled tasks
# ---------------
scheduler_events = {
	"daily": [],
}
