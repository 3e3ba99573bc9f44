"""REST: automatic payment reminders."""

import frappe

from crm_lifecycle.services import reminders


@frappe.whitelist(methods=["GET", "POST"])
def due(date: str | None = None) -> list[dict]:
	"""Dry run: the reminders the next daily run would send on `date` (default today)."""
	frappe.has_permission("Sales Invoice", "read", throw=True)
	frappe.has_permission("CRM Lifecycle Settings", "read", throw=True)
	return reminders.due(date)
