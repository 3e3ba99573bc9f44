"""REST: deactivate / reactivate customers and contacts (their invoices' holds: api/invoice_hold.py).

POST /api/method/crm_lifecycle.api.deactivation.<method>
"""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import deactivation, deactivation_bulk


@frappe.whitelist(methods=["GET", "POST"])
def preview(doctype: str, name: str) -> dict:
	"""What a deactivation would touch: open invoices and running subscriptions / auto repeats
	(those the caller may not read are counted, not named)."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return deactivation.preview(doctype, name)


@frappe.whitelist(methods=["POST"])
def deactivate(
	doctype: str,
	name: str,
	hold_invoices: int = 0,
	cancel_subscriptions: int = 0,
	reason: str | None = None,
	held_until: str | None = None,
) -> dict:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	return deactivation.deactivate(
		doctype,
		name,
		params.flag(hold_invoices, "hold_invoices"),
		params.flag(cancel_subscriptions, "cancel_subscriptions"),
		params.text(reason, "reason"),
		params.date(held_until, "held_until"),
	)


@frappe.whitelist(methods=["POST"])
def reactivate(doctype: str, name: str) -> dict:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	return deactivation.reactivate(doctype, name)


@frappe.whitelist(methods=["POST"])
def deactivate_many(
	doctype: str,
	names: str | list,
	hold_invoices: int = 0,
	cancel_subscriptions: int = 0,
	reason: str | None = None,
) -> dict:
	"""Deactivate many records in a background job; progress and results reach the desk in realtime."""
	names = params.name_list(names)
	params.existing(doctype, names[0])
	deactivation.load_party(doctype, names[0])  # refuses what is not a Customer or Contact
	frappe.has_permission(doctype, "write", throw=True)
	return deactivation_bulk.enqueue_many(
		doctype,
		names,
		params.flag(hold_invoices, "hold_invoices"),
		params.flag(cancel_subscriptions, "cancel_subscriptions"),
		params.text(reason, "reason"),
	)
