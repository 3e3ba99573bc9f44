"""Lock rules on plain data: who may edit, lock and unlock, and when a lock stops applying."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core import locking as core

NOW = datetime(2026, 5, 1, 12, 0)
A, B = "a@example.com", "b@example.com"


def lock(holder=A, expires_in=None):
	expires = NOW + timedelta(minutes=expires_in) if expires_in is not None else None
	return core.Lock(locked_by=holder, locked_on=NOW - timedelta(hours=1), reason="why", expires_on=expires)


def test_unlocked_record_is_editable_by_anybody():
	assert core.may_edit(None, B, set(), NOW)


def test_holder_edits_others_do_not_managers_do():
	assert core.may_edit(lock(), A, set(), NOW)
	assert not core.may_edit(lock(), B, {"Sales User"}, NOW)
	assert core.may_edit(lock(), B, {"CRM Lock Manager"}, NOW)
	assert core.may_edit(lock(), B, {"System Manager"}, NOW)


def test_expired_lock_stops_applying_by_itself():
	assert not lock(expires_in=-1).applies(NOW)
	assert core.may_edit(lock(expires_in=-1), B, set(), NOW)
	# the boundary: at the expiry moment it no longer applies
	assert not lock(expires_in=0).applies(NOW)
	assert lock(expires_in=1).applies(NOW)


@given(minutes=st.integers(min_value=-10_000, max_value=10_000))
def test_a_lock_applies_exactly_before_its_expiry(minutes):
	held = lock(expires_in=minutes)
	assert held.applies(NOW) == (minutes > 0)
	assert core.may_edit(held, B, set(), NOW) == (minutes <= 0)


def test_locking_refuses_non_lockable_and_past_expiry():
	with pytest.raises(core.LockRefused) as error:
		core.check_lock(False, None, A, None, NOW)
	assert error.value.refusal == core.Refusal.NOT_LOCKABLE
	with pytest.raises(core.LockRefused) as error:
		core.check_lock(True, None, A, NOW - timedelta(seconds=1), NOW)
	assert error.value.refusal == core.Refusal.EXPIRY_IN_PAST


def test_locking_a_record_held_by_somebody_else_is_refused_with_the_holder():
	with pytest.raises(core.LockRefused) as error:
		core.check_lock(True, lock(A), B, None, NOW)
	assert error.value.refusal == core.Refusal.HELD_BY_OTHER
	assert error.value.lock.locked_by == A


def test_locking_fresh_own_or_expired():
	assert core.check_lock(True, None, A, None, NOW) is False  # insert
	assert core.check_lock(True, lock(A), A, NOW + timedelta(days=1), NOW) is True  # renew own
	assert core.check_lock(True, lock(A, expires_in=-5), B, None, NOW) is True  # replace expired


def test_unlock_by_holder_and_by_manager():
	assert core.check_unlock(lock(A), A, set(), NOW) == core.UnlockKind.OWN
	assert core.check_unlock(lock(A), B, {"CRM Lock Manager"}, NOW) == core.UnlockKind.ADMIN


def test_unlock_refusals():
	with pytest.raises(core.LockRefused) as error:
		core.check_unlock(lock(A), B, {"Sales User"}, NOW)
	assert error.value.refusal == core.Refusal.NOT_YOURS
	for current in (None, lock(A, expires_in=-1)):
		with pytest.raises(core.LockRefused) as error:
			core.check_unlock(current, A, set(), NOW)
		assert error.value.refusal == core.Refusal.NOT_LOCKED


def test_the_default_lockables_are_the_issues_list():
	assert core.DEFAULT_LOCKABLE_DOCTYPES == (
		"Customer",
		"Contact",
		"Lead",
		"Opportunity",
		"Quotation",
		"Sales Order",
		"Project",
	)
