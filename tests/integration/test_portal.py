"""Per-contact portal sections and e-mail opt-ins, in-process on the real site (issue 4)."""

import pytest

import frappe

from crm_lifecycle.api import portal as api
from crm_lifecycle.core import portal as core
from crm_lifecycle.services import portal, reminders
from tests import factories

KEYS = ("view", "email", "source")


def grant(access: dict) -> dict:
	"""The effective switches and the layer that decides them (the per-switch sources and the
	switches each section has are checked on their own)."""
	return {key: access[key] for key in KEYS}


@pytest.fixture
def account():
	customer = factories.make_customer()
	bookkeeper = factories.make_contact(customer=customer.name, portal_user=True, first_name="Bookkeeper")
	lead = factories.make_contact(customer=customer.name, portal_user=True, first_name="Project Lead")
	return frappe._dict(customer=customer, bookkeeper=bookkeeper, lead=lead)


def test_defaults_allow_everything_and_overrides_are_reported_by_source(account):
	access = api.get_access(account.bookkeeper.name)
	assert grant(access["Invoices"]) == {"view": 1, "email": 1, "source": "default"}
	assert grant(access["Tasks"]) == {"view": 0, "email": 1, "source": "default"}

	after = api.set_access(account.bookkeeper.name, '{"Projects": {"view": 0, "email": 0}}')
	assert grant(after["Projects"]) == {"view": 0, "email": 0, "source": "contact"}
	assert after["Invoices"]["source"] == "default"
	notes = frappe.get_all("Comment", filters={"reference_name": account.bookkeeper.name}, pluck="content")
	assert any("Portal access changed" in note and "Projects" in note for note in notes)


def test_customer_group_template_is_inherited_and_overridable(account):
	frappe.get_doc(
		{
			"doctype": "Lifecycle Portal Template",
			"customer_group": account.customer.customer_group,
			"access": [{"section": "Invoices", "view": 0, "email": 0}],
		}
	).insert()
	assert grant(api.get_access(account.lead.name)["Invoices"]) == {
		"view": 0,
		"email": 0,
		"source": "customer group",
	}
	api.set_access(account.bookkeeper.name, {"Invoices": {"view": 1, "email": 1}})
	assert api.get_access(account.bookkeeper.name)["Invoices"]["source"] == "contact"


@pytest.mark.parametrize(
	"access",
	['{"Bananas": {"view": 1}}', '{"Deliveries": {"email": 1}}', '{"Tasks": {"view": 1}}', "not json", "[1]"],
)
def test_bad_access_is_refused_and_changes_nothing(account, access):
	with pytest.raises(frappe.ValidationError):
		api.set_access(account.bookkeeper.name, access)
	assert {row["source"] for row in api.get_access(account.bookkeeper.name).values()} == {"default"}


def test_contact_without_customer_and_users_without_permission_are_refused(as_user, account):
	loner = factories.make_contact()
	with pytest.raises(frappe.ValidationError, match="not linked to a Customer"):
		api.get_access(loner.name)
	with as_user(account.bookkeeper.user), pytest.raises(frappe.PermissionError):
		api.set_access(account.lead.name, {"Invoices": {"view": 0}})
	with pytest.raises(frappe.DoesNotExistError):
		api.get_access("No Such Contact 4711")


def test_recipients_are_exactly_the_opted_in_contacts(account):
	invoice = factories.make_sales_invoice(account.customer.name)
	project = factories.make_project(account.customer.name)
	api.set_access(account.lead.name, {"Invoices": {"email": 0}})
	api.set_access(account.bookkeeper.name, {"Projects": {"email": 0}})

	assert api.recipients("Sales Invoice", invoice.name)["recipients"] == [account.bookkeeper.email_id]
	assert api.recipients("Project", project.name)["recipients"] == [account.lead.email_id]

	api.set_access(account.bookkeeper.name, {"Invoices": {"email": 0}})
	result = api.recipients("Sales Invoice", invoice.name)
	assert result == {"customer": account.customer.name, "kind": "Invoices", "recipients": [], "hidden": 0}


def test_recipients_name_a_customer_only_to_who_may_read_it(as_user, account):
	task = factories.make_task(factories.make_project(account.customer.name).name)  # no customer field
	worker = factories.make_user(roles=["Projects User"])
	factories.restrict(worker.name, "Customer", factories.make_customer().name)
	with as_user(worker.name):
		result = api.recipients("Task", task.name)
	assert result == {"customer": None, "kind": "Tasks", "recipients": []}
	# control: who may read the customer gets it and its contacts
	shown = api.recipients("Task", task.name)
	assert shown["customer"] == account.customer.name and shown["recipients"]


