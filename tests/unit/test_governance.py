"""Governance rules on plain data: validity, merge plans and conflicts, the link report."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core import governance as core

FIELDS = [("customer_name", "Name"), ("website", "Website"), ("tax_id", "Tax ID"), ("language", "Language")]


def test_validity_invalid_wins_over_deactivated():
	assert core.validity(True, False) == "Active"
	assert core.validity(None, False) == "Active"  # Lead: no deactivation
	assert core.validity(False, False) == "Deactivated"
	assert core.validity(False, True) == "Invalid"
	assert core.validity(True, True) == "Invalid"


def test_invalidate_and_restore_refusals():
	core.check_invalidate("Lead", False)
	core.check_restore("Contact", True)
	for call, args, refusal in (
		(core.check_invalidate, ("Supplier", False), core.Refusal.NOT_INVALIDATABLE),
		(core.check_invalidate, ("Customer", True), core.Refusal.ALREADY_INVALID),
		(core.check_restore, ("Customer", False), core.Refusal.NOT_INVALID),
	):
		with pytest.raises(core.GovernanceRefused) as error:
			call(*args)
		assert error.value.refusal == refusal


def test_merge_pair_refusals():
	core.check_merge_pair("Customer", "A", "B")
	with pytest.raises(core.GovernanceRefused) as error:
		core.check_merge_pair("Customer", "A", "A")
	assert error.value.refusal == core.Refusal.MERGE_INTO_ITSELF
	with pytest.raises(core.GovernanceRefused) as error:
		core.check_merge_pair("Lead", "A", "B")
	assert error.value.refusal == core.Refusal.NOT_MERGEABLE


def test_differences_treat_none_and_empty_as_equal():
	source = {"customer_name": "A", "website": None, "tax_id": "X1", "language": "en"}
	target = {"customer_name": "B", "website": "", "tax_id": "X1", "language": "de"}
	diffs = core.differences(source, target, FIELDS)
	assert [d.fieldname for d in diffs] == ["customer_name", "language"]
	assert diffs[0] == core.FieldDiff("customer_name", "Name", "A", "B")


def test_chosen_values_take_source_only_where_asked():
	diffs = core.differences(
		{"customer_name": "A", "language": "en"}, {"customer_name": "B", "language": "de"}, FIELDS
	)
	assert core.chosen_values(diffs, {"language": "source", "customer_name": "target"}) == {"language": "en"}
	assert core.chosen_values(diffs, {}) == {}


def test_chosen_values_refuse_unknown_fields_and_bad_choices():
	diffs = core.differences({"language": "en"}, {"language": "de"}, FIELDS)
	with pytest.raises(core.GovernanceRefused) as error:
		core.chosen_values(diffs, {"tax_id": "source"})  # does not differ
	assert error.value.refusal == core.Refusal.UNKNOWN_FIELD
	with pytest.raises(core.GovernanceRefused) as error:
		core.chosen_values(diffs, {"language": "both"})
	assert error.value.refusal == core.Refusal.BAD_CHOICE


@given(
	source=st.dictionaries(
		st.sampled_from([f for f, _ in FIELDS]), st.one_of(st.none(), st.text(max_size=3))
	),
	target=st.dictionaries(
		st.sampled_from([f for f, _ in FIELDS]), st.one_of(st.none(), st.text(max_size=3))
	),
	choices=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_merged_record_has_for_each_field_the_chosen_side(source, target, choices):
	diffs = core.differences(source, target, FIELDS)
	keep = {d.fieldname: ("source" if pick else "target") for d, pick in zip(diffs, choices, strict=False)}
	merged = {**target, **core.chosen_values(diffs, keep)}
	for diff in diffs:
		side = source if keep.get(diff.fieldname) == "source" else target
		assert merged.get(diff.fieldname) == side.get(diff.fieldname)


def test_rows_to_carry_skips_rows_the_target_has_and_clears_primary_flags():
	source = [
		{"email_id": "a@x.test", "is_primary": 1},
		{"email_id": "b@x.test", "is_primary": 0},
		{"email_id": "b@x.test", "is_primary": 0},
		{"email_id": None, "is_primary": 0},
	]
	target = [{"email_id": "a@x.test", "is_primary": 1}]
	assert core.rows_to_carry(source, target, ("email_id",)) == [{"email_id": "b@x.test", "is_primary": 0}]
	carried = core.rows_to_carry([{"email_id": "c@x.test", "is_primary": 1}], target, ("email_id",))
	assert carried == [{"email_id": "c@x.test", "is_primary": 0}]


def test_merge_conflicts_on_currency_and_receivable_account():
	eur = core.PartyProfile("EUR", frozenset(), {"WP": "Debtors EUR - WP"})
	usd = core.PartyProfile(None, frozenset({"USD"}), {"WP": "Debtors - WP"})
	kinds = [conflict[0] for conflict in core.merge_conflicts(eur, usd)]
	assert kinds == ["currency", "receivable_account"]


def test_no_conflict_when_unknown_or_equal():
	empty = core.PartyProfile()
	usd = core.PartyProfile("USD", frozenset({"USD"}), {"WP": "Debtors - WP"})
	assert core.merge_conflicts(empty, usd) == []
	assert core.merge_conflicts(usd, core.PartyProfile(None, frozenset({"USD"}), {"OTHER": "X"})) == []


def test_group_links_sums_per_doctype_and_orders_blockers_first():
	counts = [
		core.LinkCount("Communication", ("reference_name",), 7, 7, ("C1",), ignored_on_delete=True),
		core.LinkCount("Sales Invoice", ("customer",), 3, 0, ("SI1", "SI2", "SI3")),
		core.LinkCount("Quotation", ("party_name",), 2, 2, ("Q1", "Q2")),
		core.LinkCount("Quotation", ("customer_name",), 1, 1, ("Q3",)),
		core.LinkCount("Sales Order", ("customer",), 0, 0),
	]
	groups = core.group_links(counts, sample=2)
	assert [g.doctype for g in groups] == ["Quotation", "Communication", "Sales Invoice"]
	quotation = groups[0]
	assert (quotation.count, quotation.names, quotation.blocks_delete) == (3, ["Q1", "Q2"], True)
	assert quotation.fields == ["party_name", "customer_name"]
	# cancelled invoices and ignored doctypes do not block deletion
	assert not groups[1].blocks_delete and not groups[2].blocks_delete
