"""Markup typed into every text the app stores (deactivation, invalidation, lock and hold reasons,
a web search label) never runs as script for the colleague who later opens the records: form,
banner, list and security panel, in a real browser (timeline entries are escaped on the server)."""

import pytest
from playwright.sync_api import expect

import frappe

from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.api import invoice_hold as invoice_hold_api
from crm_lifecycle.api import locking as locking_api
from crm_lifecycle.services import locking
from tests import factories
from tests.e2e.desk import open_menu_item

ROLES = ["Sales User", "Sales Manager", "Accounts User"]
PAYLOADS = (
	'<img src=x onerror="window.__crm_xss = (window.__crm_xss || 0) + 1">',
	"<script>window.__crm_xss = (window.__crm_xss || 0) + 1</script>",
	'<svg onload="window.__crm_xss = (window.__crm_xss || 0) + 1"></svg>',
)


def reason(marker: str) -> str:
	return f"{marker} " + " ".join(PAYLOADS)


def no_script_ran(page) -> None:
	assert page.evaluate("window.__crm_xss === undefined"), page.url


@pytest.fixture
def users(desk_users):
	return desk_users(ROLES)


@pytest.fixture
def web_search_label():
	settings = frappe.get_single("CRM Lifecycle Settings")
	before = [row.as_dict() for row in settings.get("web_searches") or []]
	yield settings
	frappe.db.rollback()
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.set("web_searches", [])
	for row in before:
		settings.append("web_searches", {k: row.get(k) for k in ("label", "url_template")})
	settings.save(ignore_permissions=True)
	frappe.db.commit()


def test_stored_markup_never_runs_for_a_colleague(login, committed, users, web_search_label, screenshot):
	author, colleague = users
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name)
	invoice = committed.make_sales_invoice(customer.name)
	web_search_label.append(  # a label is at most 140 characters: one payload
		"web_searches",
		{"label": f"Search {PAYLOADS[0]}", "url_template": "https://example.com/?q={name}"},
	)
	web_search_label.save(ignore_permissions=True)
	frappe.db.commit()

	frappe.set_user(author)
	try:
		invoice_hold_api.hold_invoices(frappe.as_json([invoice.name]), reason=reason("Held"))
		deactivation_api.deactivate("Customer", customer.name, reason=reason("Deactivated"))
		governance_api.invalidate("Contact", contact.name, reason=reason("Invalidated"))
		locking_api.lock("Customer", customer.name, reason=reason("Locked"))
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()
	# stored sanitised, as Frappe's own save stores user text
	stored = [
		factories.lifecycle_events("Customer", customer.name)[0].reason,
		factories.lifecycle_events("Contact", contact.name)[0].reason,
		frappe.db.get_value("Sales Invoice", invoice.name, "crm_hold_reason"),
		locking.load_lock("Customer", customer.name).reason,
	]
	for text in stored:
		assert "onerror" not in text and "<script" not in text and "onload" not in text, text

	try:
		page = login(colleague, committed.PORTAL_PASSWORD)
		page.goto(f"/app/customer/{customer.name}")
		# the web search shortcut with its (sanitised) label is in the form's menu
		page.locator(".page-head:visible .menu-btn-group > button").click()
		expect(page.locator(".page-head:visible .dropdown-menu.show")).to_contain_text("Search on")
		page.keyboard.press("Escape")
		# the controls: the reasons are shown, as text, in the lock and the deactivation banners
		expect(page.locator(".form-message:visible", has_text="Locked")).to_have_count(1)
		expect(page.locator(".form-message:visible", has_text="Deactivated")).to_have_count(1)
		no_script_ran(page)
		open_menu_item(page, "Security")
		expect(page.locator(".modal.show")).to_contain_text("Locked")
		no_script_ran(page)
		page.keyboard.press("Escape")
		page.goto(f"/app/customer?customer_name={customer.customer_name}")
		expect(page.locator(".list-row-container", has_text=customer.customer_name)).to_have_count(1)
		no_script_ran(page)
		page.goto(f"/app/contact/{contact.name}")
		expect(page.locator(".form-message:visible", has_text="Invalidated")).to_have_count(1)
		no_script_ran(page)
		page.goto(f"/app/sales-invoice/{invoice.name}")
		expect(page.locator(".form-message:visible", has_text="Held")).to_have_count(1)
		no_script_ran(page)
		screenshot(page)
	finally:
		factories.delete_locks([customer.name])
