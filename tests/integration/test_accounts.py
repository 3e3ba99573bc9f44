"""Account views against known data (week boundaries, who opened what), the mass transfer with
and without open documents, what a user may not move, the background path, and delete with
report, against the real site."""

import json
from datetime import datetime, time, timedelta

import pytest

import frappe
from frappe.desk.form import assign_to
from frappe.desk.form.load import getdoc
from frappe.utils import getdate, nowdate

from crm_lifecycle.api import accounts as api
from crm_lifecycle.core import accounts as core
from crm_lifecycle.services import accounts, locking
from tests import factories

SELLER_ROLES = ["Sales User"]


@pytest.fixture(scope="module")
def people(frappe_site):
	"""Committed once for the module and deleted afterwards."""
	with factories.committed_users(
		{
			"seller": SELLER_ROLES,
			"successor": SELLER_ROLES,
			"colleague": SELLER_ROLES,
			"restricted": SELLER_ROLES,  # gets a User Permission per test
			"reader": ["Accounts User"],  # reads customers, writes none
		}
	) as users:
		yield users
	frappe.cache.hdel("user_permissions", users["restricted"])


def listed(view: dict) -> set[str]:
	"""What the desk list shows for a view's filters: the request carries them, as the list's
	does, so the governance "show invalid" rule sees them too."""
	previous = frappe.local.form_dict
	frappe.local.form_dict = frappe._dict(doctype="Customer", filters=json.dumps(view["filters"]))
	try:
		return set(frappe.get_list("Customer", filters=view["filters"], pluck="name", limit_page_length=0))
	finally:
		frappe.local.form_dict = previous


def customer(**kwargs) -> str:
	return factories.make_customer(**kwargs).name


def created_at(name: str, moment: datetime) -> None:
	frappe.db.set_value("Customer", name, "creation", moment, update_modified=False)


def assign(doctype: str, name: str, user: str) -> None:
	assign_to.add({"assign_to": [user], "doctype": doctype, "name": name, "description": "follow up"})


def comments(doctype: str, name: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": name, "comment_type": "Info"},
		pluck="content",
	)


# Views -----------------------------------------------------------------------------------------


def test_my_accounts_deactivated_and_invalid_views(people, as_user):
	mine = customer(account_manager=people["seller"])
	theirs = customer(account_manager=people["colleague"])
	inactive, invalid = customer(), customer()
	frappe.db.set_value("Customer", inactive, "crm_active", 0)
	frappe.db.set_value("Customer", invalid, "crm_invalid", 1)

	with as_user(people["seller"]):
		shown = listed(api.view("my_accounts"))
		assert mine in shown and theirs not in shown
	with as_user(people["colleague"]):
		assert listed(api.view("my_accounts")) >= {theirs} and mine not in listed(api.view("my_accounts"))

	deactivated = listed(api.view("deactivated"))
	assert inactive in deactivated and mine not in deactivated
	invalid_view = api.view("invalid")
	assert listed(invalid_view) >= {invalid} and mine not in listed(invalid_view)
	# the control: without the view's filter on crm_invalid, governance hides the invalid one
	assert invalid not in listed({"filters": [["Customer", "name", "in", [invalid, mine]]]})


def test_new_this_week_and_last_week_on_their_boundaries():
	start, end = core.week_range(getdate(nowdate()), accounts.first_day_of_week())
	last_start = start - timedelta(days=7)
	at = {
		"this_first": datetime.combine(start, time.min),
		"this_last": datetime.combine(end, time.max),
		"last_last": datetime.combine(start, time.min) - timedelta(microseconds=1),
		"last_first": datetime.combine(last_start, time.min),
		"older": datetime.combine(last_start, time.min) - timedelta(microseconds=1),
	}
	names = {key: customer() for key in at}
	for key, moment in at.items():
		created_at(names[key], moment)

	this_week, last_week = listed(api.view("new_this_week")), listed(api.view("new_last_week"))
	ours = set(names.values())
	assert this_week & ours == {names["this_first"], names["this_last"]}
	assert last_week & ours == {names["last_first"], names["last_last"]}


