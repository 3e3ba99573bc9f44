"""REST: fill a Customer or Lead from a business registry (ARES, VIES); web search shortcuts.

GET/POST /api/method/crm_lifecycle.api.registry.lookup      provider, query[, doctype[, name]]
GET      /api/method/crm_lifecycle.api.registry.providers   doctype (for a new record)
POST     /api/method/crm_lifecycle.api.registry.apply       doctype, name, provider, registry_id, fields
GET      /api/method/crm_lifecycle.api.registry.shortcuts   doctype, name
"""

import frappe
from frappe import _

from crm_lifecycle.api import params
from crm_lifecycle.services import registry


def _may_look_up() -> None:
	"""A lookup without a record is for someone about to make or edit a customer or lead."""
	if not any(frappe.has_permission(doctype, "write") for doctype in registry.FIELD_MAP):
		frappe.throw(_("Not permitted to look up business registries."), frappe.PermissionError)


@frappe.whitelist(methods=["GET", "POST"])
def lookup(provider: str, query: str, doctype: str | None = None, name: str | None = None) -> dict:
	"""Candidates from the registry: a number is looked up, a name searched. With `doctype` and
	`name`, each candidate lists what filling that record from it would change."""
	provider, query = params.name(provider, "provider"), params.name(query, "query")
	if name:
		if not doctype:
			frappe.throw(_("Pass the doctype of the record too."), frappe.ValidationError)
		params.existing(doctype, name)
		frappe.has_permission(doctype, "read", name, throw=True)
		registry.check_doctype(doctype)
	elif doctype:
		_may_create(doctype)
	else:
		_may_look_up()
	return registry.lookup(provider, query, doctype, name)


def _may_create(doctype: str) -> None:
	"""A lookup for a new, unsaved record (`doctype` without `name`)."""
	params.doctype(doctype)
	registry.check_doctype(doctype)
	if not frappe.has_permission(doctype, "create"):
		frappe.throw(_("Not permitted to create a {0}.").format(_(doctype)), frappe.PermissionError)


@frappe.whitelist(methods=["GET"])
def providers(doctype: str) -> dict:
	"""For a new Customer or Lead: the switched-on registries and which field takes which value."""
	_may_create(doctype)
	return {
		"providers": registry.enabled_providers(),
		"fields": registry.FIELD_MAP[doctype],
		"labels": registry.labels(),
	}


@frappe.whitelist(methods=["POST"])
def apply(doctype: str, name: str, provider: str, registry_id: str, fields: str | list) -> dict:
	"""Fills the accepted `fields` (of name, tax_id, registration_no, legal_form, address) of the
	record from the registry's current answer for `registry_id`; one transaction."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	registry.check_doctype(doctype)
	return registry.apply(
		doctype,
		name,
		params.name(provider, "provider"),
		params.name(registry_id, "registry_id"),
		params.string_list(fields, "fields"),
	)


@frappe.whitelist(methods=["GET"])
def shortcuts(doctype: str, name: str) -> dict:
	"""What the form menu offers: the switched-on registries and the filled web search links."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	registry.check_doctype(doctype)
	return {"providers": registry.enabled_providers(), "web_searches": registry.web_searches(doctype, name)}
