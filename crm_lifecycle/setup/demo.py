"""`bench --site SITE crm-lifecycle demo [--remove]`: data to see each capability within a minute.

Everything is made through the app's own services (conversions, holds, locks, invalidation,
portal rights, deactivation), as Administrator, in one transaction. What it made is remembered
(doctype, name, in making order) in the site's defaults, so that `--remove` deletes exactly that,
newest first (submitted invoices cancelled first), and nothing else.
"""

import json

import frappe
from frappe import _
from frappe.utils import add_days, nowdate

from crm_lifecycle.services import conversion, deactivation, governance, invoice_hold, locking, portal
from crm_lifecycle.services.transaction import atomic

KEY = "crm_lifecycle_demo"
PREFIX = "Demo"
PASSWORD = "Demo-Portal-2026!"
ITEM = "CRM-LC-DEMO-SERVICE"


class Demo:
	def __init__(self):
		self.made: list[tuple[str, str]] = []

	def keep(self, doc):
		self.made.append((doc.doctype, doc.name))
		return doc

	def insert(self, values: dict):
		return self.keep(frappe.get_doc(values).insert(ignore_permissions=True))


def made() -> list[tuple[str, str]]:
	# read from the table, not through the defaults' cache: another process may have just changed it
	stored = frappe.db.get_value("DefaultValue", {"parent": "__global", "defkey": KEY}, "defvalue")
	return [tuple(row) for row in json.loads(stored or "[]")]


def create() -> dict:
	"""Make the demo data; refused while a demo is on the site."""
	if made():
		frappe.throw(
			_("The demo data is already on this site; remove it first (crm-lifecycle demo --remove)."),
			frappe.DuplicateEntryError,
		)
	demo = Demo()
	company = (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name", limit=1)[0]
	)
	group = _leaf("Customer Group")
	territory = _leaf("Territory")
	if not frappe.db.exists("Item", ITEM):
		demo.insert(
			{
				"doctype": "Item",
				"item_code": ITEM,
				"item_name": "Demo Consulting Hour",
				"item_group": _leaf("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
				"include_item_in_manufacturing": 0,
			}
		)

	customers = {}
	for key, name in (
		("alpine", "Alpine Tools GmbH"),
		("brno", "Brno Stavby s.r.o."),
		("coastal", "Coastal Retail Ltd"),
	):
		customers[key] = demo.insert(
			{
				"doctype": "Customer",
				"customer_name": f"{PREFIX} {name}",
				"customer_type": "Company",
				"customer_group": group,
				"territory": territory,
			}
		).name

	# contacts with portal users: one sees everything, one no invoices and no invoice mail
	contacts = {}
	for key, first_name, last_name in (
		("alpine", "Anna", "Alpine"),
		("brno", "Bohdan", "Brno"),
		("coastal", "Carla", "Coastal"),
	):
		email = f"demo-{key}@crm-lifecycle.example"
		user = demo.insert(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"user_type": "Website User",
				"send_welcome_email": 0,
				"new_password": PASSWORD,
				"roles": [{"role": "Customer"}],
			}
		)
		contact = demo.insert(
			{
				"doctype": "Contact",
				"first_name": first_name,
				"last_name": f"{last_name} ({PREFIX})",
				"email_ids": [{"email_id": email, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customers[key]}],
				"user": user.name,
			}
		)
		contacts[key] = contact.name
		customer = frappe.get_doc("Customer", customers[key])
		customer.append("portal_users", {"user": user.name})
		customer.save(ignore_permissions=True)
	portal.set_access(contacts["brno"], {"Invoices": {"view": 0, "email": 0}, "Orders": {"view": 0}})

	# invoices: two overdue, one of them held, one not yet due
	invoices = [
		_invoice(demo, customers["alpine"], company, days_overdue=40, rate=1200),
		_invoice(demo, customers["alpine"], company, days_overdue=10, rate=350),
		_invoice(demo, customers["brno"], company, days_overdue=-20, rate=800),
		_invoice(demo, customers["coastal"], company, days_overdue=25, rate=90),
	]
	invoice_hold.hold([invoices[1]], _("Demo: the customer disputes this invoice"))

	# leads in several stages, converted through the app
	leads = {}
	for key, first_name, company_name in (
		("open", "Olga", "Open Lead Bakery"),
		("opportunity", "Oskar", "Opportunity Optics"),
		("customer", "Cyril", "Converted Cargo a.s."),
	):
		lead = demo.insert(
			{
				"doctype": "Lead",
				"first_name": first_name,
				"last_name": PREFIX,
				"company_name": f"{PREFIX} {company_name}",
				"email_id": f"demo-lead-{key}@crm-lifecycle.example",
				"company": company,
			}
		)
		leads[key] = lead.name
		for contact in frappe.get_all(  # ERPNext makes a contact for each new lead
			"Dynamic Link",
			filters={"parenttype": "Contact", "link_doctype": "Lead", "link_name": lead.name},
			pluck="parent",
		):
			demo.made.append(("Contact", contact))
	for key, targets in (
		("opportunity", ["Opportunity"]),
		("customer", ["Opportunity", "Contact", "Customer"]),
	):
		result = conversion.convert("Lead", leads[key], targets)
		demo.made += [
			(row["doctype"], row["name"])
			for row in result["records"]
			if (row["doctype"], row["name"]) not in demo.made
		]

	# governance: a lock, an invalid record, a deactivated customer
	locking.lock("Customer", customers["alpine"], reason=_("Demo: contract renegotiation in progress"))
	governance.invalidate("Lead", leads["open"], _("Demo: duplicate of an existing lead"))
	deactivation.deactivate("Customer", customers["coastal"], reason=_("Demo: closed its shop"))

	frappe.db.set_global(KEY, json.dumps(demo.made))
	return {
		"customers": list(customers.values()),
		"contacts": list(contacts.values()),
		"portal_users": {contacts[key]: f"demo-{key}@crm-lifecycle.example" for key in contacts},
		"portal_password": PASSWORD,
		"leads": list(leads.values()),
		"invoices": invoices,
		"held": [invoices[1]],
		"locked": [customers["alpine"]],
		"invalid": [leads["open"]],
		"deactivated": [customers["coastal"]],
		"records": len(demo.made),
	}


