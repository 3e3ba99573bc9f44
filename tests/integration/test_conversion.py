"""Creating one record from another on the real site: every combination, the data carried over,
one transaction, duplicate protection, missing-data messages and permissions."""

import re

import pytest

import frappe

from crm_lifecycle.services import conversion
from tests import factories as f

LINKS = "Lifecycle Document Link"
LEAD_COMBINATIONS = [
	["Opportunity"],
	["Opportunity", "Contact"],
	["Opportunity", "Customer"],
	["Opportunity", "Contact", "Customer"],
	["Contact"],
	["Customer"],
	["Contact", "Customer"],
]


def edge_kind(source, target) -> str | None:
	return frappe.db.get_value(
		LINKS,
		{
			"source_doctype": source.doctype,
			"source_name": source.name,
			"target_doctype": target.doctype,
			"target_name": target.name,
		},
		"kind",
	)


def timeline(doctype: str, name: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": name, "comment_type": "Info"},
		pluck="content",
	)


def records(result: dict) -> dict[str, dict]:
	return {record["doctype"]: record for record in result["records"]}


def made_doc(result: dict, doctype: str):
	return frappe.get_doc(doctype, records(result)[doctype]["name"])


def with_phone(lead):
	"""Set without hooks: a lead's own auto-created contact would get the number and ERPNext's
	Contact.after_insert commits when a contact has one (see factories.make_lead)."""
	frappe.db.set_value("Lead", lead.name, "mobile_no", "+1 555 0100")
	lead.reload()
	return lead


def contacts_of(lead: str) -> list[str]:
	return frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Lead", "link_name": lead},
		pluck="parent",
	)


@pytest.mark.parametrize("targets", LEAD_COMBINATIONS, ids=" + ".join)
def test_every_lead_combination_creates_links_and_carries_the_leads_data(targets):
	campaign = f.make_campaign()
	lead = with_phone(f.make_lead(with_contact=False, campaign_name=campaign.name))

	result = conversion.convert("Lead", lead.name, targets)

	made = records(result)
	assert sorted(made) == sorted(targets)
	assert {record["action"] for record in made.values()} == {"created"}
	docs = {doctype: frappe.get_doc(doctype, record["name"]) for doctype, record in made.items()}
	for doc in docs.values():
		assert edge_kind(lead, doc) == "Conversion"
		assert any(
			doc.name in entry and "created from this Lead" in entry for entry in timeline("Lead", lead.name)
		)
		assert any(lead.name in entry for entry in timeline(doc.doctype, doc.name))
	if "Contact" in docs:
		contact = docs["Contact"]
		assert contact.has_link("Lead", lead.name)
		assert (contact.first_name, contact.email_id, contact.mobile_no) == (
			lead.first_name,
			lead.email_id,
			lead.mobile_no,
		)
		if "Customer" in docs:  # ERPNext links the lead's contacts to the customer made from it
			assert contact.has_link("Customer", docs["Customer"].name)
	if "Customer" in docs:
		assert (docs["Customer"].lead_name, docs["Customer"].customer_name) == (lead.name, lead.company_name)
		assert frappe.db.get_value("Lead", lead.name, "status") == "Converted"
	if "Opportunity" in docs:
		opportunity = docs["Opportunity"]
		party = ("Customer", docs["Customer"].name) if "Customer" in docs else ("Lead", lead.name)
		assert (opportunity.opportunity_from, opportunity.party_name) == party
		assert (opportunity.source, opportunity.campaign, opportunity.company) == (
			lead.source,
			campaign.name,
			lead.company,
		)
		assert opportunity.contact_email == lead.email_id
		if "Contact" in docs:
			assert opportunity.contact_person == docs["Contact"].name
	assert len(contacts_of(lead.name)) == (1 if "Contact" in docs else 0)


def test_the_contact_erpnext_made_with_the_lead_is_reused_not_duplicated():
	lead = f.make_lead()  # CRM Settings "Auto Creation of Contact" made one
	[contact] = contacts_of(lead.name)

	made = records(conversion.convert("Lead", lead.name, ["Opportunity", "Contact", "Customer"]))

	assert (made["Contact"]["name"], made["Contact"]["action"]) == (contact, "reused")
	assert contacts_of(lead.name) == [contact]
	assert frappe.get_doc("Contact", contact).has_link("Customer", made["Customer"]["name"])
	assert frappe.db.get_value("Opportunity", made["Opportunity"]["name"], "contact_person") == contact
	with pytest.raises(frappe.DuplicateEntryError, match=re.escape(contact)):
		conversion.convert("Lead", lead.name, ["Contact"])


