"""Who deactivated, reactivated, invalidated or restored a record, when and why: the Lifecycle
Event log, the form's banner data sent with the document, the REST history, and the patch that
moved the values once kept in fields on the records (issue 17)."""

import pytest

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.desk.form.load import getdoc

from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.patches import move_lifecycle_state_to_events
from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS, RETIRED_FIELDS
from tests import factories


def banner_data(doctype, name) -> dict:
	"""What the desk's form load sends for the banners."""
	getdoc(doctype, name)
	return frappe.response.docs[-1].get_onload().get("crm_lifecycle_events") or {}


def restricted_seller(allowed_customer: str) -> str:
	user = factories.make_user(roles=["Sales User", "Sales Manager"]).name
	return factories.restrict(user, "Customer", allowed_customer)


def test_the_form_gets_who_deactivated_and_invalidated_it_when_and_why():
	customer = factories.make_customer()
	assert banner_data("Customer", customer.name) == {}  # active and valid: nothing to explain

	deactivation_api.deactivate("Customer", customer.name, reason="Moved away")
	governance_api.invalidate("Customer", customer.name, reason="Duplicate")
	shown = banner_data("Customer", customer.name)
	assert {key: (row["by"], row["reason"]) for key, row in shown.items()} == {
		"deactivated": ("Administrator", "Moved away"),
		"invalidated": ("Administrator", "Duplicate"),
	}
	assert shown["deactivated"]["on"] and shown["deactivated"]["by_name"] == "Administrator"

	deactivation_api.reactivate("Customer", customer.name)
	governance_api.restore("Customer", customer.name)
	assert banner_data("Customer", customer.name) == {}
	# the log keeps all four, newest first
	assert [row.event for row in factories.lifecycle_events("Customer", customer.name)] == [
		"Restored",
		"Reactivated",
		"Invalidated",
		"Deactivated",
	]


def test_the_banner_explains_the_latest_deactivation_not_an_earlier_one():
	contact = factories.make_contact()
	deactivation_api.deactivate("Contact", contact.name, reason="First")
	deactivation_api.reactivate("Contact", contact.name)
	frappe.db.set_value(  # the second deactivation a second later, whatever the clock's resolution
		"Lifecycle Event",
		{"reference_name": contact.name},
		"creation",
		frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-5),
	)
	deactivation_api.deactivate("Contact", contact.name, reason="Second")
	assert banner_data("Contact", contact.name)["deactivated"]["reason"] == "Second"


def test_history_is_read_only_by_who_may_read_the_record(as_user):
	customer = factories.make_customer()
	deactivation_api.deactivate("Customer", customer.name, reason="Moved away")
	stranger = restricted_seller(factories.make_customer().name)
	with as_user(stranger), pytest.raises(frappe.PermissionError):
		governance_api.history("Customer", customer.name)
	# control: a seller permitted this customer reads it
	with as_user(restricted_seller(customer.name)):
		[event] = governance_api.history("Customer", customer.name)
	assert (event["event"], event["by"], event["reason"]) == ("Deactivated", "Administrator", "Moved away")


def test_the_security_panel_shows_the_history():
	lead = factories.make_lead()
	governance_api.invalidate("Lead", lead.name, reason="Spam")
	info = governance_api.security_info("Lead", lead.name)
	assert (info["invalidated"]["by"], info["invalidated"]["reason"]) == ("Administrator", "Spam")
	assert [(row["event"], row["reason"]) for row in info["lifecycle_history"]] == [("Invalidated", "Spam")]
	# a record without a lifecycle has no history to show
	invoice = factories.make_sales_invoice(factories.make_customer().name)
	assert governance_api.security_info("Sales Invoice", invoice.name)["lifecycle_history"] == []


@pytest.mark.parametrize(
	("doctype", "name", "error"),
	[
		("Sales Invoice", "existing", frappe.ValidationError),
		("Customer", "No Such Customer 4711", frappe.DoesNotExistError),
		("Bananas", "x", frappe.DoesNotExistError),
		("Customer", "", frappe.ValidationError),
	],
)
def test_history_refuses_bad_input_with_the_right_class(doctype, name, error):
	if name == "existing":
		name = factories.make_sales_invoice(factories.make_customer().name).name
	with pytest.raises(error):
		governance_api.history(doctype, name)


def test_the_log_itself_is_for_system_managers_only(as_user):
	customer = factories.make_customer()
	deactivation_api.deactivate("Customer", customer.name, reason="Moved away")
	# a seller who may read the customer reads its history through the record, not the log
	seller = restricted_seller(customer.name)
	with as_user(seller), pytest.raises(frappe.PermissionError):
		frappe.get_list("Lifecycle Event", filters={"reference_name": customer.name})
	# control: the log is readable to a System Manager who may read the customer it names
	manager = factories.make_user(roles=["System Manager", "Sales User"]).name
	with as_user(manager):
		assert frappe.get_list(
			"Lifecycle Event", filters={"reference_name": customer.name}, pluck="event"
		) == ["Deactivated"]