def test_weeks_follow_the_first_day_of_the_week_setting():
	today = getdate(nowdate())
	first_day = core.WEEKDAYS[today.weekday()]  # a week beginning today
	frappe.db.set_single_value("System Settings", "first_day_of_the_week", first_day)
	try:
		fresh = customer()
		created_at(fresh, datetime.combine(today, time.min))
		day_before = customer()
		created_at(day_before, datetime.combine(today, time.min) - timedelta(microseconds=1))
		assert accounts.first_day_of_week() == first_day
		assert api.view("new_this_week")["filters"][0][3][0] == today.isoformat()
		assert {fresh, day_before} & listed(api.view("new_this_week")) == {fresh}
		assert {fresh, day_before} & listed(api.view("new_last_week")) == {day_before}

		# control: a week beginning tomorrow puts both in the same week
		tomorrow = core.WEEKDAYS[(today.weekday() + 1) % 7]
		frappe.db.set_single_value("System Settings", "first_day_of_the_week", tomorrow)
		assert {fresh, day_before} <= listed(api.view("new_this_week"))
	finally:
		frappe.db.rollback()
		frappe.clear_document_cache("System Settings")


def test_unread_and_recently_viewed_come_from_form_loads(people, as_user):
	first, second, third, untouched = (customer() for _ in range(4))
	getdoc("Customer", second)  # Administrator's views are not the seller's
	with as_user(people["seller"]):
		for name in (first, second, third, first):  # the form load writes the View Log
			getdoc("Customer", name)
		recent = api.view("recently_viewed")
		unread = listed(api.view("unread"))
		recent_shown = listed(recent)
	assert recent["order"] == [first, third, second]  # newest first, each once
	assert recent_shown == {first, second, third}
	assert untouched in unread and not {first, second, third} & unread
	assert second in listed(api.view("recently_viewed")) and second not in listed(api.view("unread"))


def test_unknown_view_is_refused_and_readers_only_may_ask(people, as_user):
	with pytest.raises(frappe.ValidationError):
		api.view("everything")
	with as_user(people["reader"]):
		assert api.view("my_accounts")["filters"] == [["Customer", "account_manager", "=", people["reader"]]]


# Transfer --------------------------------------------------------------------------------------


def test_transfer_without_open_documents_moves_only_the_accounts(people, as_user):
	old, new = people["seller"], people["successor"]
	first, second = customer(account_manager=old), customer()
	opportunity = factories.make_opportunity(customer=first, opportunity_owner=old).name
	assign("Customer", first, old)

	with as_user(old):
		result = api.transfer(json.dumps([first, second]), new)

	assert (result["moved"], result["refused"], result["documents_moved"]) == (2, 0, 0)
	assert [row["previous_owner"] for row in result["results"]] == [old, None]
	assert frappe.db.get_value("Customer", first, "account_manager") == new
	assert frappe.db.get_value("Customer", second, "account_manager") == new
	assert frappe.db.get_value("Opportunity", opportunity, "opportunity_owner") == old
	assert frappe.get_all("ToDo", {"reference_name": first, "status": "Open"}, pluck="allocated_to") == [old]
	assert any("Account owner changed from" in text for text in comments("Customer", first))
	assert any("Account owner set to" in text for text in comments("Customer", second))