def test_link_to_existing_contact_and_customer_then_new_records_use_them():
	lead = f.make_lead(with_contact=False)
	customer = f.make_customer()
	contact = f.make_contact(customer=customer.name)

	result = conversion.convert(
		"Lead", lead.name, ["Opportunity"], {"Contact": contact.name, "Customer": customer.name}
	)

	made = records(result)
	assert [(r["doctype"], r["action"]) for r in result["records"]] == [
		("Contact", "linked"),
		("Customer", "linked"),
		("Opportunity", "created"),
	]
	assert frappe.get_doc("Contact", contact.name).has_link("Lead", lead.name)
	assert frappe.db.get_value("Customer", customer.name, "lead_name") == lead.name
	assert frappe.db.get_value("Lead", lead.name, "status") == "Converted"
	opportunity = frappe.get_doc("Opportunity", made["Opportunity"]["name"])
	assert (opportunity.opportunity_from, opportunity.party_name) == ("Customer", customer.name)
	assert opportunity.contact_person == contact.name
	assert (edge_kind(lead, customer), edge_kind(lead, contact), edge_kind(lead, opportunity)) == (
		"Link",
		"Link",
		"Conversion",
	)
	assert any("Linked to Lead" in entry for entry in timeline("Customer", customer.name))

	# later, the invoice of the lead's quotation is for the linked customer: no second customer
	quotation = f.make_quotation(lead=lead.name)
	invoice = records(conversion.convert("Quotation", quotation.name, ["Sales Invoice"]))
	assert (invoice["Customer"]["name"], invoice["Customer"]["action"]) == (customer.name, "reused")
	assert frappe.db.get_value("Sales Invoice", invoice["Sales Invoice"]["name"], "customer") == customer.name
	assert frappe.db.count("Customer", {"lead_name": lead.name}) == 1


def test_a_repeat_lead_links_to_the_customer_made_from_an_earlier_lead():
	first = f.make_lead()
	customer = records(conversion.convert("Lead", first.name, ["Customer"]))["Customer"]["name"]
	repeat = f.make_lead(company_name=first.company_name)
	repeat_contact = contacts_of(repeat.name)[0]  # ERPNext made one with the lead

	result = conversion.convert("Lead", repeat.name, ["Opportunity"], {"Customer": customer})

	made = records(result)
	assert (made["Customer"]["name"], made["Customer"]["action"]) == (customer, "linked")
	# the customer keeps its first lead; the repeat lead is converted, its contact now the customer's
	assert frappe.db.get_value("Customer", customer, "lead_name") == first.name
	assert frappe.db.get_value("Lead", repeat.name, "status") == "Converted"
	assert frappe.get_doc("Contact", repeat_contact).has_link("Customer", customer)
	opportunity = frappe.get_doc("Opportunity", made["Opportunity"]["name"])
	assert (opportunity.opportunity_from, opportunity.party_name) == ("Customer", customer)
	assert frappe.db.count("Customer", {"lead_name": ("in", [first.name, repeat.name])}) == 1

	# the repeat lead now has this customer: a second customer from it is refused, naming it ...
	with pytest.raises(frappe.DuplicateEntryError, match=re.escape(customer)):
		conversion.convert("Lead", repeat.name, ["Customer"])
	# ... and its next deal is the customer's, reused
	again = records(conversion.convert("Lead", repeat.name, ["Opportunity"]))
	assert (again["Customer"]["name"], again["Customer"]["action"]) == (customer, "reused")

	# the graph of the customer shows every lead that led to it
	from crm_lifecycle.services import dependencies

	leads = {
		node["name"]
		for node in dependencies.graph("Customer", customer)["nodes"]
		if node["doctype"] == "Lead"
	}
	assert {first.name, repeat.name} <= leads
	edge = frappe.get_doc("Customer", customer)
	assert (edge_kind(first, edge), edge_kind(repeat, edge)) == ("Conversion", "Link")


def test_the_lead_of_a_repeat_link_gets_a_version_and_its_status_event():
	first = f.make_lead()
	customer = f.make_customer(lead_name=first.name)
	repeat = f.make_lead()
	before = frappe.db.count("Version", {"ref_doctype": "Lead", "docname": repeat.name})

	conversion.convert("Lead", repeat.name, [], {"Customer": customer.name})

	versions = frappe.get_all(
		"Version", filters={"ref_doctype": "Lead", "docname": repeat.name}, pluck="data", order_by="creation"
	)
	assert len(versions) == before + 1
	assert '"Converted"' in versions[-1]
	# control: the customer's first lead was not touched
	assert frappe.db.get_value("Customer", customer.name, "lead_name") == first.name