def test_the_log_follows_a_rename_and_goes_with_the_record():
	customer = factories.make_customer()
	deactivation_api.deactivate("Customer", customer.name, reason="Moved away")
	new_name = frappe.rename_doc("Customer", customer.name, f"{customer.name} renamed", force=True)
	assert factories.lifecycle_events("Customer", customer.name) == []
	assert [row.reason for row in factories.lifecycle_events("Customer", new_name)] == ["Moved away"]
	assert banner_data("Customer", new_name)["deactivated"]["reason"] == "Moved away"

	frappe.delete_doc("Customer", new_name, force=True)
	assert factories.lifecycle_events("Customer", new_name) == []


def test_customer_keeps_only_the_fields_its_data_needs():
	"""Issue 17: every field on Customer costs every request that loads its meta; the layout and
	who/when/why fields moved out. A new one should be a decision, not a drift."""
	meta = frappe.get_meta("Customer")
	ours = sorted(field.fieldname for field in meta.fields if field.fieldname.startswith("crm_"))
	assert ours == sorted(field["fieldname"] for field in CUSTOM_FIELDS["Customer"])
	assert len(ours) == 7
	assert not {field.fieldtype for field in meta.fields if field.fieldname.startswith("crm_")} & {
		"Section Break",
		"Column Break",
		"Tab Break",
		"HTML",
	}


# The patch ---------------------------------------------------------------------------------------

OLD_FIELDS = {  # what earlier versions kept on the record (only the data fields matter here)
	"Customer": [
		("crm_deactivated_on", "Datetime"),
		("crm_deactivated_by", "Link"),
		("crm_deactivation_reason", "Small Text"),
		("crm_invalidated_on", "Datetime"),
		("crm_invalidated_by", "Link"),
		("crm_invalidation_reason", "Small Text"),
		("crm_dependencies_tab", "Tab Break"),
	],
	"Lead": [
		("crm_invalidated_on", "Datetime"),
		("crm_invalidated_by", "Link"),
		("crm_invalidation_reason", "Small Text"),
	],
}


def columns(doctype: str) -> set[str]:
	return set(
		frappe.db.sql_list(
			"select column_name from information_schema.columns where table_schema = database() "
			"and table_name = %s",
			f"tab{doctype}",
		)
	)


@pytest.fixture
def site_of_an_earlier_version():
	"""The old fields back on Customer and Lead (DDL commits: removed again afterwards)."""
	create_custom_fields(
		{
			doctype: [
				{
					"fieldname": fieldname,
					"fieldtype": fieldtype,
					"label": fieldname,
					**({"options": "User"} if fieldtype == "Link" else {}),
					"insert_after": "crm_active" if doctype == "Customer" else "crm_invalid",
				}
				for fieldname, fieldtype in fields
			]
			for doctype, fields in OLD_FIELDS.items()
		},
		ignore_validate=True,
	)
	yield
	frappe.db.rollback()
	move_lifecycle_state_to_events.execute()  # idempotent: removes what a failed test left
	frappe.db.commit()


def test_the_patch_moves_who_when_why_into_the_log_and_removes_the_fields(
	committed, site_of_an_earlier_version
):
	# committed: the patch's DDL commits what the test made; deleted afterwards, their log with them
	inactive, active = committed.make_customer(), committed.make_customer()
	lead = committed.make_lead()
	when = frappe.utils.get_datetime("2025-03-04 05:06:07")
	frappe.db.set_value(
		"Customer",
		inactive.name,
		{
			"crm_active": 0,
			"crm_deactivated_on": when,
			"crm_deactivated_by": "Administrator",
			"crm_deactivation_reason": "Bad payer",
		},
	)
	# an active customer's leftovers are not an event (the old reactivation cleared them anyway)
	frappe.db.set_value("Customer", active.name, "crm_deactivation_reason", "stale")
	frappe.db.set_value(
		"Lead", lead.name, {"crm_invalid": 1, "crm_invalidated_by": None, "crm_invalidation_reason": "Spam"}
	)

	move_lifecycle_state_to_events.execute()

	[moved] = factories.lifecycle_events("Customer", inactive.name)
	assert (moved.event, moved.user, moved.reason, moved.creation) == (
		"Deactivated",
		"Administrator",
		"Bad payer",
		when,
	)
	assert factories.lifecycle_events("Customer", active.name) == []
	[invalid] = factories.lifecycle_events("Lead", lead.name)
	assert (invalid.event, invalid.user, invalid.reason) == ("Invalidated", "Administrator", "Spam")
	assert banner_data("Lead", lead.name)["invalidated"]["reason"] == "Spam"

	for doctype, fieldnames in RETIRED_FIELDS.items():
		assert not frappe.get_all("Custom Field", {"dt": doctype, "fieldname": ["in", fieldnames]})
		assert not columns(doctype) & set(fieldnames), doctype
		assert not set(fieldnames) & {field.fieldname for field in frappe.get_meta(doctype).fields}
