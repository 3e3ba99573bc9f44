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
doctype_js = {
	"Customer": ["public/js/lifecycle_party.js", "public/js/customer.js"],
	"Contact": ["public/js/lifecycle_party.js", "public/js/contact.js"],
	"Sales Invoice": ["public/js/sales_invoice.js"],
}
doctype_list_js = {
	"Customer": ["public/js/lifecycle_party.js", "public/js/customer_list.js"],
	"Contact": ["public/js/lifecycle_party.js", "public/js/contact_list.js"],
	"Sales Invoice": ["public/js/sales_invoice_list.js"],
}

# Document events
# ---------------
# Each handler lives in crm_lifecycle/overrides/<doctype>.py and is named after its event.
doc_events = {
	"Customer": {"validate": "crm_lifecycle.overrides.customer.validate"},
	"Contact": {"validate": "crm_lifecycle.overrides.contact.validate"},
	"Sales Invoice": {"validate": "crm_lifecycle.overrides.sales_invoice.validate"},
	"Sales Order": {"validate": "crm_lifecycle.overrides.sales_order.validate"},
	"Dunning": {"validate": "crm_lifecycle.overrides.dunning.validate"},
}

# Frappe has no event between a Notification's condition and its sending: extend the controller.
override_doctype_class = {
	"Notification": "crm_lifecycle.overrides.notification.LifecycleNotification",
}

# Scheduled tasks
# ---------------
scheduler_events = {
	"daily": [
		"crm_lifecycle.services.invoice_hold.release_expired",
		"crm_lifecycle.services.reminders.send_due_reminders",
	],
}
