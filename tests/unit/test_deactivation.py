"""Deactivation rules on plain data."""

from datetime import date

import pytest

from crm_lifecycle.core.deactivation import (
	DeactivationRefused,
	OpenInvoice,
	Party,
	Preview,
	Refusal,
	Schedule,
	check_reactivation,
	plan_deactivation,
	plan_many,
	transaction_policy,
)

ACTIVE = Party("Customer", "ACME", active=True)
INVOICES = [
	OpenInvoice("SINV-1", 100.0, "EUR", date(2026, 1, 1)),
	OpenInvoice("SINV-2", 50.5, "EUR", date(2026, 2, 1), on_hold=True),
	OpenInvoice("SINV-3", 20.0, "USD"),
]
SCHEDULES = [Schedule("Subscription", "SUB-1", "Active"), Schedule("Auto Repeat", "AR-1", "Active")]


def test_preview_totals_per_currency_and_needs_a_decision():
	preview = Preview(INVOICES, SCHEDULES)
	assert preview.outstanding_by_currency() == {"EUR": 150.5, "USD": 20.0}
	assert [invoice.name for invoice in preview.invoices_to_hold] == ["SINV-1", "SINV-3"]
	assert preview.needs_decision


def test_nothing_to_decide_without_unheld_invoices_or_schedules():
	assert not Preview([], []).needs_decision
	assert not Preview([INVOICES[1]], []).needs_decision
	assert Preview([], [SCHEDULES[0]]).needs_decision


def test_plan_holds_only_unheld_invoices_and_splits_schedules():
	plan = plan_deactivation(ACTIVE, Preview(INVOICES, SCHEDULES), True, True, "  Bad payer ")
	assert plan.invoices_to_hold == ["SINV-1", "SINV-3"]
	assert plan.subscriptions_to_cancel == ["SUB-1"]
	assert plan.auto_repeats_to_disable == ["AR-1"]
	assert plan.reason == "Bad payer"


def test_plan_without_choices_touches_nothing_else():
	plan = plan_deactivation(ACTIVE, Preview(INVOICES, SCHEDULES), reason="   ")
	assert (plan.invoices_to_hold, plan.subscriptions_to_cancel, plan.auto_repeats_to_disable) == ([], [], [])
	assert plan.reason is None


@pytest.mark.parametrize(
	("party", "refusal"),
	[
		(Party("Customer", "ACME", active=False), Refusal.ALREADY_INACTIVE),
		(Party("Supplier", "ACME", active=True), Refusal.NOT_A_PARTY),
	],
)
def test_refusals(party, refusal):
	with pytest.raises(DeactivationRefused) as error:
		plan_deactivation(party, Preview([], []))
	assert error.value.refusal is refusal


def test_reactivation_needs_an_inactive_party():
	check_reactivation(Party("Contact", "C-1", active=False))
	with pytest.raises(DeactivationRefused) as error:
		check_reactivation(Party("Contact", "C-1", active=True))
	assert error.value.refusal is Refusal.ALREADY_ACTIVE


@pytest.mark.parametrize(
	("setting", "active", "expected"),
	[
		("Block", True, "allow"),
		("Block", False, "block"),
		("Warn", False, "warn"),
		("Allow", False, "allow"),
		(None, False, "warn"),
		("nonsense", False, "warn"),
	],
)
def test_transaction_policy(setting, active, expected):
	assert transaction_policy(setting, active) == expected


def test_plan_many_reports_refusals_and_sends_schedules_one_by_one():
	inactive = Party("Customer", "OLD", active=False)
	plain = Party("Customer", "PLAIN", active=True)
	previews = {"ACME": Preview(INVOICES, SCHEDULES), "PLAIN": Preview(INVOICES[:1], [])}
	bulk = plan_many([ACTIVE, inactive, plain], previews, hold_invoices=True, cancel_subscriptions=True)
	assert [plan.party.name for plan in bulk.one_by_one] == ["ACME"]
	assert [plan.party.name for plan in bulk.together] == ["PLAIN"]
	assert bulk.together[0].invoices_to_hold == ["SINV-1"]
	assert bulk.refused["OLD"].refusal == Refusal.ALREADY_INACTIVE


def test_plan_many_without_cancelling_keeps_every_party_set_based():
	bulk = plan_many([ACTIVE], {"ACME": Preview(INVOICES, SCHEDULES)}, hold_invoices=True)
	assert [plan.party.name for plan in bulk.together] == ["ACME"] and not bulk.one_by_one
	assert bulk.together[0].subscriptions_to_cancel == []
	assert plan_many([ACTIVE], {}).together[0].invoices_to_hold == []
