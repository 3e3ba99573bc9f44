# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class LifecycleDocumentLink(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		kind: DF.Literal["Conversion", "Link", "Native"]
		source_doctype: DF.Link
		source_name: DF.DynamicLink
		target_doctype: DF.Link
		target_name: DF.DynamicLink
		user: DF.Link | None
	# end: auto-generated types

	pass


def on_doctype_update() -> None:
	# One row per pair, whoever records it first (conversion or ERPNext's link fields): recording
	# is an INSERT that skips duplicates, safe under concurrent saves.
	frappe.db.add_unique(
		"Lifecycle Document Link",
		["source_doctype", "source_name", "target_doctype", "target_name"],
		constraint_name="unique_document_link",
	)
