"""Portal sections and e-mail opt-ins on plain data."""

import pytest

from crm_lifecycle.core.portal import (
	AREAS,
	KEEP,
	Grant,
	InvalidAccess,
	Source,
	can_view,
	customers_allowed,
	effective,
	email_kind,
	merge,
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
	group_, contact_, default_ = Source.CUSTOMER_GROUP, Source.CONTACT, Source.DEFAULT
	assert grants["Invoices"] == Grant(True, False, group_, group_, group_)
	assert grants["Orders"] == Grant(True, False, contact_, contact_, contact_)
	assert grants["Quotations"] == Grant(True, True, default_, default_, default_)


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
	# a switch not named keeps the contact's setting; null leaves it to the template and default
	assert parse_access({"Invoices": {"view": 0}}) == {"Invoices": (False, KEEP)}
	assert parse_access({"Tasks": {"email": "0"}}) == {"Tasks": (KEEP, False)}
	assert parse_access({"Invoices": {"view": True, "email": " 1"}}) == {"Invoices": (True, True)}
	assert parse_access({"Invoices": {"view": None, "email": 0}}) == {"Invoices": (None, False)}
	assert parse_access({"Tasks": {"view": 0, "email": None}}) == {"Tasks": (False, None)}
	for bad, reason in [
		({"Bananas": {"view": 1}}, "unknown_section"),
		({"Invoices": {"read": 1}}, "bad_switches"),
		({"Tasks": {"view": 1}}, "no_view_switch"),
		({"Deliveries": {"email": 1}}, "no_email_switch"),
		(["Invoices"], "not_an_object"),
		({"Invoices": {"view": "yes"}}, "bad_value"),
		({"Invoices": {"email": "x"}}, "bad_value"),
		({"Invoices": {"view": 2}}, "bad_value"),
		({"Invoices": {"view": "null"}}, "bad_value"),
		({"Invoices": {"view": [1]}}, "bad_value"),
	]:
		with pytest.raises(InvalidAccess) as error:
			parse_access(bad)
		assert error.value.reason == reason


def test_merge_keeps_the_unnamed_switch_and_drops_a_row_that_decides_nothing():
	assert merge(None, (False, KEEP)) == (False, None)
	assert merge((True, False), (KEEP, True)) == (True, True)
	assert merge((True, False), (None, KEEP)) == (None, False)
	assert merge((True, None), (None, KEEP)) is None


def test_each_switch_falls_through_the_layers_on_its_own():
	default = {"Invoices": (True, True)}
	group = {"Invoices": (False, None)}  # the template hides invoices, says nothing on e-mail
	contact = {"Invoices": (None, False)}  # the contact only switched its e-mail off
	grant = effective(default, group, contact)["Invoices"]
	assert (grant.view, grant.view_source) == (False, Source.CUSTOMER_GROUP)
	assert (grant.email, grant.email_source) == (False, Source.CONTACT)
	assert grant.source == Source.CONTACT
	# control: without the contact's row its e-mail comes from the default
	grant = effective(default, group, None)["Invoices"]
	assert (grant.email, grant.email_source) == (True, Source.DEFAULT)
	# a switch the area has not (Deliveries send no e-mail) stays off whatever a layer says
	assert effective({"Deliveries": (True, True)}, None, None)["Deliveries"].email is False


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


def test_a_contact_may_opt_in_only_to_what_its_company_allows():
	from crm_lifecycle.core.portal import may_opt_in

	default = {"Invoices": (True, True), "Orders": (True, False)}
	assert may_opt_in("Invoices", default, None, {"Invoices": (None, False)}, own=True)
	# a colleague switched it off for the contact: only a colleague switches it on again
	assert not may_opt_in("Invoices", default, None, {"Invoices": (None, False)}, own=False)
	# the template / default sends no order e-mails
	assert not may_opt_in("Orders", default, None, None, own=True)
	assert not may_opt_in("Invoices", default, {"Invoices": (None, False)}, None, own=True)
	# e-mails about a section the contact may not see
	assert not may_opt_in("Invoices", default, None, {"Invoices": (False, None)}, own=True)
	# an area without e-mails (Deliveries); an area without a view switch (Payment Reminders)
	assert not may_opt_in("Deliveries", {}, None, None, own=True)
	assert may_opt_in("Payment Reminders", {}, None, None, own=True)