def test_transfer_with_open_documents_moves_the_previous_owners_ones(people, as_user):
	old, new, colleague = people["seller"], people["successor"], people["colleague"]
	account = customer(account_manager=old)
	ours = factories.make_opportunity(customer=account, opportunity_owner=old).name
	nobodys = factories.make_opportunity(customer=account).name
	colleagues = factories.make_opportunity(customer=account, opportunity_owner=colleague).name
	lost = factories.make_opportunity(customer=account, opportunity_owner=old)
	frappe.db.set_value("Opportunity", lost.name, "status", "Lost")
	draft = factories.make_quotation(customer=account, submit=False).name
	shared = factories.make_quotation(customer=account, submit=False).name
	for doctype, name in (
		("Customer", account),
		("Opportunity", ours),
		("Quotation", draft),
		("Quotation", shared),
	):
		assign(doctype, name, old)
	assign("Quotation", shared, new)  # already the new owner's: the old assignment is closed
	assign("Opportunity", colleagues, colleague)

	with as_user(old):
		result = api.transfer(json.dumps([account]), new, include_open_documents=1)

	assert result["moved"] == 1 and result["refused"] == 0 and not result["refused_documents"]
	owner = lambda name: frappe.db.get_value("Opportunity", name, "opportunity_owner")  # noqa: E731
	assert (owner(ours), owner(nobodys), owner(colleagues), owner(lost.name)) == (new, new, colleague, old)
	assert result["documents_moved"] == 2
	assert (result["assignments_moved"], result["assignments_closed"]) == (3, 1)
	open_todos = lambda doctype, name: sorted(  # noqa: E731
		frappe.get_all(
			"ToDo",
			{"reference_type": doctype, "reference_name": name, "status": "Open"},
			pluck="allocated_to",
		)
	)
	assert open_todos("Customer", account) == [new]
	assert open_todos("Quotation", draft) == [new]
	assert open_todos("Quotation", shared) == [new]  # not doubled
	assert open_todos("Opportunity", colleagues) == [colleague]
	for doctype, name in (("Customer", account), ("Quotation", draft), ("Quotation", shared)):
		assert json.loads(frappe.db.get_value(doctype, name, "_assign")) == [new]
	assert any("Opportunity owner changed from" in text for text in comments("Opportunity", ours))
	assert any("Assignment moved from" in text for text in comments("Quotation", draft))
	assert not [text for text in comments("Opportunity", colleagues) if "owner" in text or "moved" in text]


def test_records_the_user_may_not_write_are_reported_not_moved(people, as_user):
	old, new = people["seller"], people["successor"]
	allowed, forbidden = customer(account_manager=old), customer(account_manager=old)
	factories.restrict(people["restricted"], "Customer", allowed)
	try:
		with as_user(people["restricted"]):
			result = api.transfer(json.dumps([allowed, forbidden]), new)
	finally:
		frappe.cache.hdel("user_permissions", people["restricted"])
	rows = {row["name"]: row for row in result["results"]}
	assert rows[allowed]["ok"] and rows[allowed]["moved"]
	assert not rows[forbidden]["ok"] and "not permitted" in rows[forbidden]["error"]
	# the owner of a customer the user may not read is not told, of the one they may it is
	assert rows[forbidden]["previous_owner"] is None and rows[allowed]["previous_owner"] == old
	assert frappe.db.get_value("Customer", forbidden, "account_manager") == old
	assert frappe.db.get_value("Customer", allowed, "account_manager") == new


def test_write_shares_and_locks_decide_per_record(people, as_user):
	old, new = people["seller"], people["successor"]
	shared, unshared = customer(account_manager=old), customer(account_manager=old)
	frappe.share.add("Customer", shared, people["reader"], write=1)
	with as_user(people["reader"]):  # reads all customers, may write only the shared one
		result = api.transfer(json.dumps([shared, unshared]), new)
	assert [row["ok"] for row in result["results"]] == [True, False]

	locked, free = customer(account_manager=old), customer(account_manager=old)
	with as_user(people["colleague"]):
		locking.lock("Customer", locked, reason="negotiating")
	with as_user(old):
		result = api.transfer(json.dumps([locked, free]), new)
	rows = {row["name"]: row for row in result["results"]}
	assert "Locked by" in rows[locked]["error"] and rows[free]["moved"]
	assert rows[locked]["previous_owner"] == old  # refused, but readable
	assert frappe.db.get_value("Customer", locked, "account_manager") == old


