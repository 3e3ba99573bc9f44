"""The one declarative definition of what the app adds to ERPNext is well-formed."""

import pytest

from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS, PROPERTY_SETTERS, RETIRED_FIELDS, ROLES

ALL_FIELDS = [(doctype, field) for doctype, fields in CUSTOM_FIELDS.items() for field in fields]


@pytest.mark.parametrize(
	("doctype", "field"), ALL_FIELDS, ids=lambda v: v if isinstance(v, str) else v["fieldname"]
)
def test_every_field_is_prefixed_typed_and_placed(doctype, field):
	assert field["fieldname"].startswith("crm_")
	assert field["fieldtype"]
	assert field["insert_after"]
	if field["fieldtype"] not in ("Section Break", "Column Break", "Tab Break"):
		assert field.get("label"), field["fieldname"]


@pytest.mark.parametrize("doctype", CUSTOM_FIELDS)
def test_fieldnames_are_unique_and_chained_in_order(doctype):
	names = [field["fieldname"] for field in CUSTOM_FIELDS[doctype]]
	assert len(names) == len(set(names))
	# a field placed after one of ours must come later in the list, so creation order works
	for position, field in enumerate(CUSTOM_FIELDS[doctype]):
		if field["insert_after"].startswith("crm_"):
			assert field["insert_after"] in names[:position], field["fieldname"]


def test_submitted_invoices_can_carry_the_hold():
	for field in CUSTOM_FIELDS["Sales Invoice"]:
		if field["fieldtype"] not in ("Section Break", "Column Break"):
			assert field.get("allow_on_submit") == 1, field["fieldname"]


def test_roles_and_property_setters_are_declared_in_known_shapes():
	assert all(role["role_name"] for role in ROLES)
	assert all(len(setter) == 5 for setter in PROPERTY_SETTERS)


@pytest.mark.parametrize("doctype", RETIRED_FIELDS)
def test_a_retired_field_is_not_defined_again(doctype):
	"""The patch that retires a field deletes it with its column: defining it again would bring
	back an empty field on sites that migrated and a full one on sites that did not."""
	defined = {field["fieldname"] for field in CUSTOM_FIELDS.get(doctype, [])}
	assert not defined & set(RETIRED_FIELDS[doctype])
	assert all(fieldname.startswith("crm_") for fieldname in RETIRED_FIELDS[doctype])
