"""A new customer (and lead) from its registration number (issue 16): "New from Registry" in the
Customer list and "Fill from Registry" on a new, unsaved Lead fill the form before the first save;
saving makes the registered seat the primary billing address; the same number again is refused in
the dialog, naming the customer. The registry is the local one of the integration tests."""

import re

import pytest
from playwright.sync_api import expect

import frappe

from crm_lifecycle.services import registry as service
from tests.integration.test_registry import TIMEOUT, registry_server  # noqa: F401 (a fixture)

NUMBER = "00177041"


@pytest.fixture
def local_registry(registry_server):  # noqa: F811
	"""Committed settings pointing at the local registry (the web server reads them), restored
	afterwards, and whatever the browser made with the number deleted."""
	url = f"http://127.0.0.1:{registry_server.server_address[1]}"
	saved = service.settings()
	since = frappe.utils.now_datetime()
	frappe.db.set_single_value(
		service.SETTINGS,
		{
			"ares_enabled": 1,
			"vies_enabled": 1,
			"ares_base_url": f"{url}/ares",
			"vies_base_url": f"{url}/vies",
			"registry_timeout": max(TIMEOUT, 5),
		},
	)
	frappe.db.commit()
	yield
	frappe.db.rollback()
	frappe.db.set_single_value(service.SETTINGS, saved)
	for doctype in ("Customer", "Lead"):
		for name in frappe.get_all(
			doctype, filters={"crm_registration_no": NUMBER, "creation": (">=", since)}, pluck="name"
		):
			addresses = frappe.get_all(
				"Dynamic Link",
				filters={"parenttype": "Address", "link_doctype": doctype, "link_name": name},
				pluck="parent",
			)
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			for address in addresses:
				frappe.delete_doc("Address", address, force=True, ignore_permissions=True)
	frappe.db.commit()


def look_up(page, query: str):
	dialog = page.locator(".modal.show")
	expect(dialog.locator(".modal-title")).to_have_text("Fill from Registry")
	dialog.locator("input[data-fieldname='query']").fill(query)
	dialog.locator("button[data-fieldname='look_up']").click()
	return dialog


def test_new_customer_from_the_registry_then_the_same_number_again(local_registry, login, screenshot):
	page = login("Administrator", "admin")
	page.goto("/app/customer")
	page.locator(".page-head:visible button", has_text="New from Registry").click()
	dialog = look_up(page, NUMBER)
	changes = dialog.locator("table")
	expect(changes).to_contain_text("Škoda Auto a.s.")
	expect(changes).to_contain_text("Mladá Boleslav")
	screenshot(page, "-dialog", readme="registry-new-customer")
	dialog.locator(".btn-primary", has_text="Apply Selected").click()

	expect(page).to_have_url(re.compile(r"/app/customer/new"))  # a new, unsaved form
	expect(page.locator(".form-layout input[data-fieldname='customer_name']")).to_have_value(
		"Škoda Auto a.s."
	)
	expect(page.locator(".form-layout input[data-fieldname='crm_registration_no']")).to_have_value(NUMBER)
	page.keyboard.press("Control+s")
	expect(page.locator(".page-head:visible .indicator-pill")).not_to_contain_text("Not Saved")
	page.wait_for_function("() => cur_frm && !cur_frm.is_new()")

	frappe.db.commit()  # see the browser's commit
	name = frappe.db.get_value("Customer", {"crm_registration_no": NUMBER}, "name")
	customer = frappe.get_doc("Customer", name)
	assert (customer.tax_id, customer.crm_legal_form) == ("CZ00177041", "Akciová společnost")
	address = frappe.get_doc("Address", customer.customer_primary_address)
	assert (address.address_type, address.is_primary_address, address.city) == (
		"Billing",
		1,
		"Mladá Boleslav",
	)
	expect(page.locator(".frappe-control[data-fieldname='primary_address']")).to_contain_text(
		"Mladá Boleslav"
	)
	screenshot(page, "-saved")

	# the same number again: the dialog names the customer and fills nothing
	page.goto("/app/customer")
	page.locator(".page-head:visible button", has_text="New from Registry").click()
	dialog = look_up(page, NUMBER)
	taken = dialog.locator(".crm-registry-taken")
	expect(taken).to_contain_text("already belongs to")
	expect(taken.locator("a")).to_have_text(customer.customer_name)
	screenshot(page, "-taken")
	dialog.locator(".btn-primary", has_text="Apply Selected").click()
	expect(page.locator(".modal.show").last).to_contain_text("Choose a record from the registry first.")
	assert frappe.db.count("Customer", {"crm_registration_no": NUMBER}) == 1


def test_fill_a_new_lead_from_the_registry_before_its_first_save(local_registry, login, screenshot):
	page = login("Administrator", "admin")
	page.goto("/app/lead/new")
	page.locator(".page-head:visible button", has_text="Fill from Registry").click()
	dialog = look_up(page, NUMBER)
	expect(dialog.locator("table")).to_contain_text("Škoda Auto a.s.")
	dialog.locator(".btn-primary", has_text="Apply Selected").click()
	expect(page.locator("input[data-fieldname='company_name']")).to_have_value("Škoda Auto a.s.")
	page.locator("input[data-fieldname='first_name']").fill("Jana")
	page.keyboard.press("Control+s")
	page.wait_for_function("() => cur_frm && !cur_frm.is_new()")
	screenshot(page)

	frappe.db.commit()
	lead = frappe.db.get_value("Lead", {"crm_registration_no": NUMBER}, "name")
	cities = frappe.get_all(
		"Address",
		filters=[["Dynamic Link", "link_doctype", "=", "Lead"], ["Dynamic Link", "link_name", "=", lead]],
		pluck="city",
	)
	assert cities == ["Mladá Boleslav"]