def test_payment_reminders_go_to_contacts_that_opted_in(account):
	invoice = frappe._dict(customer=account.customer.name)
	assert sorted(reminders.recipients(invoice)) == sorted(
		[account.bookkeeper.email_id, account.lead.email_id]
	)
	api.set_access(account.lead.name, {"Payment Reminders": {"email": 0}})
	assert reminders.recipients(invoice) == [account.bookkeeper.email_id]


def test_a_portal_users_access_follows_its_customers_templates_and_portal_user_lists(account):
	"""Judged per customer: the customer group's template, where no contact of the user decides;
	a customer that lists the user among its Portal Users without a linking contact follows the
	template and default of its own group."""
	group = frappe.get_doc(
		{
			"doctype": "Customer Group",
			"customer_group_name": factories.unique("Group"),
			"parent_customer_group": frappe.db.get_value("Customer Group", {"is_group": 1}),
		}
	).insert(ignore_permissions=True)
	listed_only = factories.make_customer(customer_group=group.name)
	listed_only.append("portal_users", {"user": account.bookkeeper.user})
	listed_only.save()
	user = account.bookkeeper.user

	access = portal.user_access(user)
	assert set(access) == {account.customer.name, listed_only.name}
	assert access[account.customer.name]["Invoices"].view and access[listed_only.name]["Orders"].view

	for customer_group, section in ((account.customer.customer_group, "Invoices"), (group.name, "Orders")):
		frappe.get_doc(
			{
				"doctype": "Lifecycle Portal Template",
				"customer_group": customer_group,
				"access": [{"section": section, "view": 0, "email": 1}],
			}
		).insert()
	portal.clear_access_cache()
	access = portal.user_access(user)
	assert not access[account.customer.name]["Invoices"].view
	assert access[account.customer.name]["Invoices"].source == core.Source.CUSTOMER_GROUP
	assert access[account.customer.name]["Orders"].view  # the other group's template is not its
	assert not access[listed_only.name]["Orders"].view
	assert access[listed_only.name]["Invoices"].view

	api.set_access(account.bookkeeper.name, {"Invoices": {"view": 1}})  # its contact decides
	portal.clear_access_cache()
	assert portal.user_access(user)[account.customer.name]["Invoices"].view


def test_portal_user_is_judged_per_customer_by_the_linking_contact(as_user, account):
	other = factories.make_customer()
	second = factories.make_contact(
		customer=other.name, user=account.bookkeeper.user, first_name="Same person"
	)
	other_doc = frappe.get_doc("Customer", other.name)
	other_doc.append("portal_users", {"user": account.bookkeeper.user})
	other_doc.save()
	api.set_access(second.name, {"Invoices": {"view": 0}})

	access = portal.user_access(account.bookkeeper.user)
	assert access[account.customer.name]["Invoices"].view
	assert not access[other.name]["Invoices"].view

	mine = factories.make_sales_invoice(account.customer.name)
	theirs = factories.make_sales_invoice(other.name)
	portal.clear_access_cache()
	mine, theirs = frappe.get_doc("Sales Invoice", mine.name), frappe.get_doc("Sales Invoice", theirs.name)
	with as_user(account.bookkeeper.user):  # ERPNext's own check reads the session user
		assert frappe.has_website_permission(mine)
		assert not frappe.has_website_permission(theirs)


def test_desk_users_are_never_restricted(account):
	invoice = factories.make_sales_invoice(account.customer.name)
	api.set_access(account.bookkeeper.name, {"Invoices": {"view": 0}})
	accountant = factories.make_user(roles=["Accounts User"])
	assert frappe.has_permission("Sales Invoice", "read", invoice.name, user=accountant.name)
	assert invoice.name in frappe.get_list("Sales Invoice", pluck="name", limit=0)


