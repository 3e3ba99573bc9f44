"""Which conversions are allowed from which record, the plan of one, the duplicate rules."""

import pytest

from crm_lifecycle.core.conversion import (
	CREATE,
	LINK,
	REUSE,
	Draft,
	Linked,
	Problem,
	Refused,
	Source,
	Step,
	edges,
	missing,
	options,
	plan,
)

LEAD = Source("Lead", "L1")
OPPORTUNITY = Source("Opportunity", "O1", party_doctype="Lead", party_name="L1", item_count=2)
QUOTATION = Source("Quotation", "Q1", docstatus=1, party_doctype="Customer", party_name="C1", item_count=1)


def refusal(source, targets, link=None) -> Problem:
	with pytest.raises(Refused) as info:
		plan(source, targets, link)
	return info.value.problem


def test_every_combination_of_the_issue_is_offered():
	assert [o.targets for o in options(LEAD)] == [
		("Opportunity",),
		("Contact", "Opportunity"),
		("Customer", "Opportunity"),
		("Contact", "Customer", "Opportunity"),
		("Contact",),
		("Customer",),
		("Contact", "Customer"),
	]
	assert [o.targets for o in options(OPPORTUNITY)] == [("Quotation",), ("Sales Invoice",)]
	assert [o.targets for o in options(QUOTATION)] == [("Opportunity",), ("Sales Invoice",), ("Sales Order",)]
	assert all(o.available for src in (LEAD, OPPORTUNITY, QUOTATION) for o in options(src))
	assert options(Source("Sales Invoice", "S1")) == []


def test_steps_come_in_creation_order_so_later_records_use_earlier_ones():
	steps = plan(LEAD, ["Opportunity", "Customer", "Contact"]).steps
	assert steps == (Step("Contact", CREATE), Step("Customer", CREATE), Step("Opportunity", CREATE))


def test_unknown_or_unsupported_requests_are_refused():
	assert refusal(LEAD, ["Sales Invoice"]).code == "unsupported_combination"
	assert refusal(LEAD, ["Nonsense"]) == Problem("unknown_target", ("Nonsense",))
	assert refusal(LEAD, []).code == "nothing_to_do"
	assert refusal(Source("Customer", "C1"), ["Opportunity"]).code == "unsupported_source"
	assert refusal(OPPORTUNITY, ["Quotation", "Sales Invoice"]).code == "unsupported_combination"


def test_a_lead_becomes_one_customer_only():
	converted = Source("Lead", "L1", customer="C9")
	assert refusal(converted, ["Customer"]) == Problem("already_converted", ("L1", "Customer", "C9"))
	assert refusal(converted, ["Opportunity", "Contact", "Customer"]).code == "already_converted"
	by_reason = {o.targets: o for o in options(converted)}
	assert not by_reason[("Customer",)].available
	assert by_reason[("Customer",)].problem.params == ("L1", "Customer", "C9")
	# control: the same lead's new opportunity simply reuses its customer
	assert plan(converted, ["Opportunity"]).steps == (
		Step("Customer", REUSE, "C9", implicit=True),
		Step("Opportunity", CREATE),
	)
	assert plan(LEAD, ["Customer"]).steps == (Step("Customer", CREATE),)


def test_the_leads_contact_is_reused_and_asking_for_it_alone_is_refused():
	has_contact = Source("Lead", "L1", contact="P1")
	assert plan(has_contact, ["Opportunity", "Contact"]).steps[0] == Step("Contact", REUSE, "P1")
	assert refusal(has_contact, ["Contact"]) == Problem("has_contact", ("L1", "P1"))
	assert plan(LEAD, ["Contact"]).steps == (Step("Contact", CREATE),)


def test_linking_existing_records():
	link = {"Customer": Linked("Customer", "C5"), "Contact": Linked("Contact", "P5")}
	assert plan(LEAD, ["Opportunity"], link).steps == (
		Step("Contact", LINK, "P5"),
		Step("Customer", LINK, "C5"),
		Step("Opportunity", CREATE),
	)
	assert plan(LEAD, [], {"Customer": Linked("Customer", "C5")}).to_link == (Step("Customer", LINK, "C5"),)
	assert refusal(LEAD, ["Customer"], {"Customer": Linked("Customer", "C5")}).code == "create_and_link"
	assert refusal(OPPORTUNITY, ["Quotation"], {"Customer": Linked("Customer", "C5")}).code == "not_linkable"
	# repeat business: a customer made from an earlier lead is linked to the new lead too
	taken = {"Customer": Linked("Customer", "C5", lead="L7")}
	assert plan(LEAD, ["Opportunity"], taken).steps == (
		Step("Customer", LINK, "C5"),
		Step("Opportunity", CREATE),
	)
	ours = {"Customer": Linked("Customer", "C5", lead="L1")}
	assert plan(LEAD, ["Opportunity"], ours).step("Customer").action == LINK
	converted = Source("Lead", "L1", customer="C9")
	assert refusal(converted, [], {"Customer": Linked("Customer", "C5")}).code == "already_converted"
	assert plan(converted, [], {"Customer": Linked("Customer", "C9")}).steps == (
		Step("Customer", LINK, "C9"),
	)


