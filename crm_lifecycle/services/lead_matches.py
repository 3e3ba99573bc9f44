"""Repeat business: the existing customers and contacts a lead may belong to, for "Link to Existing".

A lead's company name, e-mail and tax id (or registration number) are looked up among customers
and contacts. Only what the user may read is named (get_list: roles, sharing, User Permissions);
the other matches are counted. Contacts linked to the lead itself (ERPNext makes one with each
new lead) are not suggested.
"""

import frappe
from frappe import _

from crm_lifecycle.services import links

LIMIT = 20
MIN_NAME = 3  # a shorter company name would match half the customers


def reasons() -> dict[str, str]:
	return {
		"name": _("company name"),
		"email": _("e-mail"),
		"tax_id": _("tax id"),
		"registration_no": _("registration no"),
		"customer": _("contact of a matching customer"),
	}


def matches(lead_name: str) -> dict:
	"""{"customers": [{name, title, matched}], "contacts": [...], "hidden": n} for a Lead."""
	lead = frappe.db.get_value(
		"Lead",
		lead_name,
		["company_name", "email_id", "crm_tax_id", "crm_registration_no"],
		as_dict=True,
	)
	found_customers: dict[str, set[str]] = {}
	found_contacts: dict[str, set[str]] = {}

	def add(found, names, reason):
		for name in names:
			found.setdefault(name, set()).add(reason)

	company = (lead.company_name or "").strip()
	email = (lead.email_id or "").strip()
	if len(company) >= MIN_NAME:
		like = "%{}%".format(company.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
		add(found_customers, _names("Customer", [["customer_name", "like", like]]), "name")
		add(found_contacts, _names("Contact", [["company_name", "like", like]]), "name")
	for field, value in (("tax_id", lead.crm_tax_id), ("registration_no", lead.crm_registration_no)):
		if value and value.strip():
			customer_field = "tax_id" if field == "tax_id" else "crm_registration_no"
			add(found_customers, _names("Customer", {customer_field: value.strip()}), field)
	if email:
		add(found_customers, _names("Customer", {"email_id": email}), "email")
		contacts = frappe.get_all("Contact Email", filters={"email_id": email}, pluck="parent")
		add(found_contacts, contacts, "email")
		add(found_customers, [customer for _contact, customer in links.contact_links(contacts)], "email")
	add(
		found_contacts,
		[contact for contact, _customer in links.contact_links(linked=list(found_customers))],
		"customer",
	)

	own = set(links.contacts_of("Lead", lead_name))
	for contact in own:
		found_contacts.pop(contact, None)

	customers, hidden_customers = _readable("Customer", found_customers, "customer_name")
	contacts, hidden_contacts = _readable("Contact", found_contacts, "full_name")
	return {"customers": customers, "contacts": contacts, "hidden": hidden_customers + hidden_contacts}


def _names(doctype: str, filters) -> list[str]:
	return frappe.get_all(doctype, filters=filters, pluck="name", limit=LIMIT * 5, order_by="name")


def _readable(doctype: str, found: dict[str, set[str]], title_field: str) -> tuple[list[dict], int]:
	"""The matches the user may read, best first (most reasons); the others only counted."""
	if not found:
		return [], 0
	if not frappe.has_permission(doctype, "read"):
		return [], len(found)
	rows = frappe.get_list(
		doctype,
		filters={"name": ("in", list(found))},
		fields=["name", f"{title_field} as title"],
		limit_page_length=0,
		order_by="name",
	)
	words = reasons()
	result = [
		{
			"name": row.name,
			"title": row.title or row.name,
			"matched": sorted(found[row.name]),
			"matched_label": ", ".join(words[reason] for reason in sorted(found[row.name])),
		}
		for row in rows
	]
	result.sort(key=lambda row: (-len(row["matched"]), row["title"]))
	return result[:LIMIT], len(found) - len(rows)
