"""The lock API against the real site: status, refusals with their HTTP classes, admin unlock,
expiry, the Redis lock set, renames and deletes, and two connections racing for one lock."""

# ruff: noqa: F811  (tests take the imported `people` fixture as a parameter)

import threading
import time

import pytest

import frappe
from frappe.utils import add_to_date, now_datetime

from crm_lifecycle.api import locking as api
from crm_lifecycle.services import locking
from crm_lifecycle.services.locking_cache import REBUILD_AFTER_SECONDS
from tests import factories
from tests.integration.test_locking import (
	_customer,
	_customer_details,
	_lead,
	_rename,
	_save_customer,
	lock_as,
	people,  # noqa: F401 (a fixture: used by name)
)
from tests.site import bench_path, site_name


def test_lock_status_and_unlock_by_the_holder(people, as_user):
	customer = _customer()
	with as_user(people["holder"]):
		status = api.lock(
			"Customer", customer, reason="Renewal", expires_on=str(add_to_date(now_datetime(), days=1))
		)
		assert (status["locked"], status["locked_by"], status["reason"]) == (
			True,
			people["holder"],
			"Renewal",
		)
		assert status["expires_on"] and status["can_unlock"]
	with as_user(people["other"]):
		seen = api.status("Customer", customer)
		assert seen["locked"] and not seen["can_edit"] and not seen["can_unlock"]
		assert seen["message"].startswith("Locked by")
	with as_user(people["holder"]):
		assert api.unlock("Customer", customer)["locked"] is False
	actions = [row.action for row in locking.history("Customer", customer)]
	assert actions == ["Unlocked", "Locked"]
	# the control: unlocked again, the colleague edits
	with as_user(people["other"]):
		_save_customer(customer)


def test_locking_what_somebody_else_holds_is_refused_with_409_and_changes_nothing(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer, reason="Mine")
	with as_user(people["other"]), pytest.raises(frappe.DuplicateEntryError, match="Locked by .* \\(Mine\\)"):
		api.lock("Customer", customer, reason="Theirs")
	assert frappe.db.count("Lifecycle Lock", {"reference_name": customer}) == 1
	assert locking.status("Customer", customer)["locked_by"] == people["holder"]
	assert frappe.DuplicateEntryError.http_status_code == 409


