"""The app's own records about other documents (locks, their log, lifecycle events, dependency
graph links, payment reminders) are read only by who may read the documents they name: the roles
that read these doctypes never read past the User Permissions of those documents (the security
model: the app only narrows)."""

import pytest

import frappe
from frappe.utils import now_datetime

from crm_lifecycle.core.references import REFERENCES
from crm_lifecycle.services import visibility
from tests import factories

ROWS = ("allowed", "other")


def restricted_user(roles: list[str], customer: str, **permission) -> str:
	user = factories.make_user(roles=["Sales User", "Accounts User", *roles]).name
	return factories.restrict(user, "Customer", customer, **permission)


def insert(doctype: str, **values) -> str:
	return frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True).name


def rows_about(customers: dict[str, str]) -> dict[str, dict[str, str]]:
	"""doctype -> {"allowed" | "other": row}: one row of each doctype about each customer."""
	rows: dict[str, dict[str, str]] = {}
	for key, customer in customers.items():
		about = {"reference_doctype": "Customer", "reference_name": customer}
		rows.setdefault("Lifecycle Lock", {})[key] = insert(
			"Lifecycle Lock", **about, locked_by="Administrator", locked_on=now_datetime()
		)
		rows.setdefault("Lifecycle Lock Log", {})[key] = insert(
			"Lifecycle Lock Log", **about, action="Locked", user="Administrator"
		)
		rows.setdefault("Lifecycle Event", {})[key] = insert(
			"Lifecycle Event", **about, event="Deactivated", user="Administrator", reason="Moved"
		)
	return rows


def visible(doctype: str, rows: dict[str, str]) -> set[str]:
	names = frappe.get_list(doctype, filters={"name": ("in", list(rows.values()))}, pluck="name")
	by_name = {name: key for key, name in rows.items()}
	return {by_name[name] for name in names}


def openable(doctype: str, rows: dict[str, str], user: str) -> set[str]:
	return {key for key, name in rows.items() if frappe.has_permission(doctype, "read", name, user=user)}


def test_locks_their_log_and_lifecycle_events_are_read_only_about_readable_records(as_user):
	customers = {key: factories.make_customer().name for key in ROWS}
	rows = rows_about(customers)
	roles = ["CRM Lock Manager", "System Manager"]  # who may read these doctypes
	restricted = restricted_user(roles, customers["allowed"])
	unrestricted = factories.make_user(roles=["Sales User", *roles]).name  # control

	for doctype, named in rows.items():
		with as_user(restricted):
			assert visible(doctype, named) == {"allowed"}, doctype
			assert openable(doctype, named, restricted) == {"allowed"}, doctype
			with pytest.raises(frappe.PermissionError):
				frappe.get_doc(doctype, named["other"]).check_permission("read")
		with as_user(unrestricted):
			assert visible(doctype, named) == set(ROWS), doctype
			assert openable(doctype, named, unrestricted) == set(ROWS), doctype


def test_a_dependency_link_is_read_only_when_both_its_ends_are_readable(as_user):
	customers = {key: factories.make_customer().name for key in ROWS}
	invoices = {key: factories.make_sales_invoice(customer).name for key, customer in customers.items()}
	links = {
		f"{source} -> {target}": insert(
			"Lifecycle Document Link",
			source_doctype="Customer",
			source_name=customers[source],
			target_doctype="Sales Invoice",
			target_name=invoices[target],
			kind="Link",
		)
		for source in ROWS
		for target in ROWS
	}
	restricted = restricted_user(["CRM Lifecycle Manager"], customers["allowed"])
	with as_user(restricted):
		assert visible("Lifecycle Document Link", links) == {"allowed -> allowed"}
		assert openable("Lifecycle Document Link", links, restricted) == {"allowed -> allowed"}
	with as_user(factories.make_user(roles=["Sales User", "Accounts User", "CRM Lifecycle Manager"]).name):
		assert visible("Lifecycle Document Link", links) == set(links)  # control


def test_a_payment_reminder_is_read_only_by_who_may_read_its_invoice(as_user):
	customers = {key: factories.make_customer().name for key in ROWS}
	reminders = {
		key: insert(
			"Lifecycle Payment Reminder",
			sales_invoice=factories.make_sales_invoice(customer).name,
			customer=customer,
			days_after_due=7,
			reminder_key=factories.unique("reminder"),
			status="Sent",
		)
		for key, customer in customers.items()
	}
	# restricted on its invoices only: Frappe itself does not narrow the reminders' customer link
	restricted = restricted_user(
		[], customers["allowed"], apply_to_all_doctypes=0, applicable_for="Sales Invoice"
	)
	with as_user(restricted):
		assert visible("Lifecycle Payment Reminder", reminders) == {"allowed"}
		assert openable("Lifecycle Payment Reminder", reminders, restricted) == {"allowed"}
	with as_user(factories.make_user(roles=["Accounts User"]).name):
		assert visible("Lifecycle Payment Reminder", reminders) == set(ROWS)  # control


