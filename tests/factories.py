"""Realistic ERPNext data for the integration suite and the benchmarks.

Every factory takes keyword overrides and returns the saved document. `seed()` creates the
shared, committed baseline once (idempotent); everything else is made per test and rolled
back, or, inside `track()`, recorded so that `delete_all()` can remove it again.
"""

import contextlib

import frappe
from frappe.utils import add_days, nowdate

TEST_ITEM = "CRM-LC-TEST-ITEM"
TEST_PLAN = "CRM LC Test Plan"
PORTAL_PASSWORD = "Portal-Pass-2026!"

_trackers: list[list[tuple[str, str]]] = []


@contextlib.contextmanager
def track(created: list[tuple[str, str]]):
	"""Inside this block every factory commits what it made (so other connections, such as the
	HTTP test server, see it) and records it in `created` for `delete_all`."""
	_trackers.append(created)
	try:
		yield created
	finally:
		_trackers.remove(created)


def _record(doc):
	for created in _trackers:
		created.append((doc.doctype, doc.name))
	if _trackers:
		frappe.db.commit()
	return doc


def delete_all(created: list[tuple[str, str]]) -> None:
	"""Delete what a tracked block created, newest first and users last (Frappe refuses to delete
	a user something still links to); submitted documents are cancelled first."""
	ordered = [row for row in reversed(created) if row[0] != "User"]
	ordered += [row for row in reversed(created) if row[0] == "User"]
	for doctype, name in ordered:
		if not frappe.db.exists(doctype, name):
			continue
		doc = frappe.get_doc(doctype, name)
		if doc.meta.is_submittable and doc.docstatus == 1:
			doc.flags.ignore_permissions = True
			doc.cancel()
		frappe.delete_doc(doctype, name, force=True, ignore_permissions=True, delete_permanently=True)


def delete_locks(names: list[str], comments: bool = False) -> None:
	"""After a test that committed locks on these customers: their lock rows and lock history
	(and, with `comments`, their timeline) deleted and committed, the Redis lock set dropped. A
	lock left behind would be logged as "Released" when its record is deleted."""
	frappe.db.rollback()
	for name in names:
		frappe.db.delete("Lifecycle Lock", {"reference_name": name})
		frappe.db.delete("Lifecycle Lock Log", {"reference_name": name})
		if comments:
			frappe.db.delete("Comment", {"reference_name": name})
	frappe.db.commit()
	from crm_lifecycle.services import locking

	locking.forget_cache("Customer")


def unique(prefix: str) -> str:
	return f"{prefix} {frappe.generate_hash(length=8)}"


def company() -> str:
	return (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name", limit=1)[0]
	)


def leaf(doctype: str) -> str:
	"""A non-group record of a tree DocType (Customer Group, Territory, Item Group)."""
	return frappe.get_all(doctype, filters={"is_group": 0}, pluck="name", order_by="lft", limit=1)[0]


TEST_OUTBOX = "crm-lifecycle-outbox@example.com"


def seed() -> None:
	"""The committed baseline every test may rely on; cheap when it already exists."""
	if not frappe.db.exists("Email Account", {"email_id": TEST_OUTBOX}):
		# Mail is only queued in tests (no worker sends it); the host never resolves.
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "CRM Lifecycle Test Outbox",
				"email_id": TEST_OUTBOX,
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.crm-lifecycle.invalid",
				"no_smtp_authentication": 1,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Item", TEST_ITEM):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": TEST_ITEM,
				"item_name": "CRM Lifecycle Test Service",
				"item_group": leaf("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
				"include_item_in_manufacturing": 0,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Subscription Plan", TEST_PLAN):
		frappe.get_doc(
			{
				"doctype": "Subscription Plan",
				"plan_name": TEST_PLAN,
				"item": TEST_ITEM,
				"price_determination": "Fixed Rate",
				"cost": 100,
				"billing_interval": "Month",
				"billing_interval_count": 1,
				"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			}
		).insert(ignore_permissions=True)


def _save_transaction(doc, submit: bool):
	"""Fill ERPNext's defaults (accounts, price list, ...), insert, submit if asked, record."""
	doc.set_missing_values()
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return _record(doc)


def make_customer(**kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": unique("Customer"),
			"customer_type": "Company",
			"customer_group": leaf("Customer Group"),
			"territory": leaf("Territory"),
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_user(
	email: str | None = None, roles: list[str] | None = None, user_type: str = "System User", **kwargs
):
	"""A user with a known password; System User with the given roles, or a Website User."""
	email = email or f"{frappe.generate_hash(length=10)}@crm-lifecycle.test"
	doc = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": email.split("@")[0],
			"send_welcome_email": 0,
			"user_type": user_type,
			"new_password": PORTAL_PASSWORD,
			**kwargs,
		}
	)
	for role in roles or []:
		doc.append("roles", {"role": role})
	doc.insert(ignore_permissions=True)
	return _record(doc)


def restrict(user: str, doctype: str, value: str, **kwargs) -> str:
	"""A User Permission: `user` sees only `value` of `doctype` (and what links to it); returns the user."""
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": doctype, "for_value": value, **kwargs}
	).insert(ignore_permissions=True)
	return user


