"""Zoho's account data on the Customer: number of employees and annual revenue, carried over from
the record it was made from, as ERPNext carries a lead's name and address.

Lead, Opportunity and Prospect have both fields; the Customer gets its own (`crm_`). A new
customer takes each empty field from its Opportunity, else its Prospect, else its Lead.
ERPNext's Prospect -> Customer mapping leaves `prospect_name` empty and names the customer after
the prospect (a Prospect is named by its company name): that prospect is the source then.
"""

import frappe

FIELDS = {"crm_no_of_employees": "no_of_employees", "crm_annual_revenue": "annual_revenue"}


def sources(customer) -> list[tuple[str, str]]:
	"""The records the customer is made from, most specific first; only those the user may read
	(a customer must not tell what an unreadable lead or prospect holds)."""
	found = []
	if customer.get("opportunity_name"):
		found.append(("Opportunity", customer.opportunity_name))
	prospect = customer.get("prospect_name")
	if not prospect and customer.get("lead_name"):
		prospect = frappe.db.get_value("Prospect Lead", {"lead": customer.lead_name}, "parent")
	named = customer.get("customer_name")
	if not prospect and named and frappe.db.exists("Prospect", named):
		if frappe.has_permission("Prospect", "read", named):
			prospect = named
			customer.prospect_name = prospect
	if prospect:
		found.append(("Prospect", prospect))
	if customer.get("lead_name"):
		found.append(("Lead", customer.lead_name))
	return [(doctype, name) for doctype, name in found if frappe.has_permission(doctype, "read", name)]


def carry_over(customer) -> None:
	"""Before a new customer is inserted: fill its empty account data from its sources."""
	empty = [field for field in FIELDS if not customer.get(field)]
	if not empty:
		return
	for doctype, name in sources(customer):
		values = frappe.db.get_value(doctype, name, [FIELDS[field] for field in empty], as_dict=True)
		if not values:
			continue
		for field in list(empty):
			if values.get(FIELDS[field]):
				customer.set(field, values[FIELDS[field]])
				empty.remove(field)
		if not empty:
			return