def test_converting_a_lead_to_a_customer_twice_refuses_and_names_the_customer():
	lead = f.make_lead()
	customer = records(conversion.convert("Lead", lead.name, ["Customer"]))["Customer"]["name"]

	for targets in (["Customer"], ["Opportunity", "Customer"], ["Contact", "Customer"]):
		with pytest.raises(frappe.DuplicateEntryError, match=re.escape(customer)):
			conversion.convert("Lead", lead.name, targets)
	assert frappe.db.count("Customer", {"lead_name": lead.name}) == 1
	assert not frappe.db.exists("Opportunity", {"party_name": ("in", [lead.name, customer])})
	options = {tuple(option["targets"]): option for option in conversion.options("Lead", lead.name)}
	assert not options[("Customer",)]["available"]
	assert customer in options[("Customer",)]["reason"]

	# control: a new deal of the converted lead is made, for its customer
	assert options[("Opportunity",)]["available"]
	made = records(conversion.convert("Lead", lead.name, ["Opportunity"]))
	assert (made["Customer"]["name"], made["Customer"]["action"]) == (customer, "reused")
	opportunity = frappe.db.get_value(
		"Opportunity", made["Opportunity"]["name"], ["opportunity_from", "party_name"]
	)
	assert opportunity == ("Customer", customer)


def test_when_the_third_record_fails_none_of_the_conversion_exists():
	campaign = f.make_campaign()
	# with a phone number: ERPNext's Contact.after_insert would commit the contact made first
	lead = with_phone(f.make_lead(with_contact=False, campaign_name=campaign.name))
	status = frappe.db.get_value("Lead", lead.name, "status")
	history = timeline("Lead", lead.name)  # ERPNext's auto-made contact, removed by the factory
	# The campaign vanishes behind the lead's back (deleted without Frappe's link check), so the
	# Opportunity, made third after the Contact and the Customer, fails its link validation.
	frappe.db.delete("Campaign", {"name": campaign.name})
	frappe.db.value_cache.clear()  # this process validated the lead's campaign a moment ago

	with pytest.raises(frappe.LinkValidationError, match=re.escape(campaign.name)):
		conversion.convert("Lead", lead.name, ["Opportunity", "Contact", "Customer"])

	assert frappe.db.exists("Lead", lead.name)  # back to the savepoint, not the whole transaction
	assert contacts_of(lead.name) == []
	assert not frappe.db.exists("Customer", {"lead_name": lead.name})
	assert not frappe.db.exists("Opportunity", {"party_name": lead.name})
	assert not frappe.db.exists(LINKS, {"source_name": lead.name})
	assert timeline("Lead", lead.name) == history
	assert frappe.db.get_value("Lead", lead.name, "status") == status  # ERPNext's "Converted" undone

	# control: the same conversion with a campaign that exists makes all three
	lead = f.make_lead(with_contact=False, campaign_name=f.make_campaign().name)
	made = records(conversion.convert("Lead", lead.name, ["Opportunity", "Contact", "Customer"]))
	assert [made[dt]["action"] for dt in ("Contact", "Customer", "Opportunity")] == ["created"] * 3


def test_opportunity_to_quotation_and_to_invoice_carry_the_deal():
	campaign = f.make_campaign()
	customer = f.make_customer()
	opportunity = f.make_opportunity(
		customer=customer.name, qty=4, rate=125, source="Exhibition", campaign=campaign.name, currency="USD"
	)
	default_taxes = frappe.db.get_value(
		"Sales Taxes and Charges Template", {"company": opportunity.company, "is_default": 1}
	)

	quotation = made_doc(conversion.convert("Opportunity", opportunity.name, ["Quotation"]), "Quotation")
	invoice = made_doc(
		conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"]), "Sales Invoice"
	)

	for doc in (quotation, invoice):
		assert [(row.item_code, row.qty, row.rate, row.uom) for row in doc.items] == [
			(f.TEST_ITEM, 4, 125, "Nos")
		]
		assert (doc.company, doc.currency, doc.source, doc.campaign) == (
			opportunity.company,
			"USD",
			"Exhibition",
			campaign.name,
		)
		assert doc.selling_price_list
		assert doc.taxes_and_charges == default_taxes and doc.taxes
		assert doc.net_total == 500
		assert doc.docstatus == 0
		assert edge_kind(opportunity, doc) == "Conversion"
	assert (quotation.quotation_to, quotation.party_name) == ("Customer", customer.name)
	assert invoice.customer == customer.name
	assert invoice.debit_to and invoice.items[0].income_account
	assert any(invoice.name in entry for entry in timeline("Opportunity", opportunity.name))


