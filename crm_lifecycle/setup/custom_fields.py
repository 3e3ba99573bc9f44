"""THE declarative definition of everything crm_lifecycle adds to other apps' DocTypes.

Install, migrate, uninstall and patches all read these constants; nothing else creates
custom fields, property setters or roles. The module imports nothing from Frappe so that
unit tests can check the definition without a site.
"""


def _(text: str) -> str:
	"""Identity: marks labels for translation extraction; Frappe translates labels at render time."""
	return text


def _deactivation_fields(insert_after: str) -> list[dict]:
	"""Lifecycle state shared by Customer and Contact, separate from ERPNext's `disabled`.

	Who deactivated it, when and why are kept in the Lifecycle Event log, not here: every field
	on Customer costs every request that loads its meta (issue 17)."""
	return [
		{
			"fieldname": "crm_active",
			"label": _("Active"),
			"fieldtype": "Check",
			"default": "1",
			"read_only": 1,
			"in_standard_filter": 1,
			"no_copy": 1,
			"insert_after": insert_after,
			"description": _("Cleared by Deactivate, set again by Reactivate"),
		},
	]


INVOICE_HOLD_FIELDS = [
	{
		"fieldname": "crm_reminders_section",
		"label": _("Payment Reminders"),
		"fieldtype": "Section Break",
		"collapsible": 1,
		"collapsible_depends_on": "eval:doc.crm_reminders_on_hold",
		"insert_after": "payment_schedule",
	},
	{
		"fieldname": "crm_reminders_on_hold",
		"label": _("Reminders on Hold"),
		"fieldtype": "Check",
		"read_only": 1,
		"allow_on_submit": 1,
		"in_standard_filter": 1,
		"no_copy": 1,
		"insert_after": "crm_reminders_section",
		"description": _("No dunning, notification or payment reminder is sent for this invoice"),
	},
	{
		"fieldname": "crm_held_until",
		"label": _("Held Until"),
		"fieldtype": "Date",
		"read_only": 1,
		"allow_on_submit": 1,
		"no_copy": 1,
		"depends_on": "crm_reminders_on_hold",
		"insert_after": "crm_reminders_on_hold",
		"description": _("The hold releases itself after this date"),
	},
	{
		"fieldname": "crm_reminders_column",
		"fieldtype": "Column Break",
		"insert_after": "crm_held_until",
	},
	{
		"fieldname": "crm_held_by",
		"label": _("Held By"),
		"fieldtype": "Link",
		"options": "User",
		"read_only": 1,
		"allow_on_submit": 1,
		"no_copy": 1,
		"depends_on": "crm_reminders_on_hold",
		"insert_after": "crm_reminders_column",
	},
	{
		"fieldname": "crm_held_on",
		"label": _("Held On"),
		"fieldtype": "Datetime",
		"read_only": 1,
		"allow_on_submit": 1,
		"no_copy": 1,
		"depends_on": "crm_reminders_on_hold",
		"insert_after": "crm_held_by",
	},
	{
		"fieldname": "crm_hold_reason",
		"label": _("Hold Reason"),
		"fieldtype": "Small Text",
		"read_only": 1,
		"allow_on_submit": 1,
		"no_copy": 1,
		"depends_on": "crm_reminders_on_hold",
		"insert_after": "crm_held_on",
	},
]


def _invalidation_fields(insert_after: str) -> list[dict]:
	"""Invalid (RAYNET "Zneplatnit"): kept, but hidden from lists and pickers until restored.

	Who invalidated it, when and why are kept in the Lifecycle Event log."""
	return [
		{
			"fieldname": "crm_invalid",
			"label": _("Invalid"),
			"fieldtype": "Check",
			"default": "0",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": insert_after,
			"description": _("Set by Invalidate, cleared by Restore; invalid records are hidden from lists"),
		},
	]


PORTAL_ACCESS_FIELDS = [
	{
		"fieldname": "crm_portal_section",
		"label": _("Portal & E-mail"),
		"fieldtype": "Section Break",
		"collapsible": 0,  # the grid stays open while a change reloads the form
		"insert_after": "is_primary_contact",
		"description": _(
			"Tick what this contact sees in the portal and which e-mails it gets; what is not "
			"ticked here follows the Customer Group's template or the CRM Lifecycle Settings default"
		),
	},
	{
		# the contact's own settings; public/js/portal_access.js shows and edits them as a grid
		"fieldname": "crm_portal_access",
		"label": _("Portal Sections and E-mails"),
		"fieldtype": "Table",
		"options": "Lifecycle Portal Access",
		"hidden": 1,
		"insert_after": "crm_portal_section",
	},
	{
		"fieldname": "crm_portal_effective",
		"label": _("Portal Rights"),
		"fieldtype": "HTML",
		"insert_after": "crm_portal_access",
	},
]


def _registry_fields(insert_after: str, with_tax_id: bool) -> list[dict]:
	"""Filled from a business registry (ARES: IČO, legal form). ERPNext's Customer has tax_id,
	Lead has none, so Lead gets its own."""
	fields = [
		{
			"fieldname": "crm_registration_no",
			"label": _("Registration No"),
			"fieldtype": "Data",
			"insert_after": insert_after,
			"description": _("Company registration number (IČO in the Czech Republic)"),
		},
	]
	if with_tax_id:
		fields.append(
			{
				"fieldname": "crm_tax_id",
				"label": _("Tax ID"),
				"fieldtype": "Data",
				"insert_after": "crm_registration_no",
			}
		)
	fields.append(
		{
			"fieldname": "crm_legal_form",
			"label": _("Legal Form"),
			"fieldtype": "Data",
			"insert_after": fields[-1]["fieldname"],
		}
	)
	return fields