def test_transfer_refuses_bad_owners_and_users_without_write(people, as_user):
	name = customer()
	with as_user(people["reader"]), pytest.raises(frappe.PermissionError):
		api.transfer(json.dumps([name]), people["successor"])
	with pytest.raises(frappe.DoesNotExistError):
		api.transfer(json.dumps([name]), "nobody@crm-lifecycle.invalid")
	frappe.db.set_value("User", people["colleague"], "enabled", 0)
	with pytest.raises(frappe.ValidationError):
		api.transfer(json.dumps([name]), people["colleague"])
	with pytest.raises(frappe.ValidationError):
		api.transfer("[]", people["successor"])
	# control: the same call with an enabled owner and a writer succeeds
	assert api.transfer(json.dumps([name]), people["successor"])["moved"] == 1


def test_large_selections_run_as_a_job_reporting_each_record(people, as_user):
	old, new = people["seller"], people["successor"]
	real = [customer(account_manager=old) for _ in range(2)]
	names = real + [f"No Such Customer {index}" for index in range(core.BACKGROUND_THRESHOLD - 1)]
	with as_user(old):
		queued = api.transfer(json.dumps(names), new, include_open_documents=1)
		assert queued["queued"] and queued["job_id"] and queued["count"] == len(names)
		assert frappe.db.get_value("Customer", real[0], "account_manager") == old  # not yet
		results = accounts.transfer_job(names, new, include_open_documents=True)["results"]
	assert [row["name"] for row in results] == names
	assert [row["moved"] for row in results[:2]] == [True, True]
	assert all(not row["ok"] and "not found" in row["error"] for row in results[2:])
	assert frappe.db.get_value("Customer", real[1], "account_manager") == new
	# control: a small selection is done at once
	with as_user(old):
		assert "queued" not in api.transfer(json.dumps(real), old)


@pytest.mark.http
def test_transfer_over_http_refuses_readers_with_403(people, committed, http):
	name = committed.make_customer(account_manager=people["seller"]).name
	data = {"names": json.dumps([name]), "new_owner": people["successor"]}
	reader = http(people["reader"], committed.PORTAL_PASSWORD)
	assert reader.post("/api/method/crm_lifecycle.api.accounts.transfer", data=data).status_code == 403
	seller = http(people["seller"], committed.PORTAL_PASSWORD)
	response = seller.post("/api/method/crm_lifecycle.api.accounts.transfer", data=data)
	assert response.status_code == 200, response.text
	assert response.json()["message"]["moved"] == 1
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", name, "account_manager") == people["successor"]


# Delete with report ----------------------------------------------------------------------------


def test_delete_with_report_deletes_only_the_unblocked_and_can_invalidate_the_rest():
	free, blocked = customer(), customer()
	invoice = factories.make_sales_invoice(blocked).name

	report = api.delete_report(json.dumps([free, blocked, "No Such Customer"]))
	assert report["deletable"] == [free]
	assert [row["name"] for row in report["blocked"]] == [blocked]
	groups = {group["doctype"]: group for group in report["blocked"][0]["links"]}
	assert invoice in groups["Sales Invoice"]["names"] and all(g["blocks_delete"] for g in groups.values())
	assert [row["name"] for row in report["refused"]] == ["No Such Customer"]

	done = api.delete(json.dumps([free, blocked]))
	assert done["deleted"] == 1 and not frappe.db.exists("Customer", free)
	assert frappe.db.exists("Customer", blocked)

	invalidated = api.invalidate(json.dumps([blocked]))
	assert invalidated["invalidated"] == 1 and frappe.db.get_value("Customer", blocked, "crm_invalid") == 1
	assert not api.invalidate(json.dumps([blocked]))["results"][0]["ok"]  # already invalid: reported


def test_delete_with_report_needs_delete_permission(people, as_user):
	name = customer()
	with as_user(people["seller"]), pytest.raises(frappe.PermissionError):  # Sales User may not delete
		api.delete(json.dumps([name]))
	assert frappe.db.exists("Customer", name)
