"""User locks on records, decided on plain data.

A lock belongs to one user, may carry a reason and may expire. While it applies, only its
holder and the lock managers may change the record. The services layer loads the lock (from
the cache on the hot path), asks these functions, and turns each refusal into a translated
message with the right HTTP status.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from crm_lifecycle.core.refusal import CONFLICT, FORBIDDEN, INVALID, Refused

MANAGER_ROLES = frozenset({"System Manager", "CRM Lock Manager"})
DEFAULT_LOCKABLE_DOCTYPES = (
	"Customer",
	"Contact",
	"Lead",
	"Opportunity",
	"Quotation",
	"Sales Order",
	"Project",
)


class Refusal(str, Enum):
	"""Why a lock action is refused; the services layer maps each to a message and a status."""

	NOT_LOCKABLE = "not_lockable"
	HELD_BY_OTHER = "held_by_other"
	NOT_LOCKED = "not_locked"
	NOT_YOURS = "not_yours"
	EXPIRY_IN_PAST = "expiry_in_past"


class LockRefused(Refused):
	KINDS = {Refusal.HELD_BY_OTHER: CONFLICT, Refusal.NOT_YOURS: FORBIDDEN}

	def __init__(self, refusal: Refusal, lock: "Lock | None" = None):
		super().__init__(refusal, kind=self.KINDS.get(refusal, INVALID))
		self.lock = lock

	@property
	def refusal(self) -> Refusal:
		return self.code


@dataclass(frozen=True)
class Lock:
	locked_by: str
	locked_on: datetime
	reason: str | None = None
	expires_on: datetime | None = None

	def applies(self, now: datetime) -> bool:
		"""An expired lock stops applying by itself; nobody has to remove it first."""
		return self.expires_on is None or now < self.expires_on


class UnlockKind(str, Enum):
	OWN = "Unlocked"
	ADMIN = "Admin Unlock"


def is_manager(roles: set[str] | frozenset[str]) -> bool:
	return bool(MANAGER_ROLES & set(roles))


def may_edit(lock: Lock | None, user: str, roles: set[str], now: datetime) -> bool:
	"""The holder and the managers edit a locked record; everybody edits an unlocked one."""
	if lock is None or not lock.applies(now):
		return True
	return user == lock.locked_by or is_manager(roles)


def check_lock(
	lockable: bool, current: Lock | None, user: str, expires_on: datetime | None, now: datetime
) -> bool:
	"""Whether locking replaces a stale row (True) or inserts fresh (False); raises when refused.

	Locking again what you already hold renews it (new reason / expiry)."""
	if not lockable:
		raise LockRefused(Refusal.NOT_LOCKABLE)
	if expires_on is not None and expires_on <= now:
		raise LockRefused(Refusal.EXPIRY_IN_PAST)
	if current is None:
		return False
	if current.applies(now) and current.locked_by != user:
		raise LockRefused(Refusal.HELD_BY_OTHER, current)
	return True


def check_unlock(current: Lock | None, user: str, roles: set[str], now: datetime) -> UnlockKind:
	"""Who may remove a lock, and whether it counts as an admin unlock (recorded, holder notified)."""
	if current is None or not current.applies(now):
		raise LockRefused(Refusal.NOT_LOCKED)
	if current.locked_by == user:
		return UnlockKind.OWN
	if is_manager(roles):
		return UnlockKind.ADMIN
	raise LockRefused(Refusal.NOT_YOURS, current)
