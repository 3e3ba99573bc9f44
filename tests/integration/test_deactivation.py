"""Deactivation with invoice hold and subscription cancellation, on the real site (issue 3)."""

import pytest

import frappe
from frappe.desk.form.load import getdoc
from frappe.utils import add_days, nowdate

from crm_lifecycle.services import deactivation, invoice_hold
from crm_lifecycle.services.merge import preview as merge_preview
from tests import factories


@pytest.fixture
def customer_with_business():
	"""A customer with two open invoices, one paid-up draft, a running subscription and a contact."""
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name)
	open_invoices = [factories.make_sales_invoice(customer.name, rate=rate) for rate in (100, 250)]
	draft = factories.make_sales_invoice(customer.name, rate=70, submit=False)
	subscription = factories.make_subscription(customer.name)
	return frappe._dict(
		customer=customer, contact=contact, invoices=open_invoices, draft=draft, subscription=subscription
	)


def state(doctype, name):
	"""The record's lifecycle as its form gets it: crm_active, and who deactivated it, when and
	why (on, by, reason) while it is inactive (the desk's document load, banner data included)."""
	getdoc(doctype, name)
	doc = frappe.response.docs[-1]
	explained = doc.get_onload().get("crm_lifecycle_events", {})
	return frappe._dict(crm_active=doc.crm_active, **(explained.get("deactivated") or {}))


def held(name):
	return frappe.db.get_value(
		"Sales Invoice", name, ["crm_reminders_on_hold", "crm_held_by", "crm_hold_reason"], as_dict=True
	)


def timeline(doctype, name):
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": name, "comment_type": "Info"},
		pluck="content",
	)


def test_preview_lists_open_invoices_and_running_subscriptions(customer_with_business):
	data = customer_with_business
	preview = deactivation.preview("Customer", data.customer.name)

	assert preview["needs_decision"] is True
	assert sorted(row["name"] for row in preview["invoices"]) == sorted(i.name for i in data.invoices)
	assert preview["outstanding_by_currency"] == {data.invoices[0].currency: 350.0}
	assert [row["name"] for row in preview["subscriptions"]] == [data.subscription.name]


def test_preview_of_a_customer_without_business_needs_no_decision():
	customer = factories.make_customer()
	preview = deactivation.preview("Customer", customer.name)
	assert preview["needs_decision"] is False
	assert preview["invoices"] == [] and preview["subscriptions"] == []


def test_deactivate_with_hold_and_cancel_touches_exactly_what_was_asked(customer_with_business):
	data = customer_with_business
	result = deactivation.deactivate(
		"Customer", data.customer.name, hold_invoices=True, cancel_subscriptions=True, reason="Bad payer"
	)

	assert result["invoices_held"] == 2
	after = state("Customer", data.customer.name)
	assert after.crm_active == 0
	assert after.by == "Administrator"
	assert after.on
	assert after.reason == "Bad payer"
	for invoice in data.invoices:
		assert held(invoice.name) == {
			"crm_reminders_on_hold": 1,
			"crm_held_by": "Administrator",
			"crm_hold_reason": "Bad payer",
		}
		assert any("put on hold" in text for text in timeline("Sales Invoice", invoice.name))
	assert held(data.draft.name).crm_reminders_on_hold == 0
	assert frappe.db.get_value("Subscription", data.subscription.name, "status") == "Cancelled"
	assert any(
		"Deactivated by" in text and "Bad payer" in text for text in timeline("Customer", data.customer.name)
	)
	# the customer's contact stays active
	assert state("Contact", data.contact.name).crm_active == 1


def test_deactivate_without_choices_leaves_invoices_and_subscriptions(customer_with_business):
	data = customer_with_business
	deactivation.deactivate("Customer", data.customer.name)

	assert state("Customer", data.customer.name).crm_active == 0
	assert all(held(invoice.name).crm_reminders_on_hold == 0 for invoice in data.invoices)
	assert frappe.db.get_value("Subscription", data.subscription.name, "status") != "Cancelled"


def test_auto_repeat_of_the_customers_order_is_disabled_and_stays_so(customer_with_business):
	data = customer_with_business
	order = factories.make_sales_order(data.customer.name)
	auto_repeat = factories.make_auto_repeat("Sales Order", order.name)
	preview = deactivation.preview("Customer", data.customer.name)
	assert auto_repeat.name in [row["name"] for row in preview["subscriptions"]]

	deactivation.deactivate("Customer", data.customer.name, cancel_subscriptions=True)
	assert frappe.db.get_value("Auto Repeat", auto_repeat.name, "disabled") == 1

	deactivation.reactivate("Customer", data.customer.name)
	assert frappe.db.get_value("Auto Repeat", auto_repeat.name, "disabled") == 1
	assert frappe.db.get_value("Subscription", data.subscription.name, "status") == "Cancelled"


