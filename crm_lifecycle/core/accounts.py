"""Account views and mass transfer decided on plain data.

The services layer loads customers, their open documents, assignments and what the user may
write; these functions decide which list filters a view means, where a week begins and what a
transfer moves, closes or refuses.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from crm_lifecycle.core import refusal
from crm_lifecycle.core.refusal import CONFLICT, FORBIDDEN, NOT_FOUND

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_FIRST_DAY = "Sunday"  # Frappe's own default when System Settings leave it empty

# What "open" means for the documents that move with an account.
OPEN_OPPORTUNITY_STATUSES = ("Open", "Replied", "Quotation")
OPEN_QUOTATION_STATUSES = ("Draft", "Open", "Replied")
# Assignments Frappe still shows on the record (ToDo.update_in_reference counts these).
LIVE_TODO_EXCLUDED_STATUSES = ("Cancelled", "Closed")

BACKGROUND_THRESHOLD = 50  # more selected customers than this: a background job
RECENT_LIMIT = 20  # Recently Viewed: the newest N, so they fit one list page in view order


class View(str, Enum):
	MY_ACCOUNTS = "my_accounts"
	NEW_THIS_WEEK = "new_this_week"
	NEW_LAST_WEEK = "new_last_week"
	UNREAD = "unread"
	RECENTLY_VIEWED = "recently_viewed"
	DEACTIVATED = "deactivated"
	INVALID = "invalid"


# Views whose filter is a list of names read from who opened what.
VIEW_LOG_VIEWS = (View.UNREAD, View.RECENTLY_VIEWED)


class UnknownView(ValueError):
	pass


def parse_view(value: str) -> View:
	try:
		return View(value)
	except ValueError:
		raise UnknownView(value)


# Weeks -----------------------------------------------------------------------------------------


def week_start(day: date, first_day: str | None = DEFAULT_FIRST_DAY) -> date:
	"""The first day of the week containing `day`, weeks beginning on `first_day` (a weekday
	name; empty means Frappe's default, Sunday)."""
	first_day = first_day or DEFAULT_FIRST_DAY
	if first_day not in WEEKDAYS:
		raise ValueError(f"not a weekday: {first_day!r}")
	return day - timedelta(days=(day.weekday() - WEEKDAYS.index(first_day)) % 7)


def week_range(day: date, first_day: str | None = DEFAULT_FIRST_DAY, weeks_ago: int = 0) -> tuple[date, date]:
	"""First and last day (inclusive) of the week `weeks_ago` weeks before the one of `day`."""
	start = week_start(day, first_day) - timedelta(weeks=weeks_ago)
	return start, start + timedelta(days=6)


def view_filters(
	view: View, user: str, today: date, first_day: str | None = None, viewed: Iterable[str] = ()
) -> list[list]:
	"""The list filters ([fieldname, operator, value]) a view applies to Customer.

	`viewed`: for Unread, every customer the user opened; for Recently Viewed, the newest ones,
	newest first (the list shows them in this order)."""
	if view == View.MY_ACCOUNTS:
		return [["account_manager", "=", user]]
	if view in (View.NEW_THIS_WEEK, View.NEW_LAST_WEEK):
		start, end = week_range(today, first_day, weeks_ago=0 if view == View.NEW_THIS_WEEK else 1)
		return [["creation", "between", [start.isoformat(), end.isoformat()]]]
	if view == View.UNREAD:
		viewed = sorted(set(viewed))
		return [["name", "not in", viewed]] if viewed else []
	if view == View.RECENTLY_VIEWED:
		return [["name", "in", list(dict.fromkeys(viewed))[:RECENT_LIMIT]]]
	if view == View.DEACTIVATED:
		return [["crm_active", "=", 0]]
	if view == View.INVALID:
		return [["crm_invalid", "=", 1]]
	raise UnknownView(view)


# Transfer --------------------------------------------------------------------------------------


class Refusal(str, Enum):
	NOT_FOUND = "not_found"
	NOT_PERMITTED = "not_permitted"
	LOCKED = "locked"


@dataclass(frozen=True)
class Account:
	name: str
	owner: str | None  # Customer.account_manager


@dataclass(frozen=True)
class OpenDocument:
	"""An open Opportunity or Quotation of a customer. `owner` is the document's own owner
	field (Opportunity.opportunity_owner); a Quotation has none and moves by its assignments."""

	doctype: str
	name: str
	customer: str
	owner: str | None = None
	has_owner_field: bool = False


@dataclass(frozen=True)
class Assignment:
	"""An open ToDo."""

	name: str
	reference_doctype: str
	reference_name: str
	allocated_to: str


class Refused(refusal.Refused):
	"""Why one record of a transfer is not moved: a refusal kept in the plan's result, not raised
	(the others move)."""

	KINDS = {Refusal.NOT_FOUND: NOT_FOUND, Refusal.NOT_PERMITTED: FORBIDDEN, Refusal.LOCKED: CONFLICT}

	def __init__(self, reason: Refusal, detail: str | None = None):
		super().__init__(reason, *([detail] if detail else []), kind=self.KINDS[reason])
		self.detail = detail

	@property
	def refusal(self) -> Refusal:
		return self.code


@dataclass
class AccountResult:
	name: str
	moved: bool = False
	previous_owner: str | None = None
	refused: Refused | None = None
	documents: int = 0  # open documents moved with it (owner field or assignment)

	@property
	def ok(self) -> bool:
		return self.refused is None


@dataclass
class TransferPlan:
	new_owner: str
	results: list[AccountResult] = field(default_factory=list)
	accounts: list[Account] = field(default_factory=list)  # to move; owner = the previous one
	documents: list[OpenDocument] = field(default_factory=list)  # owner field to set
	assignments_to_move: list[Assignment] = field(default_factory=list)
	# the new owner already has the same open assignment: the old one is closed, not doubled
	assignments_to_close: list[Assignment] = field(default_factory=list)
	refused_documents: list[tuple[OpenDocument, Refused]] = field(default_factory=list)

	def changed_references(self) -> set[tuple[str, str]]:
		"""Records whose assignment list (`_assign`) must be recomputed."""
		return {
			(a.reference_doctype, a.reference_name)
			for a in self.assignments_to_move + self.assignments_to_close
		}

	def timeline(self) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
		"""Per moved record, what happened to it: ("account" | "owner" | "assignment", previous)."""
		entries: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
		for account in self.accounts:
			entries.setdefault(("Customer", account.name), []).append(("account", account.owner))
		for document in self.documents:
			entries.setdefault((document.doctype, document.name), []).append(("owner", document.owner))
		for assignment in self.assignments_to_move + self.assignments_to_close:
			key = (assignment.reference_doctype, assignment.reference_name)
			if ("assignment", assignment.allocated_to) not in entries.get(key, []):
				entries.setdefault(key, []).append(("assignment", assignment.allocated_to))
		return entries


def plan_transfer(
	requested: Iterable[str],
	accounts: Iterable[Account],
	new_owner: str,
	refused: dict[str, Refused] | None = None,
	documents: Iterable[OpenDocument] = (),
	refused_documents: dict[tuple[str, str], Refused] | None = None,
	assignments: Iterable[Assignment] = (),
	new_owner_assigned: Iterable[tuple[str, str]] = (),
) -> TransferPlan:
	"""What moving `requested` customers to `new_owner` changes.

	- A customer not found or refused (no write permission, locked) is reported, not moved;
	  one already owned by `new_owner` is reported unchanged and takes no documents along.
	- Of a moved customer's open documents, the owner field moves when it names the previous
	  owner or nobody (a colleague's deal stays theirs); a refused document is reported.
	- Open assignments of the previous owner on the customer or its (not refused) open
	  documents move; where `new_owner` already holds an open one on the same record, the old
	  one is closed instead of doubled (`new_owner_assigned`: those records)."""
	refused = refused or {}
	refused_documents = refused_documents or {}
	by_name = {account.name: account for account in accounts}
	plan = TransferPlan(new_owner)
	moving: dict[str, Account] = {}
	for name in dict.fromkeys(requested):
		account = by_name.get(name)
		result = AccountResult(name, previous_owner=account.owner if account else None)
		plan.results.append(result)
		if account is None:
			result.refused = Refused(Refusal.NOT_FOUND)
		elif name in refused:
			result.refused = refused[name]
		elif account.owner != new_owner:
			result.moved = True
			moving[name] = account
			plan.accounts.append(account)

	results = {result.name: result for result in plan.results}
	owner_of: dict[tuple[str, str], str | None] = {("Customer", name): a.owner for name, a in moving.items()}
	customer_of: dict[tuple[str, str], str] = {("Customer", name): name for name in moving}
	counted: set[tuple[str, str]] = set()
	for document in documents:
		account = moving.get(document.customer)
		if account is None:
			continue
		key = (document.doctype, document.name)
		if key in refused_documents:
			plan.refused_documents.append((document, refused_documents[key]))
			continue
		owner_of[key] = account.owner
		customer_of[key] = account.name
		if document.has_owner_field and document.owner in (account.owner, None, ""):
			plan.documents.append(document)
			counted.add(key)

	already = set(new_owner_assigned)
	for assignment in assignments:
		key = (assignment.reference_doctype, assignment.reference_name)
		if key not in owner_of or not owner_of[key] or assignment.allocated_to != owner_of[key]:
			continue
		if key in already:
			plan.assignments_to_close.append(assignment)
		else:
			plan.assignments_to_move.append(assignment)
			already.add(key)
		if key[0] != "Customer":
			counted.add(key)
	for key in counted:
		results[customer_of[key]].documents += 1
	return plan


def assignment_lists(
	references: Iterable[tuple[str, str]], live_todos: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str], list[str]]:
	"""`_assign` of each reference as ToDo.update_in_reference writes it: the users of its live
	ToDos (`live_todos`: (reference_doctype, reference_name, allocated_to), oldest first)."""
	lists: dict[tuple[str, str], list[str]] = {reference: [] for reference in references}
	for doctype, name, user in live_todos:
		if (doctype, name) in lists and user:
			lists[(doctype, name)].append(user)
	return lists


def needs_background(count: int) -> bool:
	return count > BACKGROUND_THRESHOLD
