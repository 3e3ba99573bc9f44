"""Held invoices get no Dunning and no Notification; holds expire; single holds (issue 3)."""

import pytest

import frappe
from frappe.email.doctype.notification.notification import evaluate_alert
from frappe.utils import add_days, nowdate

from crm_lifecycle.services import invoice_hold
from tests import factories


@pytest.fixture
def overdue_invoice():
	customer = factories.make_customer()
	return factories.make_sales_invoice(
		customer.name, posting_date=add_days(nowdate(), -40), due_date=add_days(nowdate(), -10)
	)


def test_dunning_is_refused_for_a_held_invoice_and_allowed_once_released(overdue_invoice):
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import create_dunning

	invoice_hold.hold([overdue_invoice.name], reason="Disputed")
	with pytest.raises(frappe.ValidationError, match="on hold"):
		create_dunning(overdue_invoice.name).insert()

	invoice_hold.release([overdue_invoice.name])
	dunning = create_dunning(overdue_invoice.name).insert()
	assert dunning.overdue_payments[0].sales_invoice == overdue_invoice.name


def make_overdue_notification():
	return factories.make_notification(
		**{
			"subject": "Invoice {{ doc.name }} is overdue",
			"document_type": "Sales Invoice",
			"event": "Days After",
			"date_changed": "due_date",
			"days_in_advance": 10,
			"channel": "Email",
			"message": "Please pay {{ doc.outstanding_amount }}",
			"recipients": [{"receiver_by_document_field": "", "cc": "ar@crm-lifecycle.test"}],
			"enabled": 1,
		}
	)


def queued_mails(invoice_name):
	return frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Sales Invoice", "reference_name": invoice_name},
		pluck="name",
	)


def test_notification_is_not_sent_for_a_held_invoice_and_sent_once_released(overdue_invoice):
	notification = make_overdue_notification()
	assert overdue_invoice.name in [doc.name for doc in notification.get_documents_for_today()]

	invoice_hold.hold([overdue_invoice.name])
	evaluate_alert(
		frappe.get_doc("Sales Invoice", overdue_invoice.name), notification.name, notification.event
	)
	assert queued_mails(overdue_invoice.name) == []

	invoice_hold.release([overdue_invoice.name])
	evaluate_alert(
		frappe.get_doc("Sales Invoice", overdue_invoice.name), notification.name, notification.event
	)
	assert len(queued_mails(overdue_invoice.name)) == 1


def test_hold_with_held_until_releases_itself_after_that_date(overdue_invoice):
	other = factories.make_sales_invoice(overdue_invoice.customer)
	invoice_hold.hold([overdue_invoice.name, other.name], held_until=add_days(nowdate(), 1))
	assert invoice_hold.release_expired(commit=False) == 0

	frappe.db.set_value("Sales Invoice", overdue_invoice.name, "crm_held_until", add_days(nowdate(), -1))
	assert invoice_hold.release_expired(commit=False) == 1
	assert not invoice_hold.is_on_hold(overdue_invoice.name)
	assert invoice_hold.is_on_hold(other.name)


def test_held_until_in_the_past_and_draft_invoices_are_refused(overdue_invoice):
	from crm_lifecycle.api.invoice_hold import hold_invoices

	with pytest.raises(frappe.ValidationError, match="past"):
		hold_invoices([overdue_invoice.name], held_until=add_days(nowdate(), -1))
	draft = factories.make_sales_invoice(overdue_invoice.customer, submit=False)
	with pytest.raises(frappe.ValidationError, match="outstanding"):
		hold_invoices([draft.name])
	assert not invoice_hold.is_on_hold(overdue_invoice.name)
	assert hold_invoices([overdue_invoice.name], reason="Disputed") == {"held": 1}  # control


def test_release_refuses_unknown_and_not_held_invoices(overdue_invoice):
	with pytest.raises(frappe.DoesNotExistError):
		invoice_hold.release(["NO-SUCH-INVOICE"])
	with pytest.raises(frappe.ValidationError, match="None of these"):
		invoice_hold.release([overdue_invoice.name])


def test_release_all_held_invoices_of_a_customer(overdue_invoice):
	from crm_lifecycle.api.invoice_hold import release_customer_invoices

	other = factories.make_sales_invoice(overdue_invoice.customer)
	invoice_hold.hold([overdue_invoice.name, other.name])
	result = release_customer_invoices(overdue_invoice.customer)
	assert sorted(result["released"]) == sorted([overdue_invoice.name, other.name])
	with pytest.raises(frappe.ValidationError, match="no invoices on hold"):
		release_customer_invoices(overdue_invoice.customer)


def test_user_without_sales_invoice_write_cannot_hold_or_release(as_user, overdue_invoice):
	from crm_lifecycle.api.invoice_hold import hold_invoices, release_invoices

	sales = factories.make_user(roles=["Sales User"])
	with as_user(sales.name), pytest.raises(frappe.PermissionError):
		hold_invoices([overdue_invoice.name])
	invoice_hold.hold([overdue_invoice.name])
	with as_user(sales.name), pytest.raises(frappe.PermissionError):
		release_invoices([overdue_invoice.name])
	assert invoice_hold.is_on_hold(overdue_invoice.name)
	accountant = factories.make_user(roles=["Accounts User"])
	with as_user(accountant.name):
		assert release_invoices([overdue_invoice.name])["released"] == [overdue_invoice.name]


