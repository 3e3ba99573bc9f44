"""Which records can be made from which, and the plan of one conversion.

Plain data in (`Source`, the requested targets, the records to link), plain decisions out
(`Option`, `Plan`, `Problem`). The service loads the facts, asks here, then carries the plan
out in one transaction; nothing here knows Frappe.

Duplicate rules:
- A lead becomes at most one Customer (ERPNext's `Customer.lead_name`): asking for a Customer
  again is refused, naming the existing one; documents that merely need the lead's customer (an
  invoice, an opportunity) reuse it.
- A lead's Contact (ERPNext creates one with every lead) is reused; asking for a Contact alone
  when the lead already has one is refused, there is nothing to make.
- Repeat business: a new lead of a company that is already a customer links to that customer,
  also when the customer was made from an earlier lead; the customer keeps its first lead
  (`Customer.lead_name`), the link is recorded in the dependency graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crm_lifecycle.core import refusal
from crm_lifecycle.core.dependencies import CONVERSION, Edge, Node
from crm_lifecycle.core.dependencies import LINK as LINK_EDGE
from crm_lifecycle.core.refusal import CONFLICT, INVALID, MISSING

LEAD, CONTACT, CUSTOMER = "Lead", "Contact", "Customer"
OPPORTUNITY, QUOTATION = "Opportunity", "Quotation"
SALES_ORDER, SALES_INVOICE = "Sales Order", "Sales Invoice"

COMBINATIONS: Mapping[str, tuple[tuple[str, ...], ...]] = {
	LEAD: (
		(OPPORTUNITY,),
		(OPPORTUNITY, CONTACT),
		(OPPORTUNITY, CUSTOMER),
		(OPPORTUNITY, CONTACT, CUSTOMER),
		(CONTACT,),
		(CUSTOMER,),
		(CONTACT, CUSTOMER),
	),
	OPPORTUNITY: ((QUOTATION,), (SALES_INVOICE,)),
	QUOTATION: ((OPPORTUNITY,), (SALES_INVOICE,), (SALES_ORDER,)),
}
# Records a conversion may link to instead of creating them (picked from a list in the desk).
LINKABLE: Mapping[str, tuple[str, ...]] = {LEAD: (CONTACT, CUSTOMER)}
# Each step may use what the earlier ones made: the contact goes on the customer, both on the deal.
CREATION_ORDER = (CONTACT, CUSTOMER, OPPORTUNITY, QUOTATION, SALES_ORDER, SALES_INVOICE)
NEEDS_ITEMS = (QUOTATION, SALES_ORDER, SALES_INVOICE)
NEEDS_CUSTOMER = (SALES_ORDER, SALES_INVOICE)
CREATE, REUSE, LINK = "create", "reuse", "link"


# What a problem means for the caller (core/refusal.py); every other one is INVALID.
PROBLEM_KINDS = {
	"already_converted": CONFLICT,
	"has_contact": CONFLICT,
	"no_items": MISSING,
	"missing_company": MISSING,
	"missing_currency": MISSING,
	"missing_items": MISSING,
	"missing_receivable_account": MISSING,
	"missing_income_account": MISSING,
}


@dataclass(frozen=True)
class Problem:
	"""Why something cannot be done: a code the service turns into a translated message."""

	code: str
	params: tuple[str, ...] = ()

	@property
	def kind(self) -> str:
		return PROBLEM_KINDS.get(self.code, INVALID)


class Refused(refusal.Refused):
	def __init__(self, problem: Problem):
		super().__init__(problem.code, *problem.params, kind=problem.kind)
		self.problem = problem


@dataclass(frozen=True)
class Source:
	doctype: str
	name: str
	docstatus: int = 0
	status: str = ""
	party_doctype: str = ""  # Opportunity.opportunity_from / Quotation.quotation_to
	party_name: str = ""
	item_count: int = 0
	customer: str = ""  # the lead's Customer (made from it, or linked to it), if any
	contact: str = ""  # a Contact already linked to the lead, if any


@dataclass(frozen=True)
class Linked:
	"""A record the caller wants to link: what the duplicate rules need to know about it."""

	doctype: str
	name: str
	lead: str = ""  # Customer.lead_name: its first lead, which it keeps when a repeat lead links


@dataclass(frozen=True)
class Option:
	targets: tuple[str, ...]
	available: bool
	problem: Problem | None = None


@dataclass(frozen=True)
class Step:
	doctype: str
	action: str  # create / reuse / link
	name: str = ""  # the existing record, for reuse and link
	implicit: bool = False  # not asked for; another step needs it (the customer of an invoice)


@dataclass(frozen=True)
class Plan:
	source: Source
	steps: tuple[Step, ...] = field(default_factory=tuple)

	def step(self, doctype: str) -> Step | None:
		return next((step for step in self.steps if step.doctype == doctype), None)

	@property
	def to_create(self) -> tuple[str, ...]:
		return tuple(step.doctype for step in self.steps if step.action == CREATE)

	@property
	def to_link(self) -> tuple[Step, ...]:
		return tuple(step for step in self.steps if step.action == LINK)


def normalise(targets: Iterable[str]) -> tuple[str, ...]:
	targets = list(dict.fromkeys(targets))
	unknown = [target for target in targets if target not in CREATION_ORDER]
	if unknown:
		raise Refused(Problem("unknown_target", (unknown[0],)))
	return tuple(sorted(targets, key=CREATION_ORDER.index))


def options(source: Source) -> list[Option]:
	"""Every combination offered for this kind of record, each available or with its reason."""
	result = []
	for targets in COMBINATIONS.get(source.doctype, ()):
		try:
			plan(source, targets)
		except Refused as refused:
			result.append(Option(normalise(targets), False, refused.problem))
		else:
			result.append(Option(normalise(targets), True))
	return result


def plan(source: Source, targets: Iterable[str], link: Mapping[str, Linked] | None = None) -> Plan:
	"""The steps of one conversion, in creation order; raises `Refused` with the first problem."""
	link = dict(link or {})
	targets = normalise(targets)
	if source.doctype not in COMBINATIONS:
		raise Refused(Problem("unsupported_source", (source.doctype,)))
	for doctype in link:
		if doctype not in LINKABLE.get(source.doctype, ()):
			raise Refused(Problem("not_linkable", (doctype, source.doctype)))
		if doctype in targets:
			raise Refused(Problem("create_and_link", (doctype,)))
	if not targets and not link:
		raise Refused(Problem("nothing_to_do"))
	allowed = {frozenset(combination) for combination in COMBINATIONS[source.doctype]}
	if targets and frozenset(targets) not in allowed:
		raise Refused(Problem("unsupported_combination", (" + ".join(targets), source.doctype)))
	if source.docstatus == 2:
		raise Refused(Problem("cancelled", (source.doctype, source.name)))

	if source.doctype == LEAD:
		steps = _lead_steps(source, targets, link)
	else:
		steps = _document_steps(source, targets)
	return Plan(source, tuple(sorted(steps, key=lambda step: CREATION_ORDER.index(step.doctype))))


def _lead_steps(source: Source, targets: tuple[str, ...], link: Mapping[str, Linked]) -> list[Step]:
	steps: list[Step] = []
	customer = link.get(CUSTOMER)
	if CUSTOMER in targets and source.customer:
		raise Refused(Problem("already_converted", (source.name, CUSTOMER, source.customer)))
	if customer and source.customer and customer.name != source.customer:
		raise Refused(Problem("already_converted", (source.name, CUSTOMER, source.customer)))
	if targets == (CONTACT,) and source.contact:
		raise Refused(Problem("has_contact", (source.name, source.contact)))

	if CONTACT in link:
		steps.append(Step(CONTACT, LINK, link[CONTACT].name))
	elif CONTACT in targets:
		steps.append(Step(CONTACT, REUSE, source.contact) if source.contact else Step(CONTACT, CREATE))
	if customer:
		steps.append(Step(CUSTOMER, LINK, customer.name))
	elif CUSTOMER in targets:
		steps.append(Step(CUSTOMER, CREATE))
	elif OPPORTUNITY in targets and source.customer:
		# a converted lead's new deals belong to its customer
		steps.append(Step(CUSTOMER, REUSE, source.customer, implicit=True))
	if OPPORTUNITY in targets:
		steps.append(Step(OPPORTUNITY, CREATE))
	return steps


def _document_steps(source: Source, targets: tuple[str, ...]) -> list[Step]:
	if source.doctype == OPPORTUNITY and source.status in ("Lost", "Closed"):
		raise Refused(Problem("closed", (source.doctype, source.name, source.status)))
	steps = [Step(target, CREATE) for target in targets]
	for target in targets:
		if target in NEEDS_ITEMS and source.item_count == 0:
			raise Refused(Problem("no_items", (source.doctype, source.name, target)))
		if source.doctype == QUOTATION and target in NEEDS_CUSTOMER:
			if source.docstatus != 1:
				raise Refused(Problem("not_submitted", (source.doctype, source.name, target)))
			if source.status == "Lost":
				raise Refused(Problem("closed", (source.doctype, source.name, source.status)))
		if target in NEEDS_CUSTOMER:
			if source.party_doctype not in (LEAD, CUSTOMER) or not source.party_name:
				raise Refused(Problem("no_customer", (source.doctype, source.name, source.party_doctype)))
			if source.party_doctype == LEAD:
				# ERPNext's own mappers make the lead's customer on the fly; we make it a visible step
				implicit = Step(CUSTOMER, REUSE, source.customer, True) if source.customer else None
				steps.append(implicit or Step(CUSTOMER, CREATE, implicit=True))
	return steps


@dataclass(frozen=True)
class Draft:
	"""What a mapped, not yet saved document lacks that ERPNext needs to save it."""

	doctype: str
	company: str = ""
	currency: str = ""
	item_count: int = 0
	receivable_account: str = ""
	rows_without_income_account: tuple[int, ...] = ()


def missing(draft: Draft) -> list[Problem]:
	problems = []
	if draft.doctype in (OPPORTUNITY, *NEEDS_ITEMS) and not draft.company:
		problems.append(Problem("missing_company", (draft.doctype,)))
	if draft.doctype in NEEDS_ITEMS:
		if not draft.currency:
			problems.append(Problem("missing_currency", (draft.doctype, draft.company)))
		if draft.item_count == 0:
			problems.append(Problem("missing_items", (draft.doctype,)))
	if draft.doctype == SALES_INVOICE and draft.company:
		if not draft.receivable_account:
			problems.append(Problem("missing_receivable_account", (draft.company,)))
		if draft.rows_without_income_account:
			rows = ", ".join(str(idx) for idx in draft.rows_without_income_account)
			problems.append(Problem("missing_income_account", (draft.company, rows)))
	return problems


def edges(plan: Plan, names: Mapping[str, str]) -> list[Edge]:
	"""The dependency-graph edges to record once the plan's records exist under `names`
	(doctype -> name). Reused records were recorded when they were made."""
	source = plan.source
	result = []
	for step in plan.steps:
		if step.action == REUSE or step.doctype not in names:
			continue
		kind = LINK_EDGE if step.action == LINK else CONVERSION
		target = Node(step.doctype, names[step.doctype])
		if step.implicit and source.party_doctype == LEAD:
			# the invoice's customer is the lead's customer: made from the lead, not from the quote
			result.append(Edge(Node(LEAD, source.party_name), target, kind))
		else:
			result.append(Edge(Node(source.doctype, source.name), target, kind))
	return result
