from crm_lifecycle.core import portal as _portal_rules  # underscore: not a hook
from crm_lifecycle.core import references as _references

app_name = "crm_lifecycle"
app_title = "CRM Lifecycle"
app_publisher = "crm_lifecycle developers"
app_description = "Customer-lifecycle features for ERPNext"
app_email = "crm-lifecycle@example.com"
app_license = "mit"
# "org/repo", so that install-app does not look it up on the network; the supported versions
# are in pyproject.toml ([tool.bench.frappe-dependencies])
required_apps = ["frappe/erpnext"]

# Installation
# ------------
after_install = "crm_lifecycle.setup.install.after_install"
after_migrate = "crm_lifecycle.setup.install.after_migrate"
before_uninstall = "crm_lifecycle.setup.uninstall.before_uninstall"

# Desk
# ----
# Record governance (lock / unlock, banner, read-only form, list icon, security panel, invalidate,
# merge, delete report) on every doctype the site governs: the lists come with the boot info, so
# lockable doctypes an administrator adds get the same extras.
app_include_js = [
	"/assets/crm_lifecycle/js/helpers.js",  # first: every other script of the app uses it
	"/assets/crm_lifecycle/js/governance.js",
	"/assets/crm_lifecycle/js/governance_list.js",
]
boot_session = "crm_lifecycle.boot.boot_session"

# One entry per ERPNext/Frappe doctype whose form or list we extend.
doctype_js = {
	"Customer": [
		"public/js/lifecycle_party.js",
		"public/js/customer.js",
		"public/js/portal_access.js",
		"public/js/conversion.js",
		"public/js/registry.js",
		"public/js/export.js",
	],
	"Contact": [
		"public/js/lifecycle_party.js",
		"public/js/contact.js",
		"public/js/portal_access.js",
		"public/js/conversion.js",
		"public/js/export.js",
	],
	"Sales Invoice": ["public/js/sales_invoice.js", "public/js/conversion.js", "public/js/portal_email.js"],
	"Lead": ["public/js/conversion.js", "public/js/registry.js"],
	"Opportunity": ["public/js/conversion.js"],
	"Quotation": ["public/js/conversion.js", "public/js/portal_email.js"],
	"Sales Order": ["public/js/conversion.js", "public/js/portal_email.js"],
	"Project": ["public/js/portal_email.js"],
	"Issue": ["public/js/portal_email.js"],
	"Contract": ["public/js/portal_email.js"],
	"Task": ["public/js/portal_email.js"],
}
doctype_list_js = {
	"Customer": [
		"public/js/lifecycle_party.js",
		"public/js/customer_list.js",
		"public/js/registry.js",
		"public/js/export_list.js",
		"public/js/accounts_list.js",
	],
	"Contact": [
		"public/js/lifecycle_party.js",
		"public/js/contact_list.js",
		"public/js/export_list.js",
	],
	"Sales Invoice": ["public/js/sales_invoice_list.js"],
}

# The "Customer Sheet" print format reads what is open with the customer through this method.
jinja = {"methods": ["crm_lifecycle.services.customer_sheet.crm_lifecycle_customer_sheet"]}

# Document events
# ---------------
# Each handler lives in crm_lifecycle/overrides/<doctype>.py and is named after its event.
doc_events = {
	"Customer": {
		"before_insert": "crm_lifecycle.overrides.customer.before_insert",
		"validate": "crm_lifecycle.overrides.customer.validate",
		"after_insert": "crm_lifecycle.overrides.customer.after_insert",
	},
	"Lead": {"after_insert": "crm_lifecycle.overrides.lead.after_insert"},
	"Contact": {
		"validate": "crm_lifecycle.overrides.contact.validate",
		"on_update": "crm_lifecycle.overrides.contact.on_update",
	},
	"Sales Invoice": {
		"validate": "crm_lifecycle.overrides.sales_invoice.validate",
		"before_submit": "crm_lifecycle.overrides.sales_invoice.before_submit",
		"on_submit": "crm_lifecycle.overrides.sales_invoice.on_submit",
	},
	"Subscription": {"validate": "crm_lifecycle.overrides.subscription.validate"},
	# a portal user's type and parties are read once per request; a change of its User reads them again
	"User": {"on_update": "crm_lifecycle.overrides.user.on_update"},
	"Auto Repeat": {"validate": "crm_lifecycle.overrides.auto_repeat.validate"},
	"Sales Order": {"validate": "crm_lifecycle.overrides.sales_order.validate"},
	"Dunning": {"validate": "crm_lifecycle.overrides.dunning.validate"},
	# User locks: every write path of every lockable record (cheap for everything else).
	"*": {
		"before_validate": "crm_lifecycle.overrides.locking.before_validate",
		"before_cancel": "crm_lifecycle.overrides.locking.before_cancel",
		"before_update_after_submit": "crm_lifecycle.overrides.locking.before_update_after_submit",
		"before_change": "crm_lifecycle.overrides.locking.before_change",
		"on_trash": "crm_lifecycle.overrides.locking.on_trash",
		"before_rename": "crm_lifecycle.overrides.locking.before_rename",
		"after_rename": "crm_lifecycle.overrides.locking.after_rename",
		"onload": "crm_lifecycle.overrides.locking.onload",
	},
	# Invalid customers, contacts and leads are refused in new sales transactions.
	("Opportunity", "Quotation", "Sales Order", "Delivery Note", "Sales Invoice", "Contract", "Project"): {
		"validate": "crm_lifecycle.overrides.governance.validate",
	},
	# Who deactivated or invalidated a record, when and why: the Lifecycle Event log.
	("Customer", "Contact", "Lead"): {
		"onload": "crm_lifecycle.overrides.lifecycle_events.onload",
		"on_trash": "crm_lifecycle.overrides.lifecycle_events.on_trash",
	},
	# The dependency graph records ERPNext's own conversions from the link fields it sets.
	("Lead", "Opportunity", "Quotation", "Sales Order", "Sales Invoice", "Customer", "Contact"): {
		"on_update": "crm_lifecycle.overrides.document_links.on_update",
		"on_trash": "crm_lifecycle.overrides.document_links.on_trash",
	},
}

