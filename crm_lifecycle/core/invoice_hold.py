"""Which invoices a hold or a release touches, and which holds have expired."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class HeldInvoice:
	name: str
	on_hold: bool
	held_until: date | None = None


@dataclass
class ReleasePlan:
	to_release: list[str]
	not_held: list[str]


def plan_release(invoices: list[HeldInvoice]) -> ReleasePlan:
	"""Release every held invoice; those not on hold are reported, not silently skipped."""
	return ReleasePlan(
		to_release=[invoice.name for invoice in invoices if invoice.on_hold],
		not_held=[invoice.name for invoice in invoices if not invoice.on_hold],
	)


def expired_holds(invoices: list[HeldInvoice], today: date) -> list[str]:
	"""Holds whose 'held until' date has passed release themselves."""
	return [
		invoice.name
		for invoice in invoices
		if invoice.on_hold and invoice.held_until is not None and invoice.held_until < today
	]