@pytest.fixture
def lockable_invoices():
	"""Sales Invoice among the lockable doctypes, as an administrator would set it (rolled back)."""
	settings = frappe.get_single("CRM Lifecycle Settings")
	if "Sales Invoice" not in {row.document_type for row in settings.lockable_doctypes}:
		settings.append("lockable_doctypes", {"document_type": "Sales Invoice"})
		settings.save()


def test_an_invoice_the_user_may_not_read_is_refused_and_its_lock_never_told(
	as_user, overdue_invoice, lockable_invoices
):
	"""A user permitted one customer: holding another customer's invoice is refused by count,
	even when that invoice is locked by somebody else (the lock's holder and reason stay untold)."""
	from crm_lifecycle.api.invoice_hold import hold_invoices, release_invoices
	from crm_lifecycle.services import locking

	mine = factories.make_sales_invoice(factories.make_customer().name)
	locker = factories.make_user(roles=["Accounts User"])
	with as_user(locker.name):
		locking.lock("Sales Invoice", overdue_invoice.name, reason="Secret audit")
	accountant = factories.make_user(roles=["Accounts User"]).name
	factories.restrict(accountant, "Customer", mine.customer)
	try:
		with as_user(accountant), pytest.raises(frappe.PermissionError) as refused:
			hold_invoices(frappe.as_json([mine.name, overdue_invoice.name]))
		assert "1 of these Sales Invoices" in str(refused.value)
		assert "Secret audit" not in str(refused.value) and locker.name not in str(refused.value)
		assert not invoice_hold.is_on_hold(mine.name)  # nothing half-done
		with as_user(accountant):
			hold_invoices(frappe.as_json([mine.name]))  # control: the readable one alone
		assert invoice_hold.is_on_hold(mine.name)
		# a release says nothing of an unreadable invoice's hold either (not "none is on hold")
		with as_user(accountant), pytest.raises(frappe.PermissionError, match="1 of these"):
			release_invoices(frappe.as_json([overdue_invoice.name]))
		with as_user(accountant):  # control
			assert release_invoices(frappe.as_json([mine.name]))["released"] == [mine.name]
	finally:
		frappe.cache.hdel("user_permissions", accountant)


def test_a_release_is_refused_by_a_lock_only_on_an_invoice_it_releases(
	as_user, overdue_invoice, lockable_invoices
):
	from crm_lifecycle.api.invoice_hold import release_invoices
	from crm_lifecycle.services import locking

	held = factories.make_sales_invoice(overdue_invoice.customer)
	invoice_hold.hold([held.name])
	with as_user(factories.make_user(roles=["Accounts User"]).name):
		locking.lock("Sales Invoice", overdue_invoice.name, reason="Audit")
	accountant = factories.make_user(roles=["Accounts User"]).name
	with as_user(accountant):  # the locked one is not on hold: the release does not change it
		result = release_invoices(frappe.as_json([held.name, overdue_invoice.name]))
	assert result == {"released": [held.name], "not_held": [overdue_invoice.name]}
	# control: once on hold, the locked one is changed by a release, which the lock refuses
	invoice_hold.hold([overdue_invoice.name])
	with as_user(accountant), pytest.raises(frappe.PermissionError, match="Audit"):
		release_invoices(frappe.as_json([overdue_invoice.name]))
	assert invoice_hold.is_on_hold(overdue_invoice.name)


def test_an_invoice_shared_for_reading_only_is_not_held_or_released(as_user, overdue_invoice):
	"""A hold changes the invoice: who may only read it (a read share past a User Permission)
	may not hold or release it; a write share may."""
	from frappe.share import add as share

	from crm_lifecycle.api.invoice_hold import hold_invoices, release_invoices

	accountant = factories.make_user(roles=["Accounts User"]).name
	factories.restrict(accountant, "Customer", factories.make_customer().name)
	share("Sales Invoice", overdue_invoice.name, accountant, read=1, write=0)
	try:
		with as_user(accountant):
			assert frappe.has_permission("Sales Invoice", "read", overdue_invoice.name)
			with pytest.raises(frappe.PermissionError):
				hold_invoices(frappe.as_json([overdue_invoice.name]))
		assert not invoice_hold.is_on_hold(overdue_invoice.name)
		invoice_hold.hold([overdue_invoice.name])
		with as_user(accountant), pytest.raises(frappe.PermissionError):
			release_invoices(frappe.as_json([overdue_invoice.name]))
		assert invoice_hold.is_on_hold(overdue_invoice.name)
		# control: shared for writing, the same user releases and holds it
		share("Sales Invoice", overdue_invoice.name, accountant, read=1, write=1)
		with as_user(accountant):
			assert release_invoices(frappe.as_json([overdue_invoice.name]))["released"] == [
				overdue_invoice.name
			]
			hold_invoices(frappe.as_json([overdue_invoice.name]))
		assert invoice_hold.is_on_hold(overdue_invoice.name)
	finally:
		frappe.cache.hdel("user_permissions", accountant)


def test_a_release_note_reaches_the_timeline_escaped(overdue_invoice):
	"""The hold's comments are written set-based, past Comment's own sanitising: what they hold
	of a user's text is escaped."""
	invoice_hold.hold([overdue_invoice.name])
	invoice_hold.release([overdue_invoice.name], note='<img src=x onerror="alert(1)">Paid')
	content = frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": "Sales Invoice",
			"reference_name": overdue_invoice.name,
			"content": ("like", "%Paid%"),
		},
		pluck="content",
	)
	assert len(content) == 1 and "<img" not in content[0]