# Invalid customers, contacts and leads are hidden from lists, reports and link pickers.
permission_query_conditions = {
	"Customer": "crm_lifecycle.overrides.governance.customer_conditions",
	"Contact": "crm_lifecycle.overrides.governance.contact_conditions",
	"Lead": "crm_lifecycle.overrides.governance.lead_conditions",
	# Portal users see only the sections their contact allows, per customer.
	"Sales Invoice": "crm_lifecycle.overrides.portal.sales_invoice_conditions",
	"Quotation": "crm_lifecycle.overrides.portal.quotation_conditions",
	"Sales Order": "crm_lifecycle.overrides.portal.sales_order_conditions",
	"Delivery Note": "crm_lifecycle.overrides.portal.delivery_note_conditions",
	"Project": "crm_lifecycle.overrides.portal.project_conditions",
	"Task": "crm_lifecycle.overrides.portal.task_conditions",
	"Timesheet": "crm_lifecycle.overrides.portal.timesheet_conditions",
	"Issue": "crm_lifecycle.overrides.portal.issue_conditions",
	"Contract": "crm_lifecycle.overrides.portal.contract_conditions",
	# The app's records about other documents: only those whose documents the user may read
	# (core/references.py says which fields name them).
	"Lifecycle Lock": "crm_lifecycle.overrides.references.lock_conditions",
	"Lifecycle Lock Log": "crm_lifecycle.overrides.references.lock_log_conditions",
	"Lifecycle Event": "crm_lifecycle.overrides.references.event_conditions",
	"Lifecycle Document Link": "crm_lifecycle.overrides.references.document_link_conditions",
	"Lifecycle Payment Reminder": "crm_lifecycle.overrides.references.payment_reminder_conditions",
	"Lifecycle Portal Access": "crm_lifecycle.overrides.references.portal_access_conditions",
}

# Portal sections per contact, on every path a portal user has (see overrides/portal.py).
has_permission = {
	**{
		doctype: "crm_lifecycle.overrides.portal.has_permission" for doctype in _portal_rules.SECTION_DOCTYPES
	},
	"File": "crm_lifecycle.overrides.portal.has_file_permission",
	**{doctype: "crm_lifecycle.overrides.references.has_permission" for doctype in _references.REFERENCES},
}
# Only where ERPNext opens the doctype to the web (Frappe denies the web when no hook exists).
has_website_permission = {
	doctype: "crm_lifecycle.overrides.portal.has_website_permission" for doctype in _portal_rules.WEB_DOCTYPES
}
update_website_context = ["crm_lifecycle.overrides.portal.update_website_context"]
# A portal contact's own page (www/email_preferences): the e-mails it gets, switched by itself.
portal_menu_items = [{"title": "E-mail Preferences", "route": "/email_preferences", "role": "Customer"}]
page_renderer = [
	"crm_lifecycle.overrides.portal_pages.SectionListPage",
	"crm_lifecycle.overrides.portal_pages.ProjectPage",
]
override_whitelisted_methods = {
	"frappe.www.list.get": "crm_lifecycle.overrides.portal_pages.get",
	"frappe.www.list.get_list_data": "crm_lifecycle.overrides.portal_pages.get_list_data",
	# ERPNext's project page endpoints check no permission at all: ours check the page's rule first
	"erpnext.templates.pages.projects.get_task_html": "crm_lifecycle.overrides.portal_pages.get_task_html",
	"erpnext.templates.pages.projects.get_timesheet_html": "crm_lifecycle.overrides.portal_pages.get_timesheet_html",
}

# Lock rows, their history, dependency-graph edges and lifecycle events never keep a record from
# being deleted.
ignore_links_on_delete = [
	"Lifecycle Lock",
	"Lifecycle Lock Log",
	"Lifecycle Document Link",
	"Lifecycle Event",
]

# Frappe has no event between a Notification's (or an Auto Repeat's) decision and its mail:
# extend those controllers.
override_doctype_class = {
	"Notification": "crm_lifecycle.overrides.notification.LifecycleNotification",
	"Auto Repeat": "crm_lifecycle.overrides.auto_repeat.LifecycleAutoRepeat",
}

# Scheduled tasks
# ---------------
scheduler_events = {
	"hourly": [
		"crm_lifecycle.services.locking.release_expired",
	],
	"daily": [
		"crm_lifecycle.services.invoice_hold.release_expired",
		"crm_lifecycle.services.reminders.daily",
	],
}