# Account views: the account owner is ERPNext's own Customer.account_manager (see PROPERTY_SETTERS).
ACCOUNT_FIELDS = [
	{
		"fieldname": "crm_sales_priority",
		"label": _("Sales Priority"),
		"fieldtype": "Select",
		"options": "\nHigh\nMedium\nLow",
		"in_list_view": 1,
		"in_standard_filter": 1,
		"insert_after": "account_manager",
	},
	# Zoho's account data, carried over from the Lead / Opportunity / Prospect (services/account_data)
	{
		"fieldname": "crm_no_of_employees",
		"label": _("No of Employees"),
		"fieldtype": "Select",
		"options": "\n1-10\n11-50\n51-200\n201-500\n501-1000\n1000+",
		"in_standard_filter": 1,
		"insert_after": "crm_sales_priority",
	},
	{
		"fieldname": "crm_annual_revenue",
		"label": _("Annual Revenue"),
		"fieldtype": "Currency",
		"options": "default_currency",
		"insert_after": "crm_no_of_employees",
	},
]


# What a deactivation ended for good: ERPNext's "Restart Subscription" and re-enabling the Auto
# Repeat are refused for these (an Auto Repeat only while its customer is inactive).
FINAL_CANCELLATION_FIELDS = {
	"Subscription": [
		{
			"fieldname": "crm_cancelled_by_deactivation",
			"label": _("Cancelled by Deactivation"),
			"fieldtype": "Check",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "cancelation_date",
		},
	],
	"Auto Repeat": [
		{
			"fieldname": "crm_disabled_by_deactivation",
			"label": _("Disabled by Deactivation"),
			"fieldtype": "Check",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "disabled",
		},
	],
}


CUSTOM_FIELDS: dict[str, list[dict]] = {
	**FINAL_CANCELLATION_FIELDS,
	"Customer": _deactivation_fields(insert_after="disabled")
	+ _invalidation_fields(insert_after="crm_active")
	+ _registry_fields(insert_after="tax_id", with_tax_id=False)
	+ ACCOUNT_FIELDS,
	"Contact": _deactivation_fields(insert_after="status")
	+ _invalidation_fields(insert_after="crm_active")
	+ PORTAL_ACCESS_FIELDS,
	"Lead": _invalidation_fields(insert_after="request_type")
	+ _registry_fields(insert_after="company_name", with_tax_id=True),
	"Sales Invoice": INVOICE_HOLD_FIELDS,
}

# What earlier versions added and the app no longer does: the patch
# move_lifecycle_state_to_events removes them (fields, columns) from sites that have them.
# Who/when/why of a deactivation or invalidation is in the Lifecycle Event log now; the
# dependency graph and the customer's portal rights are drawn by the desk without a field.
_DEACTIVATION_RETIRED = [
	"crm_deactivation_section",
	"crm_deactivated_on",
	"crm_deactivated_by",
	"crm_deactivation_column",
	"crm_deactivation_reason",
]
_INVALIDATION_RETIRED = [
	"crm_invalidation_section",
	"crm_invalidated_on",
	"crm_invalidated_by",
	"crm_invalidation_column",
	"crm_invalidation_reason",
	"crm_invalidation_end",
]
_DEPENDENCIES_RETIRED = ["crm_dependencies_tab", "crm_dependencies_html"]
RETIRED_FIELDS: dict[str, list[str]] = {
	"Customer": _DEACTIVATION_RETIRED
	+ _INVALIDATION_RETIRED
	+ _DEPENDENCIES_RETIRED
	+ ["crm_portal_rights_section", "crm_portal_rights"],
	"Contact": _DEACTIVATION_RETIRED + _INVALIDATION_RETIRED + _DEPENDENCIES_RETIRED,
	"Lead": _INVALIDATION_RETIRED + _DEPENDENCIES_RETIRED,
	**{
		doctype: _DEPENDENCIES_RETIRED
		for doctype in ("Sales Invoice", "Opportunity", "Quotation", "Sales Order")
	},
}

# (doctype, fieldname or None for the doctype itself, property, value, property_type)
PROPERTY_SETTERS: list[tuple[str, str | None, str, str, str]] = [
	# account views: the account owner in the list and its filters; Unread / Recently Viewed
	# read Frappe's View Log, which a form load writes only for doctypes that track views
	("Customer", "account_manager", "in_list_view", "1", "Check"),
	("Customer", "account_manager", "in_standard_filter", "1", "Check"),
	("Customer", None, "track_views", "1", "Check"),
	# lifecycle changes (deactivation, invalidation) leave a Version like any other change;
	# Customer and Sales Invoice track changes in ERPNext already
	("Contact", None, "track_changes", "1", "Check"),
	("Lead", None, "track_changes", "1", "Check"),
	# every request of a portal user finds its contacts by their user (services/portal.py); an
	# index Frappe keeps through its schema syncs, which drop one the field does not ask for
	("Contact", "user", "search_index", "1", "Check"),
]

SEARCH_INDEXES = [
	(doctype, fieldname)
	for doctype, fieldname, prop, value, _type in PROPERTY_SETTERS
	if prop == "search_index" and value == "1"
]

# Roles the app owns: created on install, removed on uninstall.
ROLES: list[dict] = [
	{
		"role_name": "CRM Lifecycle Manager",
		"desk_access": 1,
	},
	{
		# May edit and unlock records other users locked (System Managers may too).
		"role_name": "CRM Lock Manager",
		"desk_access": 1,
	},
]