def test_a_reader_of_none_of_the_documents_lists_nothing_and_administrator_everything(as_user):
	customer = factories.make_customer().name
	rows = rows_about({"allowed": customer})
	lock_manager_only = factories.make_user(roles=["CRM Lock Manager"]).name  # reads no customer
	with as_user(lock_manager_only):
		assert visible("Lifecycle Lock", rows["Lifecycle Lock"]) == set()
		assert frappe.get_list("Lifecycle Lock Log", filters={"reference_name": customer}) == []
	assert visible("Lifecycle Lock", rows["Lifecycle Lock"]) == {"allowed"}


def test_the_doctypes_a_list_is_narrowed_by_are_read_from_an_index():
	"""A narrowed list asks which doctypes its rows name (SELECT DISTINCT of the doctype field):
	each such field heads an index, so that is not a scan of the whole log."""
	for doctype, references in REFERENCES.items():
		heads = {
			row["Column_name"]
			for row in frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}`", as_dict=True)
			if row["Seq_in_index"] == 1
		}
		for reference in references:
			if reference.doctype_field and not reference.among:  # else the doctypes are fixed
				assert reference.doctype_field in heads, (doctype, reference.doctype_field)


def test_a_role_that_may_only_select_names_reads_none_of_them(as_user):
	"""Frappe's "select" permission lets a role pick names in link fields, and its lists answer
	that role too; the app's answers and its narrowed doctypes ask "read"."""
	doctype, role, names = next(
		(row.parent, row.role, names)
		for row in frappe.get_all(
			"DocPerm",
			filters={"select": 1, "read": 0, "permlevel": 0, "role": ("not in", ["All", "Guest"])},
			fields=["parent", "role"],
			order_by="parent",
		)
		if (names := frappe.get_all(row.parent, pluck="name", limit=3))
	)  # Frappe and ERPNext give some roles select without read (which, differs by minor)
	user = factories.make_user(roles=[role]).name
	with as_user(user):
		assert frappe.get_list(doctype, filters={"name": ("in", names)}, pluck="name")  # Frappe's list
		assert visibility.readable(doctype, names, user) == set()
		assert visibility.readable_query(doctype, user) is None
	assert visibility.readable(doctype, names) == set(names)  # control: Administrator reads them


def portal_switch_rows(parents: list[str]) -> set[tuple[str, str]]:
	"""(parenttype, parent) of the portal switches Frappe's REST list answers the session user,
	asked as a client may: "rows of the table Contact holds" (`parent`), with no other filter
	on whose they are than the test's own parents."""
	rows = frappe.client.get_list(
		"Lifecycle Portal Access",
		fields=["parenttype", "parent"],
		filters={"parent": ("in", parents)},
		parent="Contact",
		limit_page_length=0,
	)
	return {(row.parenttype, row.parent) for row in rows}


def test_portal_switches_are_listed_only_with_a_parent_the_user_may_read(as_user):
	"""A child table's rows are listed to whoever may read one document of a doctype holding it;
	a contact's portal switches, a template's and the settings' defaults are not."""
	contacts = {}
	for key in ROWS:
		contact = factories.make_contact(factories.make_customer().name, portal_user=key == "allowed")
		contact.append("crm_portal_access", {"section": "Invoices", "view": 0, "email": 0})
		contact.save(ignore_permissions=True)
		contacts[key] = contact
	group = frappe.get_doc(
		{
			"doctype": "Customer Group",
			"customer_group_name": factories.unique("Group"),
			"parent_customer_group": frappe.db.get_value("Customer Group", {"is_group": 1}),
		}
	).insert(ignore_permissions=True)
	template = frappe.get_doc(
		{
			"doctype": "Lifecycle Portal Template",
			"customer_group": group.name,
			"access": [{"section": "Invoices", "view": 0}],
		}
	).insert(ignore_permissions=True)
	settings = "CRM Lifecycle Settings"
	assert frappe.db.exists("Lifecycle Portal Access", {"parenttype": settings})  # the defaults
	every = {
		("Contact", contacts["allowed"].name),
		("Contact", contacts["other"].name),
		("Lifecycle Portal Template", template.name),
		(settings, settings),
	}
	parents = [parent for _, parent in every]

	portal_user = contacts["allowed"].user
	with as_user(portal_user):
		readable = set(frappe.get_list("Contact", filters={"name": ("in", parents)}, pluck="name"))
		assert contacts["other"].name not in readable
		assert portal_switch_rows(parents) == {("Contact", name) for name in readable}

	seller = factories.restrict(
		factories.make_user(roles=["Sales User"]).name, "Contact", contacts["allowed"].name
	)
	with as_user(seller):
		assert portal_switch_rows(parents) == {
			("Contact", contacts["allowed"].name),
			("Lifecycle Portal Template", template.name),
		}
	with as_user(factories.make_user(roles=["Sales User"]).name):  # control: no User Permission
		assert portal_switch_rows(parents) == every - {(settings, settings)}
	with as_user(factories.make_user(roles=["Sales User", "CRM Lifecycle Manager"]).name):
		assert portal_switch_rows(parents) == every
	assert portal_switch_rows(parents) == every  # Administrator
