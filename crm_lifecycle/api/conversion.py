"""REST: create records from a Lead, Opportunity or Quotation (the graph: api/dependencies.py).

- GET  crm_lifecycle.api.conversion.targets?doctype=Lead&name=CRM-LEAD-0001
- GET  crm_lifecycle.api.conversion.matches?lead=CRM-LEAD-0002  (customers / contacts to link to)
- POST crm_lifecycle.api.conversion.convert  doctype, name, targets='["Opportunity", "Customer"]',
       link='{"Contact": "Jane Doe"}'  -> {"source": ..., "records": [{doctype, name, action}]}
"""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import conversion, lead_matches


@frappe.whitelist(methods=["GET"])
def targets(doctype: str, name: str) -> list[dict]:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return conversion.options(doctype, name)


@frappe.whitelist(methods=["POST"])
def convert(
	doctype: str,
	name: str,
	targets: str | list,
	link: str | dict | None = None,
	delivery_date: str | None = None,
) -> dict:
	"""`delivery_date` (YYYY-MM-DD) is that of a Sales Order made; default: the quotation's
	"valid till" when it lies ahead, else the order's date."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	# create permission on each target is checked by the service against the plan, which knows
	# the records a combination really makes (an invoice of a lead's deal also makes a Customer)
	return conversion.convert(
		doctype,
		name,
		params.string_list(targets, "targets"),
		params.string_map(link, "link") or None,
		params.date(delivery_date, "delivery_date"),
	)


@frappe.whitelist(methods=["GET"])
def matches(lead: str) -> dict:
	"""Existing customers and contacts the lead may belong to (repeat business), by its company
	name, e-mail, tax id and registration no: the readable ones named, the others counted."""
	params.existing("Lead", lead)
	frappe.has_permission("Lead", "read", lead, throw=True)
	return lead_matches.matches(lead)
