"""A contact restricted in the desk sees only its allowed sections in the portal (issue 4)."""

from playwright.sync_api import expect

import frappe


def test_restrict_contact_then_portal_shows_only_allowed_sections(login, committed, screenshot):
	customer = committed.make_customer()
	bookkeeper = committed.make_contact(customer=customer.name, portal_user=True, first_name="Bookkeeper")
	lead = committed.make_contact(customer=customer.name, portal_user=True, first_name="Lead")
	invoice = committed.make_sales_invoice(customer.name)
	committed.make_sales_order(customer.name)

	desk = login("Administrator", "admin")
	desk.goto(f"/app/contact/{lead.name}")
	section = desk.locator(".form-section", has_text="Portal & E-mail")
	section.locator(".section-head").click()
	grid = desk.locator(".frappe-control[data-fieldname='crm_portal_access']")
	for denied in ("Invoices", "Credit Notes"):
		grid.locator(".grid-add-row").click()
		row = grid.locator(".grid-body .grid-row").last
		row.locator(".static-area", has_text="").first.click()
		row.locator("select[data-fieldname='section']").select_option(denied)
		row.locator("input[data-fieldname='view']").uncheck()
		row.locator("input[data-fieldname='email']").uncheck()
	desk.keyboard.press("Control+s")
	effective = desk.locator(".crm-portal-effective")
	expect(effective.locator("tr", has_text="Invoices")).to_contain_text("contact")
	expect(effective.locator("tr", has_text="Orders")).to_contain_text("default")
	screenshot(desk, "-contact")

	frappe.db.rollback()
	for denied in ("Invoices", "Credit Notes"):
		assert frappe.db.get_value(
			"Lifecycle Portal Access", {"parent": lead.name, "section": denied}, ["view", "email"]
		) == (0, 0)

	portal = login(lead.user, committed.PORTAL_PASSWORD)
	portal.goto("/orders")
	sidebar = portal.locator(".web-sidebar")
	expect(sidebar.locator("a[href='/orders']")).to_be_visible()
	expect(sidebar.locator("a[href='/invoices']")).to_have_count(0)
	portal.goto(f"/invoices/{invoice.name}")
	expect(portal.locator("body")).to_contain_text("Not Permitted")
	screenshot(portal, "-portal")

	desk.goto(f"/app/sales-invoice/{invoice.name}")
	desk.locator(".timeline-actions button", has_text="New Email").click()
	recipients = desk.locator(".modal.show .frappe-control[data-fieldname='recipients']")
	expect(recipients).to_contain_text(bookkeeper.email_id)
	expect(recipients).not_to_contain_text(lead.email_id)
	screenshot(desk)