def test_reactivate_keeps_invoices_on_hold_until_released(customer_with_business):
	data = customer_with_business
	deactivation.deactivate("Customer", data.customer.name, hold_invoices=True)
	deactivation.reactivate("Customer", data.customer.name)

	after = state("Customer", data.customer.name)
	assert after.crm_active == 1 and after.by is None
	assert [row.event for row in factories.lifecycle_events("Customer", data.customer.name)] == [
		"Reactivated",
		"Deactivated",
	]
	assert any("Reactivated by" in text for text in timeline("Customer", data.customer.name))
	assert all(held(invoice.name).crm_reminders_on_hold == 1 for invoice in data.invoices)

	result = invoice_hold.release([data.invoices[0].name])
	assert result == {"released": [data.invoices[0].name], "not_held": []}
	assert held(data.invoices[0].name).crm_reminders_on_hold == 0
	assert held(data.invoices[1].name).crm_reminders_on_hold == 1
	assert any("released" in text for text in timeline("Sales Invoice", data.invoices[0].name))

	result = invoice_hold.release([invoice.name for invoice in data.invoices])
	assert result == {"released": [data.invoices[1].name], "not_held": [data.invoices[0].name]}


def test_contact_deactivation_leaves_its_customer_active(customer_with_business):
	data = customer_with_business
	deactivation.deactivate("Contact", data.contact.name, reason="Left the company")

	assert state("Contact", data.contact.name).crm_active == 0
	assert state("Customer", data.customer.name).crm_active == 1


@pytest.mark.parametrize(
	("doctype", "name", "exception"),
	[
		("Supplier", "anything", frappe.ValidationError),
		("Customer", "No Such Customer 123", frappe.DoesNotExistError),
		("Contact", "No Such Contact 123", frappe.DoesNotExistError),
	],
)
def test_bad_input_is_refused_with_a_clear_error(doctype, name, exception):
	with pytest.raises(exception):
		deactivation.deactivate(doctype, name)


def test_deactivating_twice_and_reactivating_an_active_record_are_refused():
	customer = factories.make_customer()
	with pytest.raises(frappe.ValidationError, match="already active"):
		deactivation.reactivate("Customer", customer.name)
	deactivation.deactivate("Customer", customer.name)
	with pytest.raises(frappe.ValidationError, match="already inactive"):
		deactivation.deactivate("Customer", customer.name)


def test_a_failure_halfway_leaves_nothing_changed(customer_with_business):
	"""The subscription is cancelled first; disabling the broken Auto Repeat then fails."""
	data = customer_with_business
	auto_repeat = factories.make_auto_repeat(
		"Sales Order", factories.make_sales_order(data.customer.name).name
	)
	frappe.db.set_value("Auto Repeat", auto_repeat.name, "end_date", add_days(nowdate(), -30))

	with pytest.raises(frappe.ValidationError, match="End Date"):
		deactivation.deactivate("Customer", data.customer.name, hold_invoices=True, cancel_subscriptions=True)

	assert state("Customer", data.customer.name).crm_active == 1
	assert frappe.db.get_value("Subscription", data.subscription.name, "status") != "Cancelled"
	assert all(held(invoice.name).crm_reminders_on_hold == 0 for invoice in data.invoices)
	assert frappe.db.get_value("Auto Repeat", auto_repeat.name, "disabled") == 0


def test_permissions_customer_write_and_sales_invoice_write(as_user, customer_with_business):
	data = customer_with_business
	reader = factories.make_user(roles=["Accounts Manager"])  # reads customers, cannot write them
	sales = factories.make_user(roles=["Sales User"])  # writes customers, only reads invoices

	with as_user(reader.name), pytest.raises(frappe.PermissionError):
		deactivation.deactivate("Customer", data.customer.name)
	assert state("Customer", data.customer.name).crm_active == 1

	with as_user(sales.name), pytest.raises(frappe.PermissionError):
		deactivation.deactivate("Customer", data.customer.name, hold_invoices=True)
	assert state("Customer", data.customer.name).crm_active == 1
	assert all(held(invoice.name).crm_reminders_on_hold == 0 for invoice in data.invoices)

	# control: the same user may deactivate when no invoice is to be held
	with as_user(sales.name):
		deactivation.deactivate("Customer", data.customer.name)
	assert state("Customer", data.customer.name).crm_active == 0


