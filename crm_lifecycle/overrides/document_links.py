"""doc_events that keep the dependency graph in step with conversions done in plain ERPNext.

Wired for every document of the funnel (Lead, Opportunity, Quotation, Sales Order, Sales Invoice,
Customer, Contact); one module for all of them because the rule is the same: derive the edges from
the link fields ERPNext sets (core.dependencies.native_edges) and store the new ones.

`on_update` runs after insert, after every save and on submit, so a Sales Invoice whose items are
fetched from a Sales Order while it is still a draft is recorded as well as one made in one go.
"""

from crm_lifecycle.services import dependencies


def on_update(doc, method=None) -> None:
	dependencies.record_native(doc)


def on_trash(doc, method=None) -> None:
	dependencies.forget(doc.doctype, doc.name)
