"""THE declarative definition of everything crm_lifecycle adds to other apps' DocTypes.

Install, migrate, uninstall and patches all read these constants; nothing else creates
custom fields, property setters or roles. The module imports nothing from Frappe so that
unit tests can check the definition without a site.
"""


def _(text: str) -> str:
	"""Identity: marks labels for translation extraction; Frappe translates labels at render time."""
	return text


def _deactivation_fields(insert_after: str) -> list[dict]:
	"""Lifecycle state shared by Customer and Contact, separate from ERPNext's `disabled`."""
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
		{
			"fieldname": "crm_deactivation_section",
			"label": _("Deactivation"),
			"fieldtype": "Section Break",
			"depends_on": "eval:!doc.crm_active",
			"insert_after": "crm_active",
		},
		{
			"fieldname": "crm_deactivated_on",
			"label": _("Deactivated On"),
			"fieldtype": "Datetime",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "crm_deactivation_section",
		},
		{
			"fieldname": "crm_deactivated_by",
			"label": _("Deactivated By"),
			"fieldtype": "Link",
			"options": "User",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "crm_deactivated_on",
		},
		{
			"fieldname": "crm_deactivation_column",
			"fieldtype": "Column Break",
			"insert_after": "crm_deactivated_by",
		},
		{
			"fieldname": "crm_deactivation_reason",
			"label": _("Deactivation Reason"),
			"fieldtype": "Small Text",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "crm_deactivation_column",
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


CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Customer": _deactivation_fields(insert_after="disabled"),
	"Contact": _deactivation_fields(insert_after="status"),
	"Sales Invoice": INVOICE_HOLD_FIELDS,
}

# (doctype, fieldname or None for the doctype itself, property, value, property_type)
PROPERTY_SETTERS: list[tuple[str, str | None, str, str, str]] = []

# Roles the app owns: created on install, removed on uninstall.
ROLES: list[dict] = [
	{
		"role_name": "CRM Lifecycle Manager",
		"desk_access": 1,
	},
]