def test_lifecycle_state_cannot_be_changed_by_a_plain_save():
	customer = frappe.get_doc("Customer", factories.make_customer().name)
	customer.crm_active = 0
	with pytest.raises(frappe.ValidationError, match="Deactivate"):
		customer.save()
	customer.reload()
	customer.customer_details = "still editable"
	customer.save()  # control: other fields save fine


@pytest.mark.parametrize("policy", ["Allow", "Warn", "Block"])
def test_new_sales_documents_for_an_inactive_customer_follow_the_setting(policy):
	frappe.db.set_single_value("CRM Lifecycle Settings", "inactive_customer_transactions", policy)
	customer = factories.make_customer()
	deactivation.deactivate("Customer", customer.name)
	frappe.local.message_log = []

	if policy == "Block":
		with pytest.raises(frappe.ValidationError, match="blocked"):
			factories.make_sales_invoice(customer.name, submit=False)
	else:
		invoice = factories.make_sales_invoice(customer.name)
		assert invoice.docstatus == 1
		warned = any("deactivated" in str(message) for message in frappe.local.message_log)
		assert warned is (policy == "Warn")


def test_inactive_customer_stays_usable_in_quotation_and_opportunity_even_when_blocked():
	frappe.db.set_single_value("CRM Lifecycle Settings", "inactive_customer_transactions", "Block")
	customer = factories.make_customer()
	deactivation.deactivate("Customer", customer.name)
	opportunity = frappe.get_doc(
		{"doctype": "Opportunity", "opportunity_from": "Customer", "party_name": customer.name}
	).insert()
	quotation = frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": "Customer",
			"party_name": customer.name,
			"company": factories.company(),
			"items": [{"item_code": factories.TEST_ITEM, "qty": 1, "rate": 10}],
		}
	).insert()
	assert opportunity.name and quotation.name


def test_active_no_filter_finds_deactivated_customers():
	active, inactive = factories.make_customer(), factories.make_customer()
	deactivation.deactivate("Customer", inactive.name)
	found = frappe.get_list("Customer", filters={"crm_active": 0}, pluck="name", limit=0)
	assert inactive.name in found and active.name not in found


def test_a_subscription_invoicing_at_period_end_is_cancelled_without_a_closing_invoice():
	"""The same on every v15 minor (ERPNext's own Cancel makes a closing invoice on 15.18 and fails
	comparing dates on newer minors): cancelled for good, the running period named in the timeline."""
	customer = factories.make_customer()
	subscription = factories.make_subscription(
		customer.name,
		start_date=frappe.utils.add_days(frappe.utils.nowdate(), -10),
		generate_invoice_at="End of the current subscription period",
	)
	assert frappe.db.get_value("Subscription", subscription.name, "status") == "Active"  # the premise
	invoices_before = frappe.db.count("Sales Invoice", {"subscription": subscription.name})

	deactivation.deactivate("Customer", customer.name, cancel_subscriptions=True)

	assert frappe.db.get_value("Subscription", subscription.name, "status") == "Cancelled"
	assert frappe.db.count("Sales Invoice", {"subscription": subscription.name}) == invoices_before
	assert any(
		subscription.name in text and "not invoiced" in text for text in timeline("Customer", customer.name)
	)
	# a real save: Subscription tracks changes in ERPNext, so the cancellation left a Version
	versions = frappe.get_all(
		"Version", {"ref_doctype": "Subscription", "docname": subscription.name}, pluck="data"
	)
	assert any("Cancelled" in data for data in versions)


def test_deactivation_leaves_a_version_like_a_form_save():
	customer = factories.make_customer()
	deactivation.deactivate("Customer", customer.name, reason="Moved away")
	[version] = frappe.get_all(
		"Version", {"ref_doctype": "Customer", "docname": customer.name}, pluck="data", limit=1
	)
	changed = {row[0] for row in frappe.parse_json(version)["changed"]}
	assert "crm_active" in changed
	assert [(row.event, row.reason) for row in factories.lifecycle_events("Customer", customer.name)] == [
		("Deactivated", "Moved away")
	]
	assert frappe.db.get_value("Customer", customer.name, "modified_by") == "Administrator"


