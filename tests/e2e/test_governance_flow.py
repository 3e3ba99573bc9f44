"""Record governance in the desk (issue 10): a seller locks a customer, a colleague sees the
banner, a read-only form and the lock in the list, the admin unlocks; invalidate hides the
customer until "Show Also Invalid" (then listed with the valid ones, marked); the delete report offers "Invalidate Instead"."""

import re

import pytest
from playwright.sync_api import expect

import frappe

from crm_lifecycle.services import locking
from tests import factories
from tests.e2e.desk import open_menu_item, shown_dialog

ROLES = ["Sales User", "Sales Manager", "Sales Master Manager"]


@pytest.fixture
def users(desk_users):
	return desk_users(ROLES)


def lock_in_form(page, route: str, title: str, reason: str) -> None:
	"""As the page's user: open the form, lock it with a reason, see the banner."""
	page.goto(route)
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(title)
	open_menu_item(page, "Lock")
	dialog = shown_dialog(page)
	dialog.locator("textarea[data-fieldname='reason']").fill(reason)
	dialog.locator(".btn-primary", has_text="Lock").click()
	expect(page.locator(".form-message:visible")).to_contain_text(f"({reason})")


@pytest.fixture
def cleanup_history():
	names: list[str] = []
	yield names
	frappe.db.rollback()
	for name in names:
		frappe.db.delete("Notification Log", {"document_name": name})
	factories.delete_locks(names)  # commits


def test_lock_banner_read_only_list_indicator_and_admin_unlock(
	login, committed, users, cleanup_history, screenshot
):
	seller, colleague = users
	customer = committed.make_customer()
	cleanup_history.append(customer.name)
	password = committed.PORTAL_PASSWORD

	page = login(seller, password)
	lock_in_form(page, f"/app/customer/{customer.name}", customer.customer_name, "Contract talks")
	# the control: the holder keeps the Save button
	expect(page.locator(".page-head:visible .primary-action:visible", has_text="Save")).to_have_count(1)

	other = login(colleague, password)
	other.goto(f"/app/customer/{customer.name}")
	banner = other.locator(".form-message:visible")
	expect(banner).to_contain_text("Locked by")
	expect(banner).to_contain_text("Contract talks")
	# read-only: the customer name cannot be typed into and there is no Save button
	expect(other.locator(".frappe-control[data-fieldname='customer_name'] input:visible")).to_have_count(0)
	expect(other.locator(".page-head:visible .primary-action:visible", has_text="Save")).to_have_count(0)
	screenshot(other, "-locked", readme="lock")
	other.goto(f"/app/customer?customer_name={customer.customer_name}")
	row = other.locator(".list-row-container", has_text=customer.customer_name)
	expect(row.locator(".crm-lock-indicator")).to_have_count(1)

	other.goto(f"/app/customer/{customer.name}")
	open_menu_item(other, "Security")
	panel = other.locator(".modal.show")
	expect(panel).to_contain_text("Contract talks")
	expect(panel).to_contain_text(frappe.utils.get_fullname(seller))
	screenshot(other, "-security", readme="governance-security")
	panel.locator(".btn-modal-close").first.click()

	admin = login("Administrator", "admin")
	admin.goto(f"/app/customer/{customer.name}")
	open_menu_item(admin, "Unlock")
	expect(admin.locator(".form-message:visible", has_text="Locked by")).to_have_count(0)
	screenshot(other)

	frappe.db.rollback()
	assert not locking.status("Customer", customer.name)["locked"]
	assert locking.history("Customer", customer.name)[0].action == "Admin Unlock"
	assert frappe.db.exists("Notification Log", {"for_user": seller, "document_name": customer.name})


