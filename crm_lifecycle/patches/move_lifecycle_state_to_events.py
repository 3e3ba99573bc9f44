"""Who deactivated or invalidated a customer, contact or lead, when and why, moves from fields
on the record to the Lifecycle Event log; then those fields go, with the layout fields the
forms no longer need (custom_fields.RETIRED_FIELDS)."""

import frappe
from frappe.utils import now_datetime

from crm_lifecycle.services import lifecycle_events
from crm_lifecycle.setup.custom_fields import RETIRED_FIELDS
from crm_lifecycle.setup.uninstall import delete_fields

# (state field, its value that the old fields explained, on, by, reason, event)
MOVED = (
	("crm_active", 0, "crm_deactivated_on", "crm_deactivated_by", "crm_deactivation_reason", "Deactivated"),
	("crm_invalid", 1, "crm_invalidated_on", "crm_invalidated_by", "crm_invalidation_reason", "Invalidated"),
)


def execute():
	for doctype in lifecycle_events.DOCTYPES:
		columns = set(frappe.db.get_table_columns(doctype))
		for state, value, on, by, reason, event in MOVED:
			if not {state, on, by, reason} <= columns:
				continue
			table = frappe.qb.DocType(doctype)
			rows = (
				frappe.qb.from_(table)
				.select(table.name, table[on], table[by], table[reason])
				.where(table[state] == value)
				.run()
			)
			lifecycle_events.insert(
				[
					(doctype, name, event, user or "Administrator", text, when or now_datetime())
					for name, when, user, text in rows
				]
			)
	for doctype, fieldnames in RETIRED_FIELDS.items():
		delete_fields(doctype, fieldnames)
