"""How each record of a conversion is made from its source: `get_mapped_doc` mappers.

ERPNext's own mappers are reused where they exist (Lead -> Opportunity / Customer, Opportunity ->
Quotation, Quotation -> Sales Order / Sales Invoice); the ones ERPNext lacks are written here in
the same style (Lead -> Contact with its links, Opportunity -> Sales Invoice, Quotation ->
Opportunity). Each maker returns an unsaved document; the service checks and inserts it, so
every record of a conversion goes through the same checks and the same transaction.

`get_mapped_doc` checks read permission on the source and create permission on the target.
"""

from collections.abc import Callable

from frappe.model.document import Document
from frappe.model.mapper import get_mapped_doc
from frappe.utils import flt

from erpnext.controllers.accounts_controller import get_default_taxes_and_charges
from erpnext.crm.doctype.lead import lead as erpnext_lead
from erpnext.crm.doctype.opportunity import opportunity as erpnext_opportunity
from erpnext.selling.doctype.quotation import quotation as erpnext_quotation
from erpnext.stock.get_item_details import get_conversion_factor

from crm_lifecycle.services import links

Made = dict[str, Document]


def contact_from_lead(source_name: str, target_doc=None) -> Document:
	"""The mapping of ERPNext's Lead.create_contact, without its immediate insert and with the link
	to the lead already on it (ERPNext adds the link in a second save)."""

	def set_missing_values(source, target):
		target.first_name = source.first_name or source.lead_name
		if source.email_id:
			target.append("email_ids", {"email_id": source.email_id, "is_primary": 1})
		if source.phone:
			target.append("phone_nos", {"phone": source.phone, "is_primary_phone": 1})
		if source.mobile_no:
			target.append("phone_nos", {"phone": source.mobile_no, "is_primary_mobile_no": 1})
		target.append(
			"links", {"link_doctype": "Lead", "link_name": source.name, "link_title": source.lead_name}
		)

	return get_mapped_doc(
		"Lead",
		source_name,
		{
			"Lead": {
				"doctype": "Contact",
				"field_map": {"job_title": "designation"},
				"field_no_map": ["status", "image", "email_id", "phone", "mobile_no", "title"],
			}
		},
		target_doc,
		set_missing_values,
	)


def sales_invoice_from_opportunity(source_name: str, customer: str, target_doc=None) -> Document:
	"""ERPNext has no Opportunity -> Sales Invoice; this follows its Opportunity -> Quotation."""

	def update_item(source, target, source_parent):
		target.conversion_factor = (
			get_conversion_factor(source.item_code, source.uom).get("conversion_factor") or 1
		)
		target.stock_qty = flt(source.qty) * flt(target.conversion_factor)

	def set_missing_values(source, target):
		target.customer = customer
		_keep_only_parties_of(target, customer)
		taxes = get_default_taxes_and_charges("Sales Taxes and Charges Template", company=target.company)
		if taxes and taxes.get("taxes"):
			target.update(taxes)
		target.run_method("set_missing_values")
		target.run_method("calculate_taxes_and_totals")

	return get_mapped_doc(
		"Opportunity",
		source_name,
		{
			"Opportunity": {
				"doctype": "Sales Invoice",
				"field_no_map": ["customer_name", "transaction_date", "total", "base_total"],
			},
			"Opportunity Item": {"doctype": "Sales Invoice Item", "postprocess": update_item},
		},
		target_doc,
		set_missing_values,
	)


def opportunity_from_quotation(source_name: str, target_doc=None) -> Document:
	"""ERPNext has no Quotation -> Opportunity: a quote that opens a new deal (an upsell, a
	renewal) keeps its party, items, prices and attribution."""

	def set_missing_values(source, target):
		target.opportunity_from = source.quotation_to
		target.party_name = source.party_name
		target.opportunity_amount = source.grand_total
		target.base_opportunity_amount = source.base_grand_total

	return get_mapped_doc(
		"Quotation",
		source_name,
		{
			"Quotation": {
				"doctype": "Opportunity",
				"field_map": {"quotation_to": "opportunity_from"},
				"field_no_map": ["transaction_date", "order_lost_reason", "total", "base_total"],
			},
			"Quotation Item": {
				"doctype": "Opportunity Item",
				"condition": lambda row: not row.is_alternative,
			},
			"Competitor Detail": {"doctype": "Competitor Detail", "ignore": True},
		},
		target_doc,
		set_missing_values,
	)


def _keep_only_parties_of(target: Document, customer: str) -> None:
	"""ERPNext refuses a contact or address that is not the invoice customer's; a lead's may not be."""
	for field, doctype in (("contact_person", "Contact"), ("customer_address", "Address")):
		name = target.get(field)
		if name and not links.is_linked(doctype, name, "Customer", customer):
			target.set(field, None)


# --- makers: (source doctype, target doctype) -> make(source_doc, made so far) -> unsaved doc


def _opportunity_from_lead(lead: Document, made: Made) -> Document:
	opportunity = erpnext_lead.make_opportunity(lead.name)
	if made.get("Customer"):
		# a converted lead's deal belongs to its customer, so quotations and invoices use it
		opportunity.opportunity_from = "Customer"
		opportunity.party_name = made["Customer"].name
		opportunity.customer_name = made["Customer"].customer_name
	if made.get("Contact"):
		opportunity.contact_person = made["Contact"].name
	return opportunity


def _customer_of_party(source: Document, made: Made) -> Document:
	"""The customer an invoice or order of a lead's deal needs, made from that lead."""
	party = source.get("party_name")
	return erpnext_lead.make_customer(party)


def _invoice_from_opportunity(opportunity: Document, made: Made) -> Document:
	customer = made["Customer"].name if made.get("Customer") else opportunity.party_name
	return sales_invoice_from_opportunity(opportunity.name, customer)


MAKERS: dict[tuple[str, str], Callable[[Document, Made], Document]] = {
	("Lead", "Contact"): lambda lead, made: contact_from_lead(lead.name),
	("Lead", "Customer"): lambda lead, made: erpnext_lead.make_customer(lead.name),
	("Lead", "Opportunity"): _opportunity_from_lead,
	("Opportunity", "Customer"): _customer_of_party,
	("Opportunity", "Quotation"): lambda opp, made: erpnext_opportunity.make_quotation(opp.name),
	("Opportunity", "Sales Invoice"): _invoice_from_opportunity,
	("Quotation", "Customer"): _customer_of_party,
	("Quotation", "Opportunity"): lambda quotation, made: opportunity_from_quotation(quotation.name),
	# ERPNext's quotation mappers find the customer made from the lead through Customer.lead_name
	("Quotation", "Sales Order"): lambda quotation, made: erpnext_quotation.make_sales_order(quotation.name),
	("Quotation", "Sales Invoice"): lambda quotation, made: erpnext_quotation.make_sales_invoice(
		quotation.name
	),
}
