"""Portal rights as Perfex shows them (issue 16): each switch ("sees in portal", "gets e-mails")
decided on its own, the grid of all contacts on the Customer, and a portal page where a contact
chooses its own e-mails, only what its company allows."""

import json

import pytest

import frappe

from crm_lifecycle.api import portal as api
from crm_lifecycle.services import locking
from tests import factories

pytestmark = pytest.mark.usefixtures("frappe_site")


@pytest.fixture
def account():
	customer = factories.make_customer()
	buyer = factories.make_contact(customer=customer.name, portal_user=True, first_name="Buyer")
	colleague = factories.make_contact(customer=customer.name, portal_user=True, first_name="Colleague")
	return frappe._dict(customer=customer, buyer=buyer, colleague=colleague)


def template(customer_group: str, **sections):
	return frappe.get_doc(
		{
			"doctype": "Lifecycle Portal Template",
			"customer_group": customer_group,
			"access": [{"section": section, **values} for section, values in sections.items()],
		}
	).insert()


def row_of(contact: str, section: str):
	return frappe.db.get_value(
		"Lifecycle Portal Access",
		{"parenttype": "Contact", "parent": contact, "section": section},
		["view", "email", "inherit_view", "inherit_email", "email_by_contact"],
		as_dict=True,
	)


def test_switching_one_switch_does_not_pin_the_other(account):
	rules = template(account.customer.customer_group, Invoices={"view": 0, "email": 1})
	api.set_access(account.buyer.name, {"Invoices": {"email": 0}})

	access = api.get_access(account.buyer.name)["Invoices"]
	assert (access["view"], access["view_source"]) == (0, "customer group")
	assert (access["email"], access["email_source"]) == (0, "contact")

	# the template opens invoices later: the contact follows, its own e-mail choice stays
	rules.access[0].view = 1
	rules.save()
	access = api.get_access(account.buyer.name)["Invoices"]
	assert (access["view"], access["view_source"], access["email"]) == (1, "customer group", 0)

	# reset hands the section back: no row left
	api.set_access(account.buyer.name, {"Invoices": {"view": None, "email": None}})
	assert row_of(account.buyer.name, "Invoices") is None
	assert api.get_access(account.buyer.name)["Invoices"]["email_source"] == "customer group"


def test_the_customer_grid_lists_readable_contacts_judged_by_this_customer(account, as_user):
	template(account.customer.customer_group, Quotations={"view": 0, "email": 0})
	api.set_access(account.colleague.name, {"Orders": {"view": 0}})

	grid = api.customer_access(account.customer.name)

	assert [row["section"] for row in grid["sections"]][:2] == ["Invoices", "Credit Notes"]
	by_contact = {row["contact"]: row for row in grid["contacts"]}
	assert set(by_contact) == {account.buyer.name, account.colleague.name}
	assert by_contact[account.buyer.name]["access"]["Quotations"]["view"] == 0
	assert by_contact[account.colleague.name]["access"]["Orders"]["view_source"] == "contact"
	assert by_contact[account.buyer.name]["can_write"] == 1
	assert grid["hidden"] == 0

	# a colleague restricted to one contact sees that one and a count of the other
	user = factories.make_user(roles=["Sales User"])
	factories.restrict(user.name, "Contact", account.buyer.name)
	with as_user(user.name):
		grid = api.customer_access(account.customer.name)
	assert [row["contact"] for row in grid["contacts"]] == [account.buyer.name]
	assert grid["hidden"] == 1 and account.colleague.name not in json.dumps(grid)
	# control: without read permission on the customer, nothing
	with as_user(factories.make_user(roles=["Projects User"]).name), pytest.raises(frappe.PermissionError):
		api.customer_access(account.customer.name)


