"""What deactivating or reactivating a customer or contact touches, decided on plain data.

The services layer loads the party, its open invoices and running subscriptions, asks these
functions for a plan or a refusal, and persists the plan in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from crm_lifecycle.core.refusal import Refused

PARTY_DOCTYPES = ("Customer", "Contact")
RUNNING_SUBSCRIPTION_STATUSES = ("Trialling", "Active", "Past Due Date", "Unpaid")


class Refusal(str, Enum):
	"""Why an action is refused; the services layer turns each into a translated message."""

	NOT_A_PARTY = "not_a_party"
	ALREADY_INACTIVE = "already_inactive"
	ALREADY_ACTIVE = "already_active"
	NOTHING_HELD = "nothing_held"


class DeactivationRefused(Refused):
	def __init__(self, refusal: Refusal, *args: str):
		super().__init__(refusal, *args)  # each one a request that cannot be carried out (417)

	@property
	def refusal(self) -> Refusal:
		return self.code


@dataclass(frozen=True)
class Party:
	doctype: str
	name: str
	active: bool


@dataclass(frozen=True)
class OpenInvoice:
	name: str
	outstanding_amount: float
	currency: str
	due_date: date | None = None
	on_hold: bool = False


@dataclass(frozen=True)
class Schedule:
	"""A running ERPNext Subscription or an enabled Auto Repeat of the party's documents."""

	doctype: str
	name: str
	status: str = ""


@dataclass
class Preview:
	invoices: list[OpenInvoice]
	schedules: list[Schedule]

	@property
	def needs_decision(self) -> bool:
		"""The desk asks about invoices and subscriptions only when there is something to decide."""
		return bool(self.invoices_to_hold or self.schedules)

	@property
	def invoices_to_hold(self) -> list[OpenInvoice]:
		return [invoice for invoice in self.invoices if not invoice.on_hold]

	def outstanding_by_currency(self) -> dict[str, float]:
		totals: dict[str, float] = {}
		for invoice in self.invoices:
			totals[invoice.currency] = totals.get(invoice.currency, 0.0) + invoice.outstanding_amount
		return {currency: round(total, 2) for currency, total in sorted(totals.items())}


@dataclass
class DeactivationPlan:
	party: Party
	reason: str | None
	invoices_to_hold: list[str] = field(default_factory=list)
	subscriptions_to_cancel: list[str] = field(default_factory=list)
	auto_repeats_to_disable: list[str] = field(default_factory=list)


def check_party(doctype: str) -> None:
	if doctype not in PARTY_DOCTYPES:
		raise DeactivationRefused(Refusal.NOT_A_PARTY, doctype)


def plan_deactivation(
	party: Party,
	preview: Preview,
	hold_invoices: bool = False,
	cancel_subscriptions: bool = False,
	reason: str | None = None,
) -> DeactivationPlan:
	check_party(party.doctype)
	if not party.active:
		raise DeactivationRefused(Refusal.ALREADY_INACTIVE, party.doctype, party.name)

	plan = DeactivationPlan(party=party, reason=(reason or "").strip() or None)
	if hold_invoices:
		plan.invoices_to_hold = [invoice.name for invoice in preview.invoices_to_hold]
	if cancel_subscriptions:
		plan.subscriptions_to_cancel = [s.name for s in preview.schedules if s.doctype == "Subscription"]
		plan.auto_repeats_to_disable = [s.name for s in preview.schedules if s.doctype == "Auto Repeat"]
	return plan


@dataclass
class BulkPlan:
	"""Many deactivations at once. `together` are written set-based; `one_by_one` cancel
	subscriptions or auto repeats, which are document saves, so they take the single-record path."""

	together: list[DeactivationPlan] = field(default_factory=list)
	one_by_one: list[DeactivationPlan] = field(default_factory=list)
	refused: dict[str, DeactivationRefused] = field(default_factory=dict)


def plan_many(
	parties: list[Party],
	previews: dict[str, Preview],
	hold_invoices: bool = False,
	cancel_subscriptions: bool = False,
	reason: str | None = None,
) -> BulkPlan:
	"""plan_deactivation for each party; a refused party is reported, not a reason to stop."""
	bulk = BulkPlan()
	for party in parties:
		preview = previews.get(party.name) or Preview(invoices=[], schedules=[])
		try:
			plan = plan_deactivation(party, preview, hold_invoices, cancel_subscriptions, reason)
		except DeactivationRefused as error:
			bulk.refused[party.name] = error
			continue
		if plan.subscriptions_to_cancel or plan.auto_repeats_to_disable:
			bulk.one_by_one.append(plan)
		else:
			bulk.together.append(plan)
	return bulk


def check_reactivation(party: Party) -> None:
	"""Reactivation restores only the party: held invoices stay held, cancelled subscriptions stay cancelled."""
	check_party(party.doctype)
	if party.active:
		raise DeactivationRefused(Refusal.ALREADY_ACTIVE, party.doctype, party.name)


def transaction_policy(setting: str | None, customer_active: bool) -> str:
	"""What a new Sales Order / Sales Invoice for this customer gets: 'allow', 'warn' or 'block'."""
	if customer_active:
		return "allow"
	policy = (setting or "Warn").strip().lower()
	return policy if policy in ("allow", "warn", "block") else "warn"
