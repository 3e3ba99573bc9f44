"""core/party.py: the one table of which field names a document's party."""

from crm_lifecycle.core.party import customer_of, parties_of, party_field, party_of


def test_fixed_and_dynamic_parties():
	assert party_of("Sales Invoice", {"customer": "C1"}) == ("Customer", "C1")
	assert party_of("Quotation", {"quotation_to": "Lead", "party_name": "L1"}) == ("Lead", "L1")
	assert party_of("Contract", {"party_type": "Supplier", "party_name": "S1"}) == ("Supplier", "S1")
	assert party_of("ToDo", {"customer": "C1"}) == (None, None)  # not a party document
	assert party_field("Opportunity") == "party_name" and party_field("Issue") == "customer"


def test_customer_only_when_the_party_is_a_customer():
	assert customer_of("Quotation", {"quotation_to": "Customer", "party_name": "C1"}) == "C1"
	assert customer_of("Quotation", {"quotation_to": "Lead", "party_name": "L1"}) is None
	assert customer_of("Sales Order", {"customer": ""}) is None


def test_parties_include_the_contact_where_the_document_names_one():
	values = {"opportunity_from": "Lead", "party_name": "L1", "contact_person": "P1"}
	assert parties_of("Opportunity", values) == [("Lead", "L1"), ("Contact", "P1")]
	assert parties_of("Project", {"customer": "C1", "contact_person": "P1"}) == [("Customer", "C1")]
	assert parties_of("Sales Invoice", {"customer": None, "contact_person": None}) == []