def test_invoices_and_orders_need_a_customer_made_or_reused_from_the_lead():
	assert plan(OPPORTUNITY, ["Sales Invoice"]).steps == (
		Step("Customer", CREATE, implicit=True),
		Step("Sales Invoice", CREATE),
	)
	converted = Source(
		"Opportunity", "O1", party_doctype="Lead", party_name="L1", item_count=1, customer="C9"
	)
	assert plan(converted, ["Sales Invoice"]).step("Customer") == Step("Customer", REUSE, "C9", implicit=True)
	assert plan(QUOTATION, ["Sales Order"]).steps == (Step("Sales Order", CREATE),)
	prospect = Source("Opportunity", "O1", party_doctype="Prospect", party_name="P", item_count=1)
	assert refusal(prospect, ["Sales Invoice"]).code == "no_customer"
	assert plan(prospect, ["Quotation"]).to_create == ("Quotation",)


def test_source_state_blocks_what_erpnext_would_refuse():
	assert (
		refusal(
			Source("Opportunity", "O1", item_count=0, party_doctype="Customer", party_name="C"),
			["Sales Invoice"],
		).code
		== "no_items"
	)
	assert refusal(Source("Opportunity", "O1", status="Lost", item_count=1), ["Quotation"]).code == "closed"
	draft = Source("Quotation", "Q1", docstatus=0, party_doctype="Customer", party_name="C1", item_count=1)
	assert refusal(draft, ["Sales Invoice"]) == Problem("not_submitted", ("Quotation", "Q1", "Sales Invoice"))
	assert plan(draft, ["Opportunity"]).to_create == ("Opportunity",)
	assert refusal(Source("Quotation", "Q1", docstatus=2, item_count=1), ["Opportunity"]).code == "cancelled"
	lost = Source(
		"Quotation", "Q1", docstatus=1, status="Lost", party_doctype="Customer", party_name="C", item_count=1
	)
	assert refusal(lost, ["Sales Order"]).code == "closed"
	reasons = {o.targets: o for o in options(draft)}
	assert reasons[("Opportunity",)].available and not reasons[("Sales Order",)].available


def test_missing_data_names_what_is_missing():
	assert missing(Draft("Sales Invoice", "WP", "USD", 1, "Debtors", ())) == []
	problems = missing(Draft("Sales Invoice", "WP", "USD", 0, "", (1, 3)))
	assert [p.code for p in problems] == [
		"missing_items",
		"missing_receivable_account",
		"missing_income_account",
	]
	assert problems[2].params == ("WP", "1, 3")
	assert [p.code for p in missing(Draft("Opportunity"))] == ["missing_company"]
	assert missing(Draft("Customer")) == []


def test_edges_to_record_after_the_plan_ran():
	def as_rows(found):
		return [(e.source.doctype, e.source.name, e.target.doctype, e.target.name, e.kind) for e in found]

	done = plan(LEAD, ["Opportunity", "Customer"], {"Contact": Linked("Contact", "P5")})
	assert as_rows(edges(done, {"Contact": "P5", "Customer": "C1", "Opportunity": "O1"})) == [
		("Lead", "L1", "Contact", "P5", "Link"),
		("Lead", "L1", "Customer", "C1", "Conversion"),
		("Lead", "L1", "Opportunity", "O1", "Conversion"),
	]
	invoice = plan(OPPORTUNITY, ["Sales Invoice"])
	assert as_rows(edges(invoice, {"Customer": "C1", "Sales Invoice": "S1"})) == [
		("Lead", "L1", "Customer", "C1", "Conversion"),
		("Opportunity", "O1", "Sales Invoice", "S1", "Conversion"),
	]
	reused = plan(Source("Lead", "L1", customer="C9"), ["Opportunity"])
	assert as_rows(edges(reused, {"Customer": "C9", "Opportunity": "O1"})) == [
		("Lead", "L1", "Opportunity", "O1", "Conversion")
	]
