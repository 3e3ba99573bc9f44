"""Exports (issue 5): vCards parsed back with vobject, and the "Customer Sheet" print format as PDF."""

import json

import pytest
import vobject

import frappe

from crm_lifecycle.api import export as api
from tests import factories


def add_phone(contact: str, phone: str, mobile: bool = False) -> None:
	"""Straight into the child table: ERPNext's Contact hooks commit when a phone number is saved."""
	frappe.get_doc(
		{
			"doctype": "Contact Phone",
			"parent": contact,
			"parenttype": "Contact",
			"parentfield": "phone_nos",
			"idx": 1,
			"phone": phone,
			"is_primary_mobile_no": int(mobile),
			"is_primary_phone": int(not mobile),
		}
	).db_insert()


def make_address(doctype: str, name: str, **kwargs):
	return frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": name,
			"address_type": "Billing",
			"address_line1": "tř. Václava Klementa 869",
			"city": "Mladá Boleslav",
			"pincode": "293 01",
			"country": "Czech Republic",
			"is_primary_address": 1,
			"phone": "+420 326 811 111",
			"email_id": "office@skoda.example",
			"links": [{"link_doctype": doctype, "link_name": name}],
			**kwargs,
		}
	).insert()


def cards(text: str) -> list:
	return list(vobject.readComponents(text))


def test_customer_round_trips_as_an_organisation_card_with_its_contacts():
	customer = factories.make_customer(
		customer_name="Škoda Auto a.s.", tax_id="CZ00177041", website="https://www.skoda-auto.cz"
	)
	frappe.db.set_value("Customer", customer.name, "crm_registration_no", "00177041")
	make_address("Customer", customer.name)
	contact = factories.make_contact(
		customer=customer.name, first_name="Jana", last_name="Dvořáková", designation="Purchasing"
	)
	add_phone(contact.name, "+420 777 123 456", mobile=True)

	text = api.vcard("Customer", json.dumps([customer.name]), with_contacts=1)
	organisation, person = cards(text)

	assert organisation.fn.value == "Škoda Auto a.s."
	assert organisation.org.value == ["Škoda Auto a.s."]
	assert organisation.contents["x-crm-tax-id"][0].value == "CZ00177041"
	assert organisation.contents["x-crm-registration-no"][0].value == "00177041"
	assert organisation.url.value == "https://www.skoda-auto.cz"
	address = organisation.adr.value
	assert (address.street, address.city, address.code, address.country) == (
		"tř. Václava Klementa 869",
		"Mladá Boleslav",
		"293 01",
		"Czech Republic",
	)
	assert [tel.value for tel in organisation.contents["tel"]] == ["+420 326 811 111"]
	assert [email.value for email in organisation.contents["email"]] == ["office@skoda.example"]
	assert "CZ00177041" in organisation.note.value

	assert (person.n.value.given, person.n.value.family) == ("Jana", "Dvořáková")
	assert person.org.value == ["Škoda Auto a.s."]
	assert person.title.value == "Purchasing"
	assert [email.value for email in person.contents["email"]] == [contact.email_id]
	assert person.tel.value == "+420 777 123 456" and "CELL" in person.tel.params["TYPE"]

	# control: without the flag, the organisation card alone
	assert len(cards(api.vcard("Customer", json.dumps([customer.name])))) == 1
	assert frappe.response["filename"].endswith(".vcf")
	assert frappe.response["type"] == "download"


def test_many_customers_and_contacts_go_into_one_file_in_the_selected_order():
	first, second = factories.make_customer(), factories.make_customer()
	contact = factories.make_contact(customer=second.name, first_name="Petr")
	text = api.vcard("Customer", [second.name, first.name], with_contacts=1)
	assert [card.fn.value for card in cards(text)] == [second.customer_name, "Petr", first.customer_name]

	person_cards = cards(api.vcard("Contact", json.dumps([contact.name])))
	assert [(card.fn.value, card.org.value) for card in person_cards] == [("Petr", [second.customer_name])]