def test_a_subscription_cancelled_by_deactivation_cannot_be_restarted():
	customer = factories.make_customer()
	subscription = factories.make_subscription(customer.name)
	deactivation.deactivate("Customer", customer.name, cancel_subscriptions=True)
	with pytest.raises(frappe.ValidationError, match="cancelled for good"):
		frappe.get_doc("Subscription", subscription.name).restart_subscription()
	frappe.clear_last_message()
	deactivation.reactivate("Customer", customer.name)
	with pytest.raises(frappe.ValidationError, match="cancelled for good"):  # irreversible, even now
		frappe.get_doc("Subscription", subscription.name).restart_subscription()
	frappe.clear_last_message()
	assert frappe.db.get_value("Subscription", subscription.name, "status") == "Cancelled"

	# the control: a subscription cancelled otherwise restarts as ERPNext lets it
	other = factories.make_subscription(factories.make_customer().name)
	frappe.db.set_value("Subscription", other.name, {"status": "Cancelled", "cancelation_date": nowdate()})
	frappe.get_doc("Subscription", other.name).restart_subscription()
	assert frappe.db.get_value("Subscription", other.name, "status") != "Cancelled"


def test_an_auto_repeat_disabled_by_deactivation_stays_off_while_the_customer_is_inactive():
	customer = factories.make_customer()
	order = factories.make_sales_order(customer.name)
	auto_repeat = factories.make_auto_repeat("Sales Order", order.name)
	deactivation.deactivate("Customer", customer.name, cancel_subscriptions=True)

	doc = frappe.get_doc("Auto Repeat", auto_repeat.name)
	doc.disabled = 0
	with pytest.raises(frappe.ValidationError, match="reactivate the customer first"):
		doc.save()
	frappe.clear_last_message()

	deactivation.reactivate("Customer", customer.name)
	doc = frappe.get_doc("Auto Repeat", auto_repeat.name)
	doc.disabled = 0
	doc.save()  # the control: with the customer active again, it may run again
	assert frappe.db.get_value("Auto Repeat", auto_repeat.name, "disabled") == 0


@pytest.mark.parametrize("setting", [1, 0])
def test_invoices_submitted_for_an_inactive_customer_go_on_hold(setting):
	frappe.db.set_single_value("CRM Lifecycle Settings", "hold_invoices_of_inactive_customers", setting)
	frappe.clear_document_cache("CRM Lifecycle Settings", "CRM Lifecycle Settings")
	customer = factories.make_customer()
	deactivation.deactivate("Customer", customer.name)
	invoice = factories.make_sales_invoice(customer.name)
	on_hold = frappe.db.get_value(
		"Sales Invoice", invoice.name, ["crm_reminders_on_hold", "crm_hold_reason"], as_dict=True
	)
	if setting:
		assert on_hold.crm_reminders_on_hold == 1 and on_hold.crm_hold_reason == "Customer inactive"
		assert any("customer inactive" in text for text in timeline("Sales Invoice", invoice.name))
		deactivation.reactivate("Customer", customer.name)  # stays held until released
		assert frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 1
	else:  # the control: switched off, nothing is held
		assert on_hold.crm_reminders_on_hold == 0
	# an active customer's invoice is never held
	assert (
		frappe.db.get_value(
			"Sales Invoice",
			factories.make_sales_invoice(factories.make_customer().name).name,
			"crm_reminders_on_hold",
		)
		== 0
	)


def test_previews_count_what_the_caller_may_not_read_and_name_the_rest(as_user):
	"""A Sales User reads customers, not Sales Invoices: the deactivation preview and the merge
	preview count the invoices and leave out their names and amounts; Administrator sees them."""
	source, target = factories.make_customer(), factories.make_customer()
	invoices = [factories.make_sales_invoice(source.name, rate=rate).name for rate in (120, 80)]
	seller = factories.make_user(roles=["Sales User"])

	with as_user(seller.name):
		preview = deactivation.preview("Customer", source.name)
		merge = merge_preview("Customer", source.name, target.name)
	assert preview["open_invoices"] == 2 and preview["hidden_invoices"] == 2
	assert preview["invoices"] == [] and preview["outstanding_by_currency"] == {}
	moving = {link["doctype"]: link for link in merge["links"]}
	assert moving["Sales Invoice"]["count"] == 2 and moving["Sales Invoice"]["names"] == []
	assert not any(name in frappe.as_json(preview) + frappe.as_json(merge) for name in invoices)

	# the control: a reader of invoices gets their names and amounts
	preview = deactivation.preview("Customer", source.name)
	assert sorted(row["name"] for row in preview["invoices"]) == sorted(invoices)
	assert preview["hidden_invoices"] == 0 and sum(preview["outstanding_by_currency"].values()) == 200
	merge = merge_preview("Customer", source.name, target.name)
	assert sorted({link["doctype"]: link for link in merge["links"]}["Sales Invoice"]["names"]) == sorted(
		invoices
	)