def remove() -> dict:
	"""Delete exactly what `create` made, newest first; records deleted meanwhile are skipped, and
	those that records made by somebody else link to are kept (listed in the answer)."""
	rows = made()
	if not rows:
		frappe.throw(_("There is no demo data on this site."), frappe.DoesNotExistError)
	for doctype, name in rows:  # a lock would refuse the deletion of its record
		if frappe.db.exists("Lifecycle Lock", {"reference_doctype": doctype, "reference_name": name}):
			locking.unlock(doctype, name)
	ordered = [row for row in reversed(rows) if row[0] != "User"] + [
		row for row in reversed(rows) if row[0] == "User"
	]
	own = set(rows)
	deleted, kept = 0, []
	for doctype, name in ordered:
		if not frappe.db.exists(doctype, name):
			continue
		# ERPNext deletes a party's contacts and addresses with it: somebody else's stay, and so
		# does the demo record they link to
		if _foreign_contacts_or_addresses(doctype, name, own) or _user_still_linked(doctype, name):
			kept.append([doctype, name])
			continue
		doc = frappe.get_doc(doctype, name)
		try:
			with atomic():
				if doc.meta.is_submittable and doc.docstatus == 1:
					doc.flags.ignore_permissions = True
					doc.cancel()
				# force: the ledger entries of the demo's own cancelled invoices still name its
				# customers and items (ERPNext keeps them unless "delete linked ledger entries" is on)
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True, delete_permanently=True)
		except frappe.LinkExistsError:  # e.g. the portal user of a customer kept above
			frappe.clear_last_message()
			kept.append([doctype, name])
			continue
		deleted += 1
	frappe.db.set_global(KEY, "[]")
	return {"deleted": deleted, "kept": kept}


def _user_still_linked(doctype: str, name: str) -> bool:
	"""A demo portal user whose customer or contact was kept stays with them (deleting it with
	`force`, as every minor does not refuse, would leave them naming a user that is gone)."""
	if doctype != "User":
		return False
	return bool(
		frappe.db.exists("Portal User", {"user": name}) or frappe.db.exists("Contact", {"user": name})
	)


def _foreign_contacts_or_addresses(doctype: str, name: str, own: set) -> bool:
	links = frappe.get_all(
		"Dynamic Link",
		filters={"link_doctype": doctype, "link_name": name, "parenttype": ("in", ["Contact", "Address"])},
		fields=["parenttype", "parent"],
	)
	return any((link.parenttype, link.parent) not in own for link in links)


def _leaf(doctype: str) -> str:
	return frappe.get_all(doctype, filters={"is_group": 0}, pluck="name", order_by="lft", limit=1)[0]


def _invoice(demo: Demo, customer: str, company: str, days_overdue: int, rate: float) -> str:
	due_date = add_days(nowdate(), -days_overdue)
	posting_date = min(nowdate(), add_days(due_date, -30))
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company,
			"posting_date": posting_date,
			"set_posting_time": 1,
			"due_date": due_date,
			"items": [{"item_code": ITEM, "qty": 1, "rate": rate}],
		}
	)
	doc.set_missing_values()
	doc.insert(ignore_permissions=True)
	doc.submit()
	return demo.keep(doc).name
