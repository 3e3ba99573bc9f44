"""Which field of a document names its party (customer, lead...), in one table.

doctype -> (party field, field holding the party's doctype or None, fixed party doctype or None)
"""

from collections.abc import Mapping

PARTY_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
	"Opportunity": ("party_name", "opportunity_from", None),
	"Quotation": ("party_name", "quotation_to", None),
	"Contract": ("party_name", "party_type", None),
	"Sales Order": ("customer", None, "Customer"),
	"Delivery Note": ("customer", None, "Customer"),
	"Sales Invoice": ("customer", None, "Customer"),
	"Project": ("customer", None, "Customer"),
	"Timesheet": ("customer", None, "Customer"),
	"Issue": ("customer", None, "Customer"),
}


# Documents that name the customer's contact as well, in `contact_person`.
CONTACT_FIELD = "contact_person"
WITH_CONTACT = frozenset({"Opportunity", "Quotation", "Sales Order", "Delivery Note", "Sales Invoice"})


def party_field(doctype: str) -> str:
	"""The field naming the document's party ("customer" unless the table says otherwise)."""
	return PARTY_FIELDS.get(doctype, ("customer", None, "Customer"))[0]


def party_of(doctype: str, values: Mapping) -> tuple[str | None, str | None]:
	"""(party doctype, party name) of a document's values; (None, None) when the table does not
	know the doctype."""
	if doctype not in PARTY_FIELDS:
		return None, None
	field, type_field, fixed = PARTY_FIELDS[doctype]
	return (values.get(type_field) if type_field else fixed), values.get(field)


def parties_of(doctype: str, values: Mapping) -> list[tuple[str, str]]:
	"""Every (doctype, name) a document names as its party or the party's contact."""
	found = [party_of(doctype, values)]
	if doctype in WITH_CONTACT:
		found.append(("Contact", values.get(CONTACT_FIELD)))
	return [(party_doctype, name) for party_doctype, name in found if party_doctype and name]


def customer_of(doctype: str, values: Mapping) -> str | None:
	"""The customer a document belongs to, or None (a lead's quotation, a supplier's contract)."""
	party_type, party = party_of(doctype, values)
	return party if party_type == "Customer" and party else None
