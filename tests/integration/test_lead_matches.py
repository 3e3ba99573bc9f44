"""Repeat business: "Link to Existing" suggests the customers and contacts a lead may belong to,
found by its company name, e-mail, tax id and registration no; only readable ones are named."""

import pytest

import frappe

from crm_lifecycle.api import conversion as api
from tests import factories as f


def names(rows: list[dict]) -> set[str]:
	return {row["name"] for row in rows}


def test_matches_by_company_name_email_and_tax_id():
	stem = f.unique("Repeat Works")
	by_name = f.make_customer(customer_name=f"{stem} s.r.o.")
	by_tax = f.make_customer(tax_id=f"CZ{frappe.generate_hash(length=8)}")
	by_email = f.make_customer()
	email = f"buyer-{frappe.generate_hash(length=8)}@crm-lifecycle.test"
	contact = f.make_contact(customer=by_email.name, email_id=email)
	colleague = f.make_contact(customer=by_name.name)
	unrelated = f.make_customer()

	lead = f.make_lead(company_name=stem, crm_tax_id=by_tax.tax_id)
	frappe.db.set_value("Lead", lead.name, "email_id", email)  # after ERPNext made the lead's contact

	found = api.matches(lead.name)

	customers = {row["name"]: row["matched"] for row in found["customers"]}
	assert customers[by_name.name] == ["name"]
	assert customers[by_tax.name] == ["tax_id"]
	assert customers[by_email.name] == ["email"]
	assert unrelated.name not in customers  # control: nothing in common, not suggested
	contacts = {row["name"]: row["matched"] for row in found["contacts"]}
	assert "email" in contacts[contact.name]
	assert contacts[colleague.name] == ["customer"]
	# the contact ERPNext made with the lead itself is not a match for it
	own = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Lead", "link_name": lead.name},
		pluck="parent",
	)
	assert own and not set(own) & set(contacts)
	assert found["hidden"] == 0


def test_a_short_or_missing_company_name_matches_nothing_by_name():
	f.make_customer(customer_name=f"AB {f.unique('x')}")
	lead = f.make_lead(company_name="AB")
	assert not [row for row in api.matches(lead.name)["customers"] if "name" in row["matched"]]


def test_like_wildcards_in_the_company_name_are_literal():
	lead = f.make_lead(company_name="%%%")
	f.make_customer()  # would match a bare % pattern
	assert api.matches(lead.name)["customers"] == []


def test_matches_the_user_may_not_read_are_counted_not_named(as_user):
	stem = f.unique("Hidden Works")
	readable = f.make_customer(customer_name=f"{stem} A")
	hidden = f.make_customer(customer_name=f"{stem} B")
	lead = f.make_lead(company_name=stem)
	user = f.make_user(roles=["Sales User"])
	f.restrict(user.name, "Customer", readable.name)

	with as_user(user.name):
		found = api.matches(lead.name)

	assert names(found["customers"]) == {readable.name}
	assert hidden.name not in str(found)
	assert found["hidden"] >= 1
	# control: Administrator sees both
	assert {readable.name, hidden.name} <= names(api.matches(lead.name)["customers"])


def test_bad_input_is_refused_with_the_right_status(as_user):
	with pytest.raises(frappe.DoesNotExistError):
		api.matches("CRM-LEAD-NOPE-0000")
	with pytest.raises(frappe.ValidationError):
		api.matches("")
	lead = f.make_lead()
	with as_user(f.make_user(roles=["Accounts User"]).name), pytest.raises(frappe.PermissionError):
		api.matches(lead.name)
