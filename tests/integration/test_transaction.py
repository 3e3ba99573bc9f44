"""One action, one transaction: what an atomic() block queued for the commit goes with it when
the block is rolled back, and stays when it is not."""

import pytest

import frappe

from crm_lifecycle.services.transaction import atomic


def test_a_rolled_back_block_drops_what_it_queued_for_the_commit():
	frappe.db.after_commit.reset()
	frappe.db.before_commit.reset()
	ran = []
	frappe.db.after_commit.add(lambda: ran.append("before the block"))
	with pytest.raises(frappe.ValidationError), atomic():
		frappe.db.after_commit.add(lambda: ran.append("failed block"))
		frappe.db.before_commit.add(lambda: ran.append("failed block, before commit"))
		frappe.throw("undone", frappe.ValidationError)
	with atomic():
		frappe.db.after_commit.add(lambda: ran.append("kept block"))
		with pytest.raises(frappe.ValidationError), atomic():
			frappe.db.after_commit.add(lambda: ran.append("failed inner block"))
			frappe.throw("undone", frappe.ValidationError)
		frappe.db.after_commit.add(lambda: ran.append("kept block, after its failed inner block"))
	frappe.clear_last_message()
	frappe.db.before_commit.run()
	frappe.db.after_commit.run()  # what a commit runs
	assert ran == ["before the block", "kept block", "kept block, after its failed inner block"]


def test_an_outer_block_rolled_back_drops_what_its_inner_blocks_queued():
	frappe.db.after_commit.reset()
	ran = []
	with pytest.raises(frappe.ValidationError), atomic():
		with atomic():
			frappe.db.after_commit.add(lambda: ran.append("inner block"))
		frappe.throw("undone", frappe.ValidationError)
	frappe.clear_last_message()
	frappe.db.after_commit.run()
	assert ran == []