def test_a_contact_switches_its_own_emails_off_and_on(account, as_user):
	before = frappe.db.count("Version", {"ref_doctype": "Contact", "docname": account.buyer.name})
	with as_user(account.buyer.user):
		[mine] = api.my_email_preferences()
		assert mine["contact"] == account.buyer.name
		sections = {row["section"]: row for row in mine["sections"]}
		assert "Deliveries" not in sections  # deliveries send no e-mail
		assert sections["Invoices"] == {"section": "Invoices", "email": 1, "may_change": 1}

		[after] = api.set_my_email_preferences(account.buyer.name, '{"Invoices": 0}')
		assert {row["section"]: row["email"] for row in after["sections"]}["Invoices"] == 0

	row = row_of(account.buyer.name, "Invoices")
	assert (row.email, row.inherit_email, row.email_by_contact) == (0, 0, 1)
	assert row.inherit_view == 1  # what it sees stays its company's decision
	assert frappe.db.count("Version", {"ref_doctype": "Contact", "docname": account.buyer.name}) == before + 1
	notes = frappe.get_all("Comment", filters={"reference_name": account.buyer.name}, pluck="content")
	assert any("changed by the contact" in note and "Invoices" in note for note in notes)

	with as_user(account.buyer.user):
		api.set_my_email_preferences(account.buyer.name, {"Invoices": 1})
	assert row_of(account.buyer.name, "Invoices") is None  # back to what the company sends
	assert api.get_access(account.buyer.name)["Invoices"]["email"] == 1


def test_a_contact_may_not_opt_in_to_what_its_company_switched_off(account, as_user):
	api.set_access(account.buyer.name, {"Quotations": {"email": 0}})  # a colleague's decision
	template(account.customer.customer_group, Orders={"email": 0, "view": 1})
	api.set_access(account.buyer.name, {"Projects": {"view": 0}})  # it does not see projects

	with as_user(account.buyer.user):
		sections = {row["section"]: row for row in api.my_email_preferences()[0]["sections"]}
		assert (sections["Quotations"]["email"], sections["Quotations"]["may_change"]) == (0, 0)
		for section in ("Quotations", "Orders", "Projects"):
			if section == "Projects":
				# it still gets project e-mails (the default) and may switch them off, not on again
				api.set_my_email_preferences(account.buyer.name, {section: 0})
			with pytest.raises(frappe.PermissionError):
				api.set_my_email_preferences(account.buyer.name, {section: 1})
	assert row_of(account.buyer.name, "Quotations").email_by_contact == 0


@pytest.mark.parametrize(
	"emails, error",
	[
		('{"Deliveries": 1}', frappe.ValidationError),
		('{"Bananas": 0}', frappe.ValidationError),
		('{"Invoices": "yes"}', frappe.ValidationError),
		('{"Invoices": null}', frappe.ValidationError),
		("{}", frappe.ValidationError),
		("not json", frappe.ValidationError),
	],
)
def test_bad_input_is_refused_and_changes_nothing(account, as_user, emails, error):
	with as_user(account.buyer.user), pytest.raises(error):
		api.set_my_email_preferences(account.buyer.name, emails)
	assert row_of(account.buyer.name, "Invoices") is None


def test_only_the_users_own_contact_and_not_while_it_is_locked(account, as_user):
	with as_user(account.buyer.user):
		with pytest.raises(frappe.PermissionError):
			api.set_my_email_preferences(account.colleague.name, {"Invoices": 0})
		with pytest.raises(frappe.PermissionError):
			api.set_my_email_preferences("No Such Contact", {"Invoices": 0})
	with as_user("Guest"), pytest.raises(frappe.PermissionError):
		api.my_email_preferences()
	assert row_of(account.colleague.name, "Invoices") is None

	locking.lock("Contact", account.buyer.name, reason="Audit")
	with as_user(account.buyer.user), pytest.raises(frappe.PermissionError, match="Locked by"):
		api.set_my_email_preferences(account.buyer.name, {"Invoices": 0})
	assert row_of(account.buyer.name, "Invoices") is None


@pytest.mark.http
def test_the_portal_page_shows_the_contacts_switches(http, committed):
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name, portal_user=True)
	frappe.db.commit()
	client = http(contact.user, committed.PORTAL_PASSWORD)

	page = client.get("/email_preferences")
	assert page.status_code == 200
	assert f'data-contact="{contact.name}"' in page.text
	assert 'data-section="Invoices"' in page.text and 'data-section="Deliveries"' not in page.text
	sidebar = client.get("/orders").text
	assert 'href="/email_preferences"' in sidebar

	answer = client.post(
		"/api/method/crm_lifecycle.api.portal.set_my_email_preferences",
		data={"contact": contact.name, "emails": '{"Quotations": 0}'},
	)
	assert answer.status_code == 200, answer.text
	frappe.db.rollback()
	assert row_of(contact.name, "Quotations").email_by_contact == 1
	# a guest is sent to log in, not shown anything
	guest = http().get("/email_preferences")
	assert guest.status_code in (401, 403) and contact.name not in guest.text