def make_contact(customer: str | None = None, portal_user: bool = False, **kwargs):
	"""A contact linked to `customer`; with `portal_user`, also a Website User the customer lists."""
	email = kwargs.pop("email_id", None) or f"{frappe.generate_hash(length=10)}@crm-lifecycle.test"
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": kwargs.pop("first_name", None) or unique("Contact"),
			"email_ids": [{"email_id": email, "is_primary": 1}],
			**kwargs,
		}
	)
	if customer:
		doc.append("links", {"link_doctype": "Customer", "link_name": customer})
	if portal_user:
		user = make_user(email=email, user_type="Website User", roles=["Customer"])
		doc.user = user.name
	doc.insert(ignore_permissions=True)
	if customer and portal_user:
		customer_doc = frappe.get_doc("Customer", customer)
		customer_doc.append("portal_users", {"user": doc.user})
		customer_doc.save(ignore_permissions=True)
	return _record(doc)


def make_item(**kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": unique("ITEM"),
			"item_group": leaf("Item Group"),
			"stock_uom": "Nos",
			"is_stock_item": 0,
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_sales_invoice(customer: str, rate: float = 100, qty: float = 1, submit: bool = True, **kwargs):
	"""A Sales Invoice for the test service item; submitted (so it has an outstanding amount) by default."""
	posting_date = kwargs.pop("posting_date", nowdate())
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": kwargs.pop("company", None) or company(),
			"posting_date": posting_date,
			"set_posting_time": 1,
			"due_date": kwargs.pop("due_date", None) or add_days(posting_date, 30),
			"items": [{"item_code": kwargs.pop("item_code", TEST_ITEM), "qty": qty, "rate": rate}],
			**kwargs,
		}
	)
	return _save_transaction(doc, submit)


def make_subscription(customer: str, **kwargs):
	"""A running ERPNext Subscription of the customer on the seeded plan."""
	doc = frappe.get_doc(
		{
			"doctype": "Subscription",
			"party_type": "Customer",
			"party": customer,
			"company": kwargs.pop("company", None) or company(),
			"start_date": kwargs.pop("start_date", None) or nowdate(),
			"plans": [{"plan": TEST_PLAN, "qty": 1}],
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_email_template(**kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Email Template",
			"name": unique("Payment Reminder"),
			"subject": "Reminder: {{ name }} is overdue",
			"response": "Please pay {{ outstanding_amount }} for {{ name }}.",
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_auto_repeat(reference_doctype: str, reference_document: str, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Auto Repeat",
			"reference_doctype": reference_doctype,
			"reference_document": reference_document,
			"frequency": "Monthly",
			"start_date": kwargs.pop("start_date", None) or add_days(nowdate(), 1),
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_sales_order(customer: str, rate: float = 100, qty: float = 1, submit: bool = True, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Sales Order",
			"customer": customer,
			"company": kwargs.pop("company", None) or company(),
			"transaction_date": nowdate(),
			"delivery_date": add_days(nowdate(), 7),
			"items": [{"item_code": kwargs.pop("item_code", TEST_ITEM), "qty": qty, "rate": rate}],
			**kwargs,
		}
	)
	return _save_transaction(doc, submit)


def make_lead(with_contact: bool = True, **kwargs):
	"""A lead of a company, with an email. ERPNext makes a Contact for every new lead (CRM Settings
	"Auto Creation of Contact"); `with_contact=False` removes it, as for a lead made before that
	setting was on. No phone number by default: ERPNext's Contact.after_insert COMMITS when the
	contact has one (call_log.link_existing_conversations), which would defeat the test's rollback.
	Give a lead a phone afterwards with frappe.db.set_value."""
	hash_ = frappe.generate_hash(length=8)
	doc = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": f"Lena {hash_}",
			"company_name": unique("Lead Company"),
			"email_id": f"lead-{hash_}@crm-lifecycle.test",
			"company": company(),
			"source": "Cold Calling",
			**kwargs,
		}
	).insert(ignore_permissions=True)
	if not with_contact:
		contacts = frappe.get_all(
			"Dynamic Link",
			filters={"parenttype": "Contact", "link_doctype": "Lead", "link_name": doc.name},
			pluck="parent",
		)
		for contact in contacts:
			frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
	return _record(doc)


def make_opportunity(lead: str | None = None, customer: str | None = None, qty=2, rate=150, **kwargs):
	"""An opportunity of a lead (a new one unless given) or of a customer, with one item row."""
	items = kwargs.pop("items", None)
	if items is None:
		items = [{"item_code": kwargs.pop("item_code", TEST_ITEM), "qty": qty, "rate": rate, "uom": "Nos"}]
	doc = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer" if customer else "Lead",
			"party_name": customer or lead or make_lead().name,
			"company": kwargs.pop("company", None) or company(),
			"items": items,
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_quotation(customer: str | None = None, lead: str | None = None, submit: bool = True, **kwargs):
	"""A quotation of a customer or a lead (a new lead unless given), submitted by default."""
	items = kwargs.pop("items", None) or [{"item_code": TEST_ITEM, "qty": 3, "rate": 200}]
	doc = frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": "Customer" if customer else "Lead",
			"party_name": customer or lead or make_lead().name,
			"company": kwargs.pop("company", None) or company(),
			"transaction_date": nowdate(),
			"currency": kwargs.pop("currency", None)
			or frappe.db.get_value("Company", company(), "default_currency"),
			"selling_price_list": kwargs.pop("selling_price_list", None) or "Standard Selling",
			"items": items,
			**kwargs,
		}
	)
	return _save_transaction(doc, submit)