def test_invalidate_hides_until_show_invalid_and_delete_report_offers_it(
	login, committed, cleanup_history, screenshot
):
	customer = committed.make_customer()
	committed.make_sales_invoice(customer.name)
	cleanup_history.append(customer.name)
	page = login("Administrator", "admin")

	page.goto(f"/app/customer/{customer.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(customer.customer_name)
	open_menu_item(page, "Delete Report")
	dialog = page.locator(".modal.show")
	expect(dialog).to_contain_text("Sales Invoice")
	dialog.locator(".btn-primary", has_text="Invalidate Instead").click()
	prompt = shown_dialog(page, has_text="Reason")
	prompt.locator("textarea[data-fieldname='reason']").fill("Duplicate of another customer")
	prompt.locator(".btn-primary", has_text="Invalidate").click()
	expect(page.locator(".form-intro-area:visible, .form-message:visible").first).to_contain_text(
		"Invalid since"
	)

	open_menu_item(page, "Security")
	expect(page.locator(".modal.show")).to_contain_text("Roles That Can Read")
	expect(page.locator(".modal.show")).to_contain_text(re.compile("Validity\\s*Invalid"))
	page.keyboard.press("Escape")

	valid = committed.make_customer()
	page.goto("/app/customer")
	# the list comes back with the filters the flows before left on it (an "Invalid" view among
	# them, in any order of the suite): the toggle is there, labelled after them
	toggle = page.locator(".page-head:visible button", has_text=re.compile("Show Also Invalid|Hide Invalid"))
	expect(toggle).to_be_visible(timeout=20_000)
	# just these two, with no other filter
	page.evaluate(
		"""([a, b]) => cur_list.filter_area.clear(false).then(
			() => cur_list.filter_area.add([["Customer", "name", "in", [a, b]]]))""",
		[valid.name, customer.name],
	)
	expect(page.locator(".page-head:visible button", has_text="Show Also Invalid")).to_be_visible()
	expect(page.locator(".list-row-container", has_text=valid.customer_name)).to_have_count(1)
	expect(page.locator(".list-row-container", has_text=customer.customer_name)).to_have_count(0)
	page.locator(".page-head:visible button", has_text="Show Also Invalid").click()
	# valid and invalid together, the invalid one marked
	invalid_row = page.locator(".list-row-container", has_text=customer.customer_name)
	expect(invalid_row).to_have_count(1)
	expect(invalid_row.locator(".crm-invalid-indicator")).to_have_count(1)
	valid_row = page.locator(".list-row-container", has_text=valid.customer_name)
	expect(valid_row).to_have_count(1)
	expect(valid_row.locator(".crm-invalid-indicator")).to_have_count(0)
	screenshot(page)

	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 1


def test_merge_dialog_takes_the_chosen_value_and_opens_the_target(login, committed, screenshot):
	source = committed.make_customer(website="https://source.test")
	target = committed.make_customer(website="https://target.test")
	page = login("Administrator", "admin")

	page.goto(f"/app/customer/{source.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(source.customer_name)
	open_menu_item(page, "Merge into...")
	prompt = shown_dialog(page)
	prompt.locator("input[data-fieldname='target']").fill(target.name)
	prompt.locator(".modal-title").click()  # closes the link suggestions covering the button
	page.wait_for_timeout(700)  # the Link field validates the name
	prompt.locator(".btn-primary").click()
	dialog = shown_dialog(page, has_text="Moves to")
	dialog.locator("select[data-fieldname='website']").select_option("source")
	dialog.locator(".btn-primary", has_text="Merge").click()
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(target.customer_name)
	expect(page.locator(".timeline-content", has_text="values taken from it: website")).to_be_visible()
	screenshot(page)

	frappe.db.rollback()
	assert not frappe.db.exists("Customer", source.name)
	assert frappe.db.get_value("Customer", target.name, "website") == "https://source.test"


@pytest.fixture
def supplier_lockable():
	"""Supplier added to the lockable doctypes, as an administrator would in the settings."""
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.append("lockable_doctypes", {"document_type": "Supplier"})
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	yield
	frappe.db.rollback()
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.set(
		"lockable_doctypes", [r for r in settings.lockable_doctypes if r.document_type != "Supplier"]
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()


def test_a_lockable_doctype_added_in_the_settings_gets_the_desk_extras(
	login, committed, desk_users, supplier_lockable, cleanup_history, screenshot
):
	holder, colleague = desk_users([*ROLES, "Purchase Master Manager", "Purchase User"])
	supplier = frappe.get_doc(
		{
			"doctype": "Supplier",
			"supplier_name": committed.unique("Supplier"),
			"supplier_group": committed.leaf("Supplier Group"),
		}
	).insert(ignore_permissions=True)
	committed._record(supplier)
	cleanup_history.append(supplier.name)
	password = committed.PORTAL_PASSWORD

	page = login(holder, password)
	lock_in_form(page, f"/app/supplier/{supplier.name}", supplier.supplier_name, "Price talks")

	other = login(colleague, password)
	other.goto(f"/app/supplier/{supplier.name}")
	expect(other.locator(".form-message:visible")).to_contain_text("Locked by")
	expect(other.locator(".page-head:visible .primary-action:visible", has_text="Save")).to_have_count(0)
	other.goto(f"/app/supplier?supplier_name={supplier.supplier_name}")
	row = other.locator(".list-row-container", has_text=supplier.supplier_name)
	expect(row.locator(".crm-lock-indicator")).to_have_count(1)
	screenshot(other)
	frappe.db.rollback()
	frappe.set_user(holder)
	try:
		locking.unlock("Supplier", supplier.name)
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()
