"""REST: the data of the CRM Lifecycle workspace charts (their Dashboard Chart Sources call these).

GET crm_lifecycle.api.charts.conversion_funnel   filters='{"from_date": "2026-09-01", "to_date": "2026-11-30"}'
GET crm_lifecycle.api.charts.held_invoices       filters='{"to_date": "2026-11-30"}' (the day ages count to)
GET crm_lifecycle.api.charts.deactivations       filters='{"from_date": ..., "to_date": ...}' (per month)
GET crm_lifecycle.api.charts.locks_per_user      locks in force, per holder

Each answers {"labels": [...], "datasets": [{"name", "values"}]}, computed for the caller.
"""

import frappe
from frappe import _

from crm_lifecycle.api import params
from crm_lifecycle.services import charts


def _filters(filters) -> dict:
	if filters in (None, "", "null"):
		return {}
	values = params.json_object(filters, "filters")
	for key in ("from_date", "to_date"):
		if values.get(key):
			values[key] = params.date(values[key], key)
	unknown = sorted(set(values) - {"from_date", "to_date"})
	if unknown:
		frappe.throw(_("Unknown filter: {0}").format(", ".join(map(str, unknown))), frappe.ValidationError)
	return values


@frappe.whitelist(methods=["GET", "POST"])
def conversion_funnel(filters: str | dict | None = None, **_chart) -> dict:
	"""Leads made in the period, and how many reached an opportunity, quotation, order, invoice."""
	return charts.funnel(_filters(filters))


@frappe.whitelist(methods=["GET", "POST"])
def held_invoices(filters: str | dict | None = None, **_chart) -> dict:
	"""Held invoices with an outstanding amount, by days past due: amount and count."""
	return charts.held_invoices(_filters(filters))


@frappe.whitelist(methods=["GET", "POST"])
def deactivations(filters: str | dict | None = None, **_chart) -> dict:
	"""Customers deactivated and reactivated per month."""
	return charts.deactivations(_filters(filters))


@frappe.whitelist(methods=["GET", "POST"])
def locks_per_user(filters: str | dict | None = None, **_chart) -> dict:
	"""Locks in force, per user holding them."""
	_filters(filters)
	return charts.locks_per_user()