def make_campaign(**kwargs):
	doc = frappe.get_doc({"doctype": "Campaign", "campaign_name": unique("Campaign"), **kwargs}).insert(
		ignore_permissions=True
	)
	return _record(doc)


def make_credit_note(invoice, **kwargs):
	"""A submitted return against `invoice` (a Credit Note in the portal)."""
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": invoice.customer,
			"company": invoice.company,
			"is_return": 1,
			"return_against": invoice.name,
			"items": [
				{"item_code": row.item_code, "qty": -row.qty, "rate": row.rate} for row in invoice.items
			],
			**kwargs,
		}
	)
	return _save_transaction(doc, submit=True)


def make_delivery_note(customer: str, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"customer": customer,
			"company": company(),
			"items": [{"item_code": TEST_ITEM, "qty": 1, "rate": 100}],
			**kwargs,
		}
	)
	return _save_transaction(doc, submit=True)


def make_project(customer: str, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Project",
			"project_name": unique("Project"),
			"customer": customer,
			"company": company(),
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_task(project: str, **kwargs):
	doc = frappe.get_doc({"doctype": "Task", "subject": unique("Task"), "project": project, **kwargs}).insert(
		ignore_permissions=True
	)
	return _record(doc)


def _activity_type() -> str:
	name = frappe.db.get_value("Activity Type", {}, "name")
	if not name:
		name = (
			frappe.get_doc({"doctype": "Activity Type", "activity_type": "CRM LC Work"})
			.insert(ignore_permissions=True)
			.name
		)
	return name


def make_timesheet(customer: str, project: str | None = None, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Timesheet",
			"customer": customer,
			"parent_project": project,
			"company": company(),
			"time_logs": [
				{
					"activity_type": _activity_type(),
					"from_time": f"{nowdate()} 09:00:00",
					"hours": 2,
					"project": project,
				}
			],
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


def make_issue(customer: str, **kwargs):
	doc = frappe.get_doc(
		{"doctype": "Issue", "subject": unique("Issue"), "customer": customer, **kwargs}
	).insert(ignore_permissions=True)
	return _record(doc)


_notifications: list[str] = []


def make_notification(**kwargs):
	"""A Notification; deleted again (not only rolled back) after the test: Frappe caches a
	doctype's notifications, and only the Notification's own delete clears that cache."""
	doc = frappe.get_doc({"doctype": "Notification", "name": unique("Notification"), **kwargs}).insert(
		ignore_permissions=True
	)
	_notifications.append(doc.name)
	return doc


def delete_notifications() -> None:
	while _notifications:
		frappe.delete_doc("Notification", _notifications.pop(), force=True, ignore_permissions=True)


def make_contract(customer: str, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Contract",
			"party_type": "Customer",
			"party_name": customer,
			"start_date": nowdate(),
			"contract_terms": unique("Terms"),
			**kwargs,
		}
	).insert(ignore_permissions=True)
	return _record(doc)


@contextlib.contextmanager
def committed_users(roles_by_key: dict[str, list[str]]):
	"""Users committed once (say, for a test module: Frappe throttles user creation) and
	deleted again afterwards; yields key -> user name."""
	created: list[tuple[str, str]] = []
	frappe.flags.in_import = True  # skips the creation throttle; then `enabled` must be passed
	try:
		with track(created):
			users = {key: make_user(roles=roles, enabled=1).name for key, roles in roles_by_key.items()}
	finally:
		frappe.flags.in_import = False
	try:
		yield users
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		delete_all(created)
		frappe.db.commit()


def lifecycle_events(doctype: str, name: str) -> list:
	"""The Lifecycle Event rows of a record, newest first."""
	return frappe.get_all(
		"Lifecycle Event",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["event", "user", "reason", "creation"],
		order_by="creation desc",
	)