def test_only_readable_customers_and_contacts_are_exported(as_user):
	customer = factories.make_customer()
	nobody = factories.make_user(roles=[])
	reader = factories.make_user(roles=["Sales User"])
	with as_user(nobody.name), pytest.raises(frappe.PermissionError):
		api.vcard("Customer", [customer.name])
	with as_user(reader.name):
		assert cards(api.vcard("Customer", [customer.name]))[0].fn.value == customer.customer_name
	with pytest.raises(frappe.ValidationError):
		api.vcard("Sales Invoice", [customer.name])
	with pytest.raises(frappe.ValidationError):
		api.vcard("Customer", "[]")


def test_customer_sheet_shows_what_is_open_and_renders_to_pdf():
	customer = factories.make_customer(tax_id="CZ00177041")
	make_address("Customer", customer.name)
	factories.make_contact(customer=customer.name, first_name="Jana")
	quotation = factories.make_quotation(customer=customer.name)
	order = factories.make_sales_order(customer.name, rate=250, qty=2)
	invoice = factories.make_sales_invoice(customer.name, rate=120)
	paid = factories.make_sales_invoice(customer.name, rate=80)
	frappe.db.set_value("Sales Invoice", paid.name, "outstanding_amount", 0)

	html = frappe.get_print("Customer", customer.name, "Customer Sheet")
	for expected in (
		customer.customer_name,
		"CZ00177041",
		"Mladá Boleslav",
		"Jana",
		quotation.name,
		order.name,
		invoice.name,
	):
		assert expected in html, expected
	assert paid.name not in html
	assert frappe.utils.fmt_money(500, currency=order.currency) in html  # the order's total
	assert frappe.utils.fmt_money(120, currency=invoice.currency) in html  # outstanding


def test_customer_sheet_shows_user_text_escaped():
	"""Frappe's save keeps harmless markup in a text field; the sheet shows it as text."""
	customer = factories.make_customer(tax_id="<b>T-1</b>")
	factories.make_contact(customer=customer.name, first_name="Jana", designation="<i>Boss</i>")
	assert frappe.db.get_value("Customer", customer.name, "tax_id") == "<b>T-1</b>"  # stored so

	html = frappe.get_print("Customer", customer.name, "Customer Sheet")
	assert "&lt;b&gt;T-1&lt;/b&gt;" in html and "<b>T-1</b>" not in html
	assert "&lt;i&gt;Boss&lt;/i&gt;" in html and "<i>Boss</i>" not in html


@pytest.mark.http
def test_customer_sheet_renders_to_pdf(http_server, monkeypatch):
	"""wkhtmltopdf loads the print stylesheet from the site's URL, as on a running bench: point the
	site's URL at the test server (frappe serve) for this test."""
	customer = factories.make_customer()
	factories.make_sales_invoice(customer.name, rate=120)
	monkeypatch.setitem(frappe.local.conf, "host_name", http_server)

	pdf = frappe.get_print("Customer", customer.name, "Customer Sheet", as_pdf=True)
	assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")


def test_customer_sheet_is_a_standard_print_format_of_our_module():
	print_format = frappe.get_doc("Print Format", "Customer Sheet")
	assert (print_format.doc_type, print_format.module, print_format.standard) == (
		"Customer",
		"CRM Lifecycle",
		"Yes",
	)
	assert print_format.print_format_type == "Jinja" and not print_format.disabled


@pytest.mark.http
def test_vcard_downloads_over_http_and_guests_are_refused(http, committed):
	customer = committed.make_customer(customer_name="HTTP vCard Customer")
	admin = http("Administrator", "admin")
	response = admin.get(
		"/api/method/crm_lifecycle.api.export.vcard",
		params={"doctype": "Customer", "names": json.dumps([customer.name])},
	)
	assert response.status_code == 200, response.text
	assert response.headers["Content-Type"].startswith("text/vcard")
	assert "attachment" in response.headers["Content-Disposition"]
	assert cards(response.text)[0].fn.value == "HTTP vCard Customer"

	guest = http()
	response = guest.get(
		"/api/method/crm_lifecycle.api.export.vcard",
		params={"doctype": "Customer", "names": json.dumps([customer.name])},
	)
	assert response.status_code == 403
