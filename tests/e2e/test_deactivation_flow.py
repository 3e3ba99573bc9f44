"""A user deactivates a customer with open invoices, holds them, reactivates, releases (issue 3)."""

import re

from playwright.sync_api import expect

import frappe

from tests.e2e.desk import open_menu_item, shown_dialog


def test_deactivate_hold_reactivate_release(login, committed, screenshot):
	customer = committed.make_customer()
	invoices = [committed.make_sales_invoice(customer.name, rate=rate) for rate in (120, 80)]
	page = login("Administrator", "admin")

	page.goto(f"/app/customer/{customer.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(customer.customer_name)
	open_menu_item(page, "Deactivate")
	dialog = shown_dialog(page)
	expect(dialog).to_contain_text("2 open invoices")
	dialog.locator("input[data-fieldname='hold_invoices']").check()
	dialog.locator("textarea[data-fieldname='reason']").fill("Closed down")
	dialog.locator(".btn-primary", has_text="Deactivate").click()
	banner = page.locator(".form-message:visible")
	# a save on the server, then the form reloads: as long as any action may take (20 s)
	expect(banner).to_contain_text("Deactivated by", timeout=20_000)
	expect(banner).to_contain_text("Closed down")
	screenshot(page, "-banner", readme="deactivation")

	page.goto(f"/app/sales-invoice?customer={customer.name}")
	expect(page.locator(".list-row-container", has_text=invoices[0].name)).to_contain_text("On Hold")
	screenshot(page, "-held", readme="invoices-on-hold")

	page.goto(f"/app/customer/{customer.name}")
	open_menu_item(page, "Reactivate")
	shown_dialog(page).locator(".btn-primary", has_text=re.compile("Yes")).click()
	expect(page.locator(".timeline-content", has_text="Reactivated by")).to_be_visible()
	expect(page.locator(".form-message:visible", has_text="Deactivated by")).to_have_count(0)

	page.goto(f"/app/sales-invoice/{invoices[0].name}")
	expect(page.locator(".form-message:visible")).to_contain_text("Payment reminders on hold")
	page.locator(".page-head:visible button", has_text="Release Reminder Hold").click()
	expect(page.locator(".form-message:visible", has_text="on hold")).to_have_count(0)
	screenshot(page)

	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1
	assert frappe.db.get_value("Sales Invoice", invoices[0].name, "crm_reminders_on_hold") == 0
	assert frappe.db.get_value("Sales Invoice", invoices[1].name, "crm_reminders_on_hold") == 1
