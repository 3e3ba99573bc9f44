"""Exports of customers and contacts as vCards (vobject); the PDF is services/customer_sheet.py.

Data is loaded set-based (one query per kind of row for all selected records); the caller has
checked read permission on every selected record; linked contacts, addresses and organisations
the user may not read are left out.
"""

from collections import defaultdict

import vobject

import frappe
from frappe import _

from crm_lifecycle.services import visibility
from crm_lifecycle.services.links import contact_links, linked_addresses, linked_contacts

VCARD_DOCTYPES = ("Customer", "Contact")
MAX_CARDS = 1000


def check_names(doctype: str, names: list[str]) -> None:
	if doctype not in VCARD_DOCTYPES:
		frappe.throw(_("vCards can be made of Customers and Contacts only."), frappe.ValidationError)
	if len(names) > MAX_CARDS:
		frappe.throw(
			_("Select at most {0} records for one vCard file.").format(MAX_CARDS), frappe.ValidationError
		)


def _add(card, prop: str, value, types: list[str] | None = None) -> None:
	if not value:
		return
	line = card.add(prop)
	line.value = value
	if types:
		line.type_paramlist = types


def _add_address(card, address: dict) -> None:
	_add(
		card,
		"adr",
		vobject.vcard.Address(
			street="\n".join(filter(None, (address.address_line1, address.address_line2))),
			city=address.city or "",
			region=address.state or "",
			code=address.pincode or "",
			country=address.country or "",
		),
		["WORK", "PREF"] if address.is_primary_address else ["WORK"],
	)


def _organisation_card(customer: dict, addresses: list[dict]):
	card = vobject.vCard()
	_add(card, "uid", f"urn:crm-lifecycle:{frappe.local.site}:Customer:{customer.name}")
	_add(card, "fn", customer.customer_name)
	_add(card, "n", vobject.vcard.Name())
	_add(card, "org", [customer.customer_name])
	_add(card, "kind", "org")
	_add(card, "x-abshowas", "COMPANY")  # Apple Contacts: show as a company
	for address in addresses:
		_add_address(card, address)
	phones = [(customer.mobile_no, ["CELL"])] + [(a.phone, ["WORK"]) for a in addresses]
	for phone, types in _unique(phones):
		_add(card, "tel", phone, types)
	for email, _types in _unique([(customer.email_id, None)] + [(a.email_id, None) for a in addresses]):
		_add(card, "email", email, ["INTERNET"])
	_add(card, "url", customer.website)
	_add(card, "x-crm-tax-id", customer.tax_id)
	_add(card, "x-crm-registration-no", customer.crm_registration_no)
	facts = [
		(_("Tax ID"), customer.tax_id),
		(_("Registration No"), customer.crm_registration_no),
		(_("Legal Form"), customer.crm_legal_form),
	]
	_add(card, "note", "\n".join(f"{label}: {value}" for label, value in facts if value))
	return card


def _unique(pairs: list[tuple]) -> list[tuple]:
	seen, out = set(), []
	for value, types in pairs:
		if value and value not in seen:
			seen.add(value)
			out.append((value, types))
	return out


def _person_cards(contact_names: list[str], org_of: dict[str, str]) -> list:
	if not contact_names:
		return []
	contacts = frappe.get_all(
		"Contact",
		filters={"name": ("in", contact_names)},
		fields=[
			"name",
			"salutation",
			"first_name",
			"middle_name",
			"last_name",
			"designation",
			"company_name",
		],
	)
	order = {name: position for position, name in enumerate(contact_names)}
	contacts.sort(key=lambda contact: order[contact.name])
	emails, phones = defaultdict(list), defaultdict(list)
	for row in frappe.get_all(
		"Contact Email",
		filters={"parenttype": "Contact", "parent": ("in", contact_names)},
		fields=["parent", "email_id", "is_primary"],
		order_by="is_primary desc, idx",
	):
		emails[row.parent].append(row)
	for row in frappe.get_all(
		"Contact Phone",
		filters={"parenttype": "Contact", "parent": ("in", contact_names)},
		fields=["parent", "phone", "is_primary_phone", "is_primary_mobile_no"],
		order_by="idx",
	):
		phones[row.parent].append(row)
	addresses = linked_addresses("Contact", contact_names)
	cards = []
	for contact in contacts:
		card = vobject.vCard()
		full_name = " ".join(filter(None, (contact.first_name, contact.middle_name, contact.last_name)))
		_add(card, "uid", f"urn:crm-lifecycle:{frappe.local.site}:Contact:{contact.name}")
		_add(card, "fn", full_name or contact.name)
		_add(
			card,
			"n",
			vobject.vcard.Name(
				family=contact.last_name or "",
				given=contact.first_name or "",
				additional=contact.middle_name or "",
				prefix=contact.salutation or "",
			),
		)
		org = contact.company_name or org_of.get(contact.name)
		_add(card, "org", [org] if org else None)
		_add(card, "title", contact.designation)
		for row in emails[contact.name]:
			_add(card, "email", row.email_id, ["INTERNET", "PREF"] if row.is_primary else ["INTERNET"])
		for row in phones[contact.name]:
			types = ["CELL"] if row.is_primary_mobile_no else ["WORK", "VOICE"]
			_add(card, "tel", row.phone, [*types, "PREF"] if row.is_primary_phone else types)
		for address in addresses[contact.name]:
			_add_address(card, address)
		cards.append(card)
	return cards


def vcard(doctype: str, names: list[str], with_contacts: bool = False) -> str:
	"""One .vcf text: a Customer as an organisation card (and, if asked, its contacts as person
	cards after it), or Contacts as person cards."""
	check_names(doctype, names)
	if doctype == "Contact":
		pairs = contact_links(names, "Customer")
		customer_names = dict(
			frappe.get_all(
				"Customer",
				# an organisation the user may not read is not named on the card
				filters={
					"name": (
						"in",
						list(visibility.readable("Customer", [customer for _c, customer in pairs])),
					)
				},
				fields=["name", "customer_name"],
				as_list=True,
			)
		)
		org_of = {contact: customer_names.get(customer) for contact, customer in pairs}
		return "".join(card.serialize() for card in _person_cards(names, org_of))

	customers = frappe.get_all(
		"Customer",
		filters={"name": ("in", names)},
		fields=[
			"name",
			"customer_name",
			"tax_id",
			"crm_registration_no",
			"crm_legal_form",
			"website",
			"mobile_no",
			"email_id",
		],
	)
	order = {name: position for position, name in enumerate(names)}
	customers.sort(key=lambda customer: order[customer.name])
	addresses = linked_addresses("Customer", names)
	contacts = linked_contacts("Customer", names) if with_contacts else {}
	out = []
	for customer in customers:
		out.append(_organisation_card(customer, addresses[customer.name]).serialize())
		org_of = {contact: customer.customer_name for contact in contacts.get(customer.name, [])}
		out.extend(card.serialize() for card in _person_cards(contacts.get(customer.name, []), org_of))
	return "".join(out)