def test_an_invoice_for_a_leads_deal_makes_the_leads_customer_once():
	lead = f.make_lead()
	opportunity = f.make_opportunity(lead=lead.name)

	made = records(conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"]))

	customer = made["Customer"]["name"]
	assert (made["Customer"]["action"], made["Customer"]["implicit"]) == ("created", True)
	assert frappe.db.get_value("Customer", customer, "lead_name") == lead.name
	invoice = frappe.get_doc("Sales Invoice", made["Sales Invoice"]["name"])
	assert invoice.customer == customer
	assert edge_kind(lead, frappe.get_doc("Customer", customer)) == "Conversion"
	assert edge_kind(opportunity, invoice) == "Conversion"

	again = records(conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"]))
	assert (again["Customer"]["name"], again["Customer"]["action"]) == (customer, "reused")
	assert frappe.db.count("Customer", {"lead_name": lead.name}) == 1


def test_quotation_to_invoice_order_and_opportunity_carry_prices_discounts_and_taxes():
	campaign = f.make_campaign()
	customer = f.make_customer()
	template = frappe.db.get_value(
		"Sales Taxes and Charges Template", {"company": f.company(), "is_default": 0}
	)  # not the default, so carrying it over is visible
	quotation = f.make_quotation(
		customer=customer.name,
		items=[
			{
				"item_code": f.TEST_ITEM,
				"qty": 3,
				"uom": "Nos",
				"price_list_rate": 200,
				"discount_percentage": 10,
			}
		],
		selling_price_list="Standard Selling",
		taxes_and_charges=template,
		additional_discount_percentage=5,
		source="Advertisement",
		campaign=campaign.name,
	)
	assert quotation.items[0].rate == 180

	for doctype in ("Sales Invoice", "Sales Order"):
		doc = made_doc(conversion.convert("Quotation", quotation.name, [doctype]), doctype)
		rows = [
			(r.item_code, r.qty, r.uom, r.price_list_rate, r.discount_percentage, r.rate) for r in doc.items
		]
		assert rows == [(f.TEST_ITEM, 3, "Nos", 200, 10, 180)]
		assert (doc.customer, doc.currency, doc.selling_price_list, doc.company) == (
			customer.name,
			quotation.currency,
			"Standard Selling",
			quotation.company,
		)
		assert (doc.taxes_and_charges, doc.additional_discount_percentage) == (template, 5)
		assert [t.account_head for t in doc.taxes] == [t.account_head for t in quotation.taxes]
		assert (doc.source, doc.campaign) == ("Advertisement", campaign.name)
		assert doc.grand_total == quotation.grand_total
		assert edge_kind(quotation, doc) == "Conversion"

	opportunity = made_doc(conversion.convert("Quotation", quotation.name, ["Opportunity"]), "Opportunity")
	assert (opportunity.opportunity_from, opportunity.party_name) == ("Customer", customer.name)
	assert [(r.item_code, r.qty, r.rate, r.uom) for r in opportunity.items] == [(f.TEST_ITEM, 3, 180, "Nos")]
	assert (opportunity.currency, opportunity.company, opportunity.source, opportunity.campaign) == (
		quotation.currency,
		quotation.company,
		"Advertisement",
		campaign.name,
	)
	assert opportunity.opportunity_amount == quotation.grand_total
	assert edge_kind(quotation, opportunity) == "Conversion"


def test_quotation_to_sales_order_takes_a_delivery_date_or_a_valid_default():
	"""Newer v15 mappers leave the delivery date empty (the order would refuse to save): the
	caller's date, else the quotation's "valid till" when ahead, else today; never before the order."""
	from frappe.utils import add_days, getdate, nowdate

	from crm_lifecycle.api import conversion as conversion_api

	customer = f.make_customer()
	quotation = f.make_quotation(customer=customer.name, valid_till=add_days(nowdate(), 20))
	later = add_days(nowdate(), 10)
	order = made_doc(
		conversion_api.convert("Quotation", quotation.name, '["Sales Order"]', delivery_date=later),
		"Sales Order",
	)
	assert getdate(order.delivery_date) == getdate(later)
	assert {getdate(item.delivery_date) for item in order.items} == {getdate(later)}

	order = made_doc(conversion.convert("Quotation", quotation.name, ["Sales Order"]), "Sales Order")
	assert getdate(order.delivery_date) == getdate(quotation.valid_till)  # the default

	with pytest.raises(frappe.ValidationError, match="before the order date"):
		conversion_api.convert(
			"Quotation", quotation.name, '["Sales Order"]', delivery_date=add_days(nowdate(), -3)
		)
	frappe.clear_last_message()
	with pytest.raises(frappe.ValidationError):  # not a date: a 417, not a 500
		conversion_api.convert("Quotation", quotation.name, '["Sales Order"]', delivery_date="soon")
	frappe.clear_last_message()