def test_notifications_reach_only_opted_in_contacts_and_say_why_when_none(account):
	from frappe.email.doctype.notification.notification import evaluate_alert

	invoice = factories.make_sales_invoice(
		account.customer.name, contact_person=account.lead.name, contact_email=account.lead.email_id
	)
	notification = factories.make_notification(
		**{
			"subject": "Invoice {{ doc.name }}",
			"document_type": "Sales Invoice",
			"event": "Submit",
			"channel": "Email",
			"message": "Your invoice",
			"recipients": [{"receiver_by_document_field": "contact_email"}],
		}
	)

	def queued():
		return frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Sales Invoice", "reference_name": invoice.name},
			pluck="name",
		)

	api.set_access(account.lead.name, {"Invoices": {"email": 0}})
	evaluate_alert(frappe.get_doc("Sales Invoice", invoice.name), notification.name, "Submit")
	assert queued() == []
	notes = frappe.get_all("Comment", filters={"reference_name": invoice.name}, pluck="content")
	assert any("not sent" in note and notification.name in note for note in notes)

	api.set_access(account.lead.name, {"Invoices": {"email": 1}})
	evaluate_alert(frappe.get_doc("Sales Invoice", invoice.name), notification.name, "Submit")
	assert len(queued()) == 1


def test_an_opted_out_address_is_dropped_however_it_is_written(account):
	invoice = factories.make_sales_invoice(account.customer.name)
	api.set_access(account.lead.name, {"Invoices": {"email": 0}})
	lead = account.lead.email_id
	# Frappe splits "a, b" on the comma (the second keeps its space); cc and Auto Repeat take names
	written = [f" {lead}", f"Lead <{lead}>", lead.upper(), "accounting@example.com"]
	kept, dropped = portal.filter_automatic_recipients("Sales Invoice", invoice.name, written)
	assert kept == ["accounting@example.com"] and dropped == written[:3]
	# the control: opted in again, every spelling reaches the contact
	api.set_access(account.lead.name, {"Invoices": {"email": 1}})
	assert portal.filter_automatic_recipients("Sales Invoice", invoice.name, written) == (written, [])


@pytest.mark.http
def test_auto_repeat_mail_reaches_only_opted_in_contacts_and_outsiders(account, http_server, monkeypatch):
	# the mail attaches a PDF, and wkhtmltopdf fetches the print styles from the site's own URL
	monkeypatch.setitem(frappe.local.conf, "host_name", http_server)
	order = factories.make_sales_order(account.customer.name)
	auto_repeat = factories.make_auto_repeat(
		"Sales Order",
		order.name,
		notify_by_email=1,
		recipients=f"{account.bookkeeper.email_id}, {account.lead.email_id}, accounting@example.com",
	)
	auto_repeat = frappe.get_doc("Auto Repeat", auto_repeat.name)  # the app's controller

	def mailed():
		rows = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Sales Order", "reference_name": order.name},
			pluck="recipients",
			order_by="creation desc",
		)
		return rows[0] if rows else None

	api.set_access(account.lead.name, {"Orders": {"email": 0}})
	auto_repeat.send_notification(order)
	recipients = mailed()
	assert account.bookkeeper.email_id in recipients and "accounting@example.com" in recipients
	assert account.lead.email_id not in recipients
	assert auto_repeat.recipients.count("@") == 3  # the Auto Repeat itself is not changed

	auto_repeat.recipients = account.lead.email_id
	frappe.db.delete("Communication", {"reference_doctype": "Sales Order", "reference_name": order.name})
	auto_repeat.send_notification(order)
	assert mailed() is None
	notes = frappe.get_all("Comment", filters={"reference_name": order.name}, pluck="content")
	assert any("sent no e-mail" in note for note in notes)


def test_a_user_made_a_system_user_is_no_longer_judged_as_a_portal_user(account):
	"""A user's type is read once per request with its customers and contacts; changing the
	User reads it again."""
	user = account.bookkeeper.user
	assert portal.is_portal_user(user)
	doc = frappe.get_doc("User", user)
	doc.append("roles", {"role": "Sales User"})  # Frappe derives the type from desk roles
	doc.user_type = "System User"
	doc.save(ignore_permissions=True)
	assert frappe.db.get_value("User", user, "user_type") == "System User"
	assert not portal.is_portal_user(user)


def test_a_portal_users_access_follows_the_settings_defaults(account):
	user = account.bookkeeper.user
	assert portal.user_access(user)[account.customer.name]["Invoices"].view  # the control
	settings = frappe.get_single(portal.SETTINGS)
	next(row for row in settings.portal_defaults if row.section == "Invoices").view = 0
	settings.save(ignore_permissions=True)
	portal.clear_access_cache()
	invoices = portal.user_access(user)[account.customer.name]["Invoices"]
	assert not invoices.view and invoices.view_source == core.Source.DEFAULT
