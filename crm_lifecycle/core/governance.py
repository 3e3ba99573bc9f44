"""Record governance decided on plain data: validity, invalidation, merge plans, link reports.

The services layer loads field values, child rows and link counts; these functions decide
what differs, what a merge writes, what conflicts forbid it, and how links are reported.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from crm_lifecycle.core.refusal import Refused

INVALIDATABLE_DOCTYPES = ("Customer", "Contact", "Lead")
MERGEABLE_DOCTYPES = ("Customer", "Contact")

# Child rows of the source that a merge carries over to the target, keyed by what makes a row
# the same; rows the target already has (same key) stay as the target has them.
MERGED_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
	"Customer": {
		"accounts": ("company",),
		"credit_limits": ("company",),
		"portal_users": ("user",),
		"sales_team": ("sales_person",),
	},
	"Contact": {
		"links": ("link_doctype", "link_name"),
		"email_ids": ("email_id",),
		"phone_nos": ("phone",),
	},
}
# Flags that say "the main one" on child rows: carried rows never take that role from the target.
PRIMARY_FLAGS = ("is_primary", "is_primary_phone", "is_primary_mobile_no")
SAMPLE_SIZE = 5


class Refusal(str, Enum):
	NOT_INVALIDATABLE = "not_invalidatable"
	ALREADY_INVALID = "already_invalid"
	NOT_INVALID = "not_invalid"
	NOT_MERGEABLE = "not_mergeable"
	MERGE_INTO_ITSELF = "merge_into_itself"
	UNKNOWN_FIELD = "unknown_field"
	BAD_CHOICE = "bad_choice"
	CONFLICT = "conflict"


class GovernanceRefused(Refused):
	def __init__(self, refusal: Refusal, *details: str):
		super().__init__(refusal, *details)

	@property
	def refusal(self) -> Refusal:
		return self.code


def validity(active: bool | None, invalid: bool) -> str:
	"""Active / Deactivated / Invalid; invalid wins (the record is hidden whatever else it is)."""
	if invalid:
		return "Invalid"
	if active is not None and not active:
		return "Deactivated"
	return "Active"


def check_invalidate(doctype: str, invalid: bool) -> None:
	if doctype not in INVALIDATABLE_DOCTYPES:
		raise GovernanceRefused(Refusal.NOT_INVALIDATABLE, doctype)
	if invalid:
		raise GovernanceRefused(Refusal.ALREADY_INVALID)


def check_restore(doctype: str, invalid: bool) -> None:
	if doctype not in INVALIDATABLE_DOCTYPES:
		raise GovernanceRefused(Refusal.NOT_INVALIDATABLE, doctype)
	if not invalid:
		raise GovernanceRefused(Refusal.NOT_INVALID)


# Merge ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
	fieldname: str
	label: str
	source: object
	target: object


@dataclass(frozen=True)
class PartyProfile:
	"""What must agree between two customers before their ledgers can become one."""

	billing_currency: str | None = None
	ledger_currencies: frozenset[str] = frozenset()
	receivable_accounts: dict[str, str] = field(default_factory=dict)  # company -> account


def check_merge_pair(doctype: str, source: str, target: str) -> None:
	if doctype not in MERGEABLE_DOCTYPES:
		raise GovernanceRefused(Refusal.NOT_MERGEABLE, doctype)
	if source == target:
		raise GovernanceRefused(Refusal.MERGE_INTO_ITSELF, source)


def _blank(value: object) -> bool:
	return value is None or value == ""


def differences(source: dict, target: dict, fields: Iterable[tuple[str, str]]) -> list[FieldDiff]:
	"""Every (fieldname, label) whose values differ; None and "" count as the same blank."""
	diffs = []
	for fieldname, label in fields:
		a, b = source.get(fieldname), target.get(fieldname)
		if (_blank(a) and _blank(b)) or a == b:
			continue
		diffs.append(FieldDiff(fieldname, label, a, b))
	return diffs


def chosen_values(diffs: list[FieldDiff], keep: dict[str, str]) -> dict[str, object]:
	"""The values to write on the target: for each field kept from "source", the source's value.

	Fields not named in `keep` keep the target's value. Naming a field that does not differ
	(or does not exist) or a choice other than "source"/"target" is refused, so a typo never
	silently keeps the wrong value."""
	by_name = {diff.fieldname: diff for diff in diffs}
	updates = {}
	for fieldname, choice in keep.items():
		if fieldname not in by_name:
			raise GovernanceRefused(Refusal.UNKNOWN_FIELD, fieldname)
		if choice not in ("source", "target"):
			raise GovernanceRefused(Refusal.BAD_CHOICE, fieldname, str(choice))
		if choice == "source":
			updates[fieldname] = by_name[fieldname].source
	return updates


def rows_to_carry(source_rows: list[dict], target_rows: list[dict], key: tuple[str, ...]) -> list[dict]:
	"""Source child rows whose key the target lacks, without primary flags, de-duplicated."""
	seen = {tuple(row.get(k) for k in key) for row in target_rows}
	carried = []
	for row in source_rows:
		row_key = tuple(row.get(k) for k in key)
		if row_key in seen or all(_blank(value) for value in row_key):
			continue
		seen.add(row_key)
		carried.append({name: (0 if name in PRIMARY_FLAGS else value) for name, value in row.items()})
	return carried


def merge_conflicts(source: PartyProfile, target: PartyProfile) -> list[tuple[str, ...]]:
	"""What forbids merging two customers' ledgers: (kind, detail...) tuples, empty when none.

	- different billing currencies (explicit default currency, else the currency of the ledger);
	- different receivable accounts for the same company."""
	conflicts: list[tuple[str, ...]] = []
	source_currencies = (
		{source.billing_currency} if source.billing_currency else set(source.ledger_currencies)
	)
	target_currencies = (
		{target.billing_currency} if target.billing_currency else set(target.ledger_currencies)
	)
	if source_currencies and target_currencies and source_currencies != target_currencies:
		conflicts.append(
			("currency", ", ".join(sorted(source_currencies)), ", ".join(sorted(target_currencies)))
		)
	for company in sorted(set(source.receivable_accounts) & set(target.receivable_accounts)):
		a, b = source.receivable_accounts[company], target.receivable_accounts[company]
		if a and b and a != b:
			conflicts.append(("receivable_account", company, a, b))
	return conflicts


# Link report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCount:
	"""Documents of `doctype` pointing at the record through `fields` of one table (for child
	tables: the parents, counted once each). `live` of them are not cancelled."""

	doctype: str
	fields: tuple[str, ...]
	count: int
	live: int
	names: tuple[str, ...] = ()
	ignored_on_delete: bool = False


@dataclass
class LinkGroup:
	doctype: str
	count: int = 0
	names: list[str] = field(default_factory=list)
	fields: list[str] = field(default_factory=list)
	blocks_delete: bool = False


def group_links(counts: Iterable[LinkCount], sample: int = SAMPLE_SIZE) -> list[LinkGroup]:
	"""One group per linking doctype with its count and a few names; blockers first.

	A group blocks deletion when it holds a live (not cancelled) document and Frappe does not
	ignore its doctype on delete (as it does for Communication, ToDo, Version...). A document
	reached through two tables (its own field and a row) counts in each."""
	groups: dict[str, LinkGroup] = {}
	for link in counts:
		if not link.count:
			continue
		group = groups.setdefault(link.doctype, LinkGroup(link.doctype))
		group.count += link.count
		group.fields.extend(name for name in link.fields if name not in group.fields)
		group.names.extend(name for name in link.names if name not in group.names)
		del group.names[sample:]
		if link.live and not link.ignored_on_delete:
			group.blocks_delete = True
	return sorted(groups.values(), key=lambda group: (not group.blocks_delete, -group.count, group.doctype))
