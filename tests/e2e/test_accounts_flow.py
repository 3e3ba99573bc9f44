"""A user opens ready views of the Customer list and transfers accounts with their open
documents to a colleague (issue 7)."""

from datetime import datetime, time

from playwright.sync_api import expect

import frappe
from frappe.utils import getdate, nowdate

from crm_lifecycle.core import accounts as core
from crm_lifecycle.services import accounts
from tests.e2e.desk import shown_dialog


def row(page, name: str):
	return page.locator(".list-row-container", has_text=name)


def open_view(page, label: str):
	page.locator(".crm-view-link", has_text=label).click()
	expect(page.locator(".crm-view-link a.btn-primary")).to_have_text(label)


def test_views_then_transfer_owner(login, committed, screenshot):
	frappe.flags.in_import = True  # skips the user creation throttle
	try:
		successor = committed.make_user(roles=["Sales User"], enabled=1).name
	finally:
		frappe.flags.in_import = False
	mine = committed.make_customer(account_manager="Administrator").name
	fresh = committed.make_customer().name
	older = committed.make_customer(account_manager="Administrator").name
	last_week, _end = core.week_range(getdate(nowdate()), accounts.first_day_of_week(), weeks_ago=1)
	frappe.db.set_value(
		"Customer", older, "creation", datetime.combine(last_week, time(12)), update_modified=False
	)
	opportunity = committed.make_opportunity(customer=mine, opportunity_owner="Administrator").name
	frappe.db.commit()
	page = login("Administrator", "admin")

	page.goto("/app/customer")
	open_view(page, "My Accounts")
	expect(row(page, mine)).to_be_visible()
	expect(row(page, older)).to_be_visible()
	expect(row(page, fresh)).to_have_count(0)

	open_view(page, "New This Week")
	expect(row(page, fresh)).to_be_visible()
	expect(row(page, mine)).to_be_visible()
	expect(row(page, older)).to_have_count(0)

	page.goto("/app/customer?crm_view=new_last_week")  # as the workspace's shortcut opens it
	expect(page.locator(".crm-view-link a.btn-primary")).to_have_text("New Last Week")
	expect(row(page, older)).to_be_visible()
	expect(row(page, fresh)).to_have_count(0)

	open_view(page, "New This Week")
	expect(row(page, fresh)).to_be_visible()
	for name in (mine, fresh):
		row(page, name).locator(".list-row-checkbox").check()
	page.locator(".page-head:visible .actions-btn-group > button").click()
	page.locator(".page-head:visible .actions-btn-group .dropdown-item", has_text="Transfer Owner").click()
	dialog = shown_dialog(page)
	expect(dialog).to_contain_text("Transfer 2 customers")
	owner = dialog.locator("input[data-fieldname='new_owner']")
	# older v15 minors show the user's e-mail in the suggestions, newer ones the full name; the
	# factories' users are named after their e-mail's local part, which both contain
	local_part = successor.split("@")[0]
	owner.click()
	owner.fill(local_part[:-1])
	owner.press_sequentially(local_part[-1])  # a key typed: the Link field searches on input
	# older minors list the suggestions as li, newer ones as div
	suggestion = dialog.locator(".awesomplete ul > :is(li, div)", has_text=local_part).first
	expect(suggestion).to_be_visible(timeout=20_000)
	suggestion.click()
	dialog.locator("input[data-fieldname='include_open_documents']").check()
	dialog.locator(".btn-primary", has_text="Transfer").click()
	summary = page.locator(".modal.show .crm-transfer-summary")
	expect(summary).to_contain_text("2 transferred")
	expect(summary).to_contain_text("1 open documents")
	screenshot(page)

	frappe.db.rollback()
	assert frappe.db.get_value("Customer", mine, "account_manager") == successor
	assert frappe.db.get_value("Customer", fresh, "account_manager") == successor
	assert frappe.db.get_value("Customer", older, "account_manager") == "Administrator"
	assert frappe.db.get_value("Opportunity", opportunity, "opportunity_owner") == successor


def test_a_z_bar_and_account_data_filters(login, committed, screenshot):
	"""Zoho's account list (issue 16): the A-Z bar narrows the list to one initial and marks it,
	"All" lifts it; the number of employees is a standard filter of the list."""
	quokka = committed.make_customer(
		customer_name=committed.unique("Quokka Trading"),
		crm_no_of_employees="1000+",
		crm_annual_revenue=9_000_000,
	).name
	zebra = committed.make_customer(
		customer_name=committed.unique("Zebra Logistics"),
		crm_no_of_employees="1-10",
		crm_annual_revenue=50_000,
	).name
	page = login("Administrator", "admin")

	page.goto("/app/customer")
	bar = page.locator(".crm-az-filter")
	expect(bar.locator(".crm-az-letter")).to_have_count(27)
	# filters another flow left in the user's list settings
	page.wait_for_function("() => window.cur_list && cur_list.filter_area")
	page.evaluate("() => cur_list.filter_area.clear()")
	expect(row(page, quokka)).to_be_visible()
	expect(row(page, zebra)).to_be_visible()

	bar.locator(".crm-az-letter[data-letter='Q']").click()
	expect(row(page, zebra)).to_have_count(0)
	expect(row(page, quokka)).to_be_visible()
	expect(bar.locator(".crm-az-letter.btn-primary")).to_have_text("Q")
	for name in page.locator(
		".list-row-container .list-subject a[data-doctype='Customer']"
	).all_inner_texts():
		assert name.strip().upper().startswith("Q"), name
	screenshot(page, "-letter-q", readme="account-views")

	bar.locator(".crm-az-letter[data-letter='']").click()
	expect(row(page, zebra)).to_be_visible()
	expect(bar.locator(".crm-az-letter.btn-primary")).to_have_text("All")

	employees = page.locator(".page-form .frappe-control[data-fieldname='crm_no_of_employees'] select")
	employees.select_option("1000+")
	expect(row(page, zebra)).to_have_count(0)
	expect(row(page, quokka)).to_be_visible()
	screenshot(page, "-employees")
