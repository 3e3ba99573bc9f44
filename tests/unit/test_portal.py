"""Portal sections and e-mail opt-ins on plain data."""

import pytest

from crm_lifecycle.core.portal import (
	AREAS,
	Grant,
	InvalidAccess,
	Source,
	can_view,
	customers_allowed,
	effective,
	email_kind,
	parse_access,
	strictest,
	view_area,
)


def test_without_any_rows_everything_is_allowed_that_has_a_switch():
	grants = effective({}, None, None)
	assert all(grants[area.name].view == area.view for area in AREAS)
	assert all(grants[area.name].email == area.email for area in AREAS)
	assert not grants["Tasks"].view and not grants["Deliveries"].email
	assert {grant.source for grant in grants.values()} == {Source.DEFAULT}


def test_contact_overrides_group_overrides_default():
	default = {"Invoices": (False, False), "Orders": (False, True)}
	group = {"Invoices": (True, False)}
	contact = {"Orders": (True, False)}
	grants = effective(default, group, contact)
	assert grants["Invoices"] == Grant(True, False, Source.CUSTOMER_GROUP)
	assert grants["Orders"] == Grant(True, False, Source.CONTACT)
	assert grants["Quotations"] == Grant(True, True, Source.DEFAULT)


@pytest.mark.parametrize(
	("doctype", "is_return", "area", "kind"),
	[
		("Sales Invoice", False, "Invoices", "Invoices"),
		("Sales Invoice", True, "Credit Notes", "Credit Notes"),
		("Task", False, "Projects", "Tasks"),
		("Timesheet", False, "Projects", None),
		("Issue", False, "Support", "Support"),
		("Delivery Note", False, "Deliveries", None),
		("Item", False, None, None),
	],
)
def test_sections_and_email_kinds_of_documents(doctype, is_return, area, kind):
	assert view_area(doctype, is_return) == area
	assert email_kind(doctype, is_return) == kind


def test_parse_access_accepts_partial_switches_and_refuses_bad_input():
	assert parse_access({"Invoices": {"view": 0}}) == {"Invoices": (False, True)}
	assert parse_access({"Tasks": {"email": "0"}}) == {"Tasks": (False, False)}
	assert parse_access({"Invoices": {"view": True, "email": " 1"}}) == {"Invoices": (True, True)}
	for bad, reason in [
		({"Bananas": {"view": 1}}, "unknown_section"),
		({"Invoices": {"read": 1}}, "bad_switches"),
		({"Tasks": {"view": 1}}, "no_view_switch"),
		({"Deliveries": {"email": 1}}, "no_email_switch"),
		(["Invoices"], "not_an_object"),
		({"Invoices": {"view": "yes"}}, "bad_value"),
		({"Invoices": {"email": "x"}}, "bad_value"),
		({"Invoices": {"view": 2}}, "bad_value"),
		({"Invoices": {"view": None}}, "bad_value"),
		({"Invoices": {"view": [1]}}, "bad_value"),
	]:
		with pytest.raises(InvalidAccess) as error:
			parse_access(bad)
		assert error.value.reason == reason


def test_judged_per_customer_and_strictest_across_contacts():
	allow = effective({}, None, None)
	deny_invoices = effective({}, None, {"Invoices": (False, True)})
	access = {"A": allow, "B": deny_invoices}
	assert can_view(access, "Invoices", "A")
	assert not can_view(access, "Invoices", "B")
	assert not can_view(access, "Invoices", "C")  # not the user's customer at all
	assert customers_allowed(access, "Invoices") == ["A"]
	assert not strictest([allow, deny_invoices])["Invoices"].view
	assert strictest([allow, deny_invoices])["Invoices"].email