def test_unlocking_somebody_elses_lock_is_refused_for_colleagues(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	with as_user(people["other"]), pytest.raises(frappe.PermissionError, match="or a lock manager"):
		api.unlock("Customer", customer)
	assert locking.status("Customer", customer)["locked"]


def test_admin_unlock_is_recorded_and_the_holder_notified(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	with as_user(people["manager"]):
		assert api.unlock("Customer", customer)["locked"] is False
	last = locking.history("Customer", customer)[0]
	assert (last.action, last.user, last.locked_by) == ("Admin Unlock", people["manager"], people["holder"])
	notes = frappe.get_all(
		"Notification Log", filters={"for_user": people["holder"], "document_name": customer}, pluck="subject"
	)
	assert notes and "removed your lock" in notes[0]
	timeline = frappe.get_all(
		"Comment", filters={"reference_name": customer, "comment_type": "Info"}, pluck="content"
	)
	assert any(content.startswith("Unlocked by") for content in timeline)


def test_deleting_the_lock_row_in_the_list_is_an_admin_unlock(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	row = frappe.db.get_value("Lifecycle Lock", {"reference_name": customer})
	with as_user(people["manager"]):
		assert frappe.get_list("Lifecycle Lock", filters={"reference_name": customer}, pluck="name") == [row]
		frappe.delete_doc("Lifecycle Lock", row)
	assert locking.history("Customer", customer)[0].action == "Admin Unlock"
	with as_user(people["other"]):
		_save_customer(customer)  # the cache forgot the lock too
		with pytest.raises(frappe.PermissionError):
			frappe.get_list("Lifecycle Lock")  # the list of locked records is for lock managers


@pytest.mark.parametrize(
	("call", "error"),
	[
		(
			lambda n: api.lock("Supplier", frappe.get_all("Supplier", pluck="name", limit=1)[0]),
			frappe.ValidationError,
		),
		(lambda n: api.lock("Customer", "No Such Customer 0x1"), frappe.DoesNotExistError),
		(lambda n: api.lock("No Such DocType", n), frappe.DoesNotExistError),
		(lambda n: api.lock("Customer", n, expires_on="yesterday-ish"), frappe.ValidationError),
		(
			lambda n: api.lock("Customer", n, expires_on=str(add_to_date(now_datetime(), hours=-1))),
			frappe.ValidationError,
		),
		(lambda n: api.unlock("Customer", n), frappe.ValidationError),  # not locked
		(lambda n: api.status("Customer", "No Such Customer 0x1"), frappe.DoesNotExistError),
		# MariaDB finds these spellings; the app takes names as stored, character for character
		(lambda n: api.lock("Customer ", n), frappe.DoesNotExistError),
		(lambda n: api.locked_names("customer", [n]), frappe.DoesNotExistError),
		(lambda n: api.lock("Customer", n.lower() + "  "), frappe.DoesNotExistError),
		(lambda n: api.lock("Customer", n, expires_on="2099-01-01T10:00:00+05:00"), frappe.ValidationError),
		(lambda n: api.lock("Customer", n, expires_on="0000-00-00"), frappe.ValidationError),
	],
	ids=[
		"not lockable",
		"unknown record",
		"unknown doctype",
		"bad expiry",
		"past expiry",
		"not locked",
		"status 404",
		"doctype with a trailing space",
		"doctype in lower case",
		"name in another spelling",
		"expiry with a time zone",
		"zero expiry",
	],
)
def test_bad_input_gets_a_4xx_and_changes_nothing(call, error):
	if not frappe.db.exists("Supplier", {}):
		frappe.get_doc({"doctype": "Supplier", "supplier_name": factories.unique("Supplier")}).insert()
	customer = _customer()
	before = frappe.db.count("Lifecycle Lock"), frappe.db.count("Lifecycle Lock Log")
	with pytest.raises(error):
		call(customer)
	assert 400 <= error.http_status_code < 500
	assert (frappe.db.count("Lifecycle Lock"), frappe.db.count("Lifecycle Lock Log")) == before


def test_expired_lock_stops_applying_by_itself(people, as_user):
	customer = _customer()
	lock_as(
		as_user,
		people["holder"],
		"Customer",
		customer,
		expires_on=str(add_to_date(now_datetime(), seconds=2)),
	)
	with as_user(people["other"]), pytest.raises(frappe.PermissionError):
		_save_customer(customer)
	time.sleep(2.2)
	with as_user(people["other"]):
		assert not api.status("Customer", customer)["locked"]
		_save_customer(customer)
		# and the record can be locked anew: the expired row moves to the history
		assert api.lock("Customer", customer)["locked_by"] == people["other"]
	assert [row.action for row in locking.history("Customer", customer)][:2] == ["Locked", "Released"]
	assert locking.release_expired(commit=False) == 0


def test_hourly_job_moves_expired_locks_to_the_history(people, as_user):
	customer = _customer()
	lock_as(
		as_user,
		people["holder"],
		"Customer",
		customer,
		expires_on=str(add_to_date(now_datetime(), seconds=1)),
	)
	time.sleep(1.2)
	assert locking.release_expired(commit=False) >= 1
	assert not frappe.db.exists("Lifecycle Lock", {"reference_name": customer})
	assert locking.history("Customer", customer)[0].action == "Released"


def test_the_hourly_job_leaves_a_lock_renewed_after_its_read_alone(people, as_user):
	"""The job reads expired rows without locking them; a renewal meanwhile replaces the row. Its
	delete then finds nothing: no "Released" in the history, and the new lock stays in Redis."""
	customer = _customer()
	expiry = str(add_to_date(now_datetime(), seconds=1))
	lock_as(as_user, people["holder"], "Customer", customer, expires_on=expiry)
	time.sleep(1.2)
	fields = ["name", "reference_doctype", "reference_name", "locked_by", "locked_on", "reason", "expires_on"]
	read_by_the_job = frappe.db.get_value(
		"Lifecycle Lock", {"reference_name": customer}, fields, as_dict=True
	)
	frappe.db.after_commit.reset()  # the data's own; only what follows runs at the "commit"
	lock_as(as_user, people["holder"], "Customer", customer)  # renewed, without an end
	actions = [row.action for row in locking.history("Customer", customer)]
	locking._delete_lock_row(read_by_the_job, "Released")  # the job's step after its read
	frappe.db.after_commit.run()  # what the job's commit runs
	assert [row.action for row in locking.history("Customer", customer)] == actions
	assert frappe.db.exists("Lifecycle Lock", {"reference_name": customer})
	assert locking.cached_lock("Customer", customer) is not None
	with as_user(people["other"]), pytest.raises(frappe.PermissionError):
		_save_customer(customer)
	frappe.clear_last_message()


def test_a_stale_cache_entry_never_refuses_an_unlocked_record(people, as_user):
	"""Redis may still list a lock another process just removed; the database decides."""
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	assert locking.cached_lock("Customer", customer) is not None  # Redis knows the lock set
	frappe.db.delete("Lifecycle Lock", {"reference_name": customer})  # behind the cache's back
	assert locking.cached_lock("Customer", customer) is not None
	with as_user(people["other"]):
		_save_customer(customer)
	assert locking.cached_lock("Customer", customer) is None


def test_deleting_a_locked_record_takes_its_lock_along(people, as_user):
	lead = _lead()
	lock_as(as_user, people["holder"], "Lead", lead)
	with as_user(people["holder"]):
		frappe.delete_doc("Lead", lead)
	assert not frappe.db.exists("Lifecycle Lock", {"reference_name": lead})


def test_renaming_keeps_the_lock_on_the_new_name(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	with as_user(people["holder"]):
		_rename(customer)
	assert api.status("Customer", customer + " R")["locked_by"] == people["holder"]
	with as_user(people["other"]), pytest.raises(frappe.PermissionError):
		_save_customer(customer + " R")


def test_list_indicator_names_the_locked_rows(people, as_user):
	locked, free = _customer(), _customer()
	lock_as(as_user, people["holder"], "Customer", locked)
	with as_user(people["other"]):
		assert api.locked_names("Customer", f'["{locked}", "{free}"]') == {locked: people["holder"]}


def test_list_indicator_of_a_doctype_without_a_table_answers_nothing_locked():
	# a Single (no list, no table to list from) is an answer, not a database error
	assert api.locked_names("System Settings", '["System Settings", "x"]') == {}


def _count_statements() -> int:
	return int(frappe.db.sql("SHOW SESSION STATUS LIKE 'Questions'")[0][1])


@pytest.mark.parametrize("settings", ["cached", "not cached", "saved"])
def test_saving_an_unlocked_record_costs_no_extra_query(people, as_user, settings):
	"""The check reads Redis only: with it switched off, the same save sends as many statements.
	So it does in a request that finds the lockable doctypes gone from Redis (expired, or saved
	elsewhere), which reads them once, and in a transaction that has saved the settings, which
	reads its own once."""
	lock_as(as_user, people["holder"], "Customer", _customer())  # the lock set is not empty
	customer = frappe.get_doc("Customer", _customer())
	if settings == "not cached":
		frappe.cache.delete_value(locking.CONFIG_KEY)
	elif settings == "saved":
		frappe.get_single("CRM Lifecycle Settings").save()

	def statements_per_save(check_off: bool) -> int:
		frappe.flags.crm_lifecycle_skip_lock_check = check_off
		try:
			customer.reload()
			customer.save()  # warm caches
			before = _count_statements()
			customer.customer_details = f"saved with the check off={check_off}"
			customer.save()
			return _count_statements() - before - 1
		finally:
			frappe.flags.crm_lifecycle_skip_lock_check = False

	# newer v15 minors fill some caches only on the second save after start: warm both modes up
	statements_per_save(False), statements_per_save(True)
	assert statements_per_save(False) == statements_per_save(True) == statements_per_save(False)
	if settings == "not cached":  # rebuilt, and rebuilt again within the bound it promises
		assert 0 < frappe.cache.ttl(frappe.cache.make_key(locking.CONFIG_KEY)) <= REBUILD_AFTER_SECONDS


def test_the_settings_switch_turns_enforcement_off(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.disable_lock_enforcement = 1
	settings.save()
	try:
		with as_user(people["other"]):
			_save_customer(customer)
		assert _customer_details(customer) == "changed"
	finally:
		frappe.db.rollback()
		# Frappe's document cache (Redis) kept the uncommitted settings; drop them with the rollback
		frappe.clear_document_cache("CRM Lifecycle Settings", "CRM Lifecycle Settings")
	assert locking.enforcement_on()


def test_a_settings_change_reaches_other_processes_at_its_commit(committed):
	"""The lock check reads which doctypes are lockable from its own cache key. A process that
	reads it between a change's save and its commit caches the settings its snapshot sees, the
	old ones; the commit drops that, so the change applies everywhere from then on."""

	def read_elsewhere() -> frozenset[str]:
		"""What another connection's request reads."""
		seen = {}

		def request():
			bench = bench_path()
			frappe.init(site=site_name(bench), sites_path=str(bench / "sites"))
			frappe.connect()
			try:
				seen["lockable"] = locking.lockable_doctypes()
			finally:
				frappe.destroy()

		reader = threading.Thread(target=request)
		reader.start()
		reader.join(timeout=60)
		return seen["lockable"]

	settings = frappe.get_single("CRM Lifecycle Settings")
	assert "Supplier" not in {row.document_type for row in settings.lockable_doctypes}
	settings.append("lockable_doctypes", {"document_type": "Supplier"})
	settings.save()
	try:
		assert "Supplier" in locking.lockable_doctypes()  # this transaction sees its own change
		assert "Supplier" not in read_elsewhere()  # the others not before its commit
		frappe.db.commit()
		assert "Supplier" in read_elsewhere()
		assert "Supplier" in locking.lockable_doctypes()
	finally:
		frappe.db.rollback()
		settings = frappe.get_single("CRM Lifecycle Settings")
		rows = [row for row in settings.lockable_doctypes if row.document_type != "Supplier"]
		settings.set("lockable_doctypes", rows)
		settings.save()
		frappe.db.commit()
	assert "Supplier" not in locking.lockable_doctypes()
	assert "Supplier" not in read_elsewhere()


# The race ---------------------------------------------------------------------------------------


def test_two_connections_locking_at_once_exactly_one_wins(committed, people):
	"""Two real database connections lock the same record at the same moment; the unique index
	lets exactly one in, the other waits for it and gets a clear 409."""
	customer = committed.make_customer().name
	barrier = threading.Barrier(2)
	results: dict[str, tuple] = {}
	bench = bench_path()

	def attempt(user: str):
		frappe.init(site=site_name(bench), sites_path=str(bench / "sites"))
		frappe.connect()
		frappe.set_user(user)
		started = time.monotonic()
		try:
			barrier.wait(timeout=30)
			started = time.monotonic()
			locking.lock("Customer", customer, reason=user)
			time.sleep(0.8)  # hold the uncommitted row: the other insert must wait for it
			frappe.db.commit()
			results[user] = ("won", time.monotonic() - started, None)
		except Exception as error:
			frappe.db.rollback()
			results[user] = (type(error).__name__, time.monotonic() - started, str(error))
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=attempt, args=(people[who],)) for who in ("holder", "other")]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=60)
	try:
		outcomes = sorted(result[0] for result in results.values())
		assert outcomes == ["DuplicateEntryError", "won"], results
		winner = next(user for user, result in results.items() if result[0] == "won")
		loser = next(result for result in results.values() if result[0] != "won")
		assert loser[2].startswith("Locked by") and f"({winner})" in loser[2]
		# the loser was held up by the winner's uncommitted row: the database decided
		assert loser[1] >= 0.5, results
		frappe.db.rollback()
		assert frappe.db.count("Lifecycle Lock", {"reference_name": customer}) == 1
	finally:
		factories.delete_locks([customer], comments=True)
