"""Every record of the app that names another document is narrowed to who may read that document."""

import json
from pathlib import Path

from crm_lifecycle import hooks
from crm_lifecycle.core.references import REFERENCES, Reference
from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS

DOCTYPES = Path(__file__).resolve().parents[2] / "crm_lifecycle" / "crm_lifecycle" / "doctype"


def doctype_jsons() -> dict[str, dict]:
	found = {}
	for path in DOCTYPES.glob("*/*.json"):
		definition = json.loads(path.read_text())
		if definition.get("doctype") == "DocType":
			found[definition["name"]] = definition
	return found


def test_every_doctype_of_ours_that_names_documents_is_narrowed():
	definitions = doctype_jsons()
	naming = {
		name
		for name, definition in definitions.items()
		if not definition.get("istable")
		and not definition.get("issingle")
		and definition.get("permissions")
		and any(
			field["fieldtype"] == "Dynamic Link"
			or (field["fieldtype"] == "Link" and field.get("options") in {"Sales Invoice", "Customer"})
			for field in definition["fields"]
		)
	}
	assert naming == {doctype for doctype in REFERENCES if not definitions[doctype].get("istable")}


def holders() -> dict[str, set[str]]:
	"""child doctype of ours -> the doctypes holding it in a Table field (ours and custom fields)."""
	held: dict[str, set[str]] = {}
	tables = [
		(name, field) for name, definition in doctype_jsons().items() for field in definition["fields"]
	] + [(doctype, field) for doctype, fields in CUSTOM_FIELDS.items() for field in fields]
	for holder, field in tables:
		if field["fieldtype"] in ("Table", "Table MultiSelect"):
			held.setdefault(field["options"], set()).add(holder)
	return held


def test_a_child_table_of_ours_held_by_a_listed_doctype_is_narrowed_to_its_readable_parents():
	"""Frappe lists a child table's rows to whoever may read one document of a doctype holding it;
	only a table held by the app's settings alone (read by its managers only) is left as it is."""
	definitions = doctype_jsons()
	open_tables = {
		child
		for child, held_by in holders().items()
		if child in definitions and any(not definitions.get(holder, {}).get("issingle") for holder in held_by)
	}
	assert open_tables == {"Lifecycle Portal Access"}
	for child in open_tables:
		assert REFERENCES[child] == (
			Reference("parent", "parenttype", among=tuple(sorted(holders()[child]))),
		)


def test_the_narrowed_fields_exist():
	definitions = doctype_jsons()
	for doctype, references in REFERENCES.items():
		if definitions[doctype].get("istable"):
			continue  # its parent (the test above)
		fields = {field["fieldname"]: field for field in definitions[doctype]["fields"]}
		for reference in references:
			assert (reference.doctype_field is None) != (reference.doctype is None), doctype
			name_field = fields[reference.name_field]
			if reference.doctype_field:
				assert name_field["fieldtype"] == "Dynamic Link"
				assert name_field["options"] == reference.doctype_field
			else:
				assert (name_field["fieldtype"], name_field["options"]) == ("Link", reference.doctype)


def test_every_narrowed_doctype_has_both_hooks():
	assert set(REFERENCES) <= set(hooks.permission_query_conditions)
	assert set(REFERENCES) <= set(hooks.has_permission)
	for doctype in REFERENCES:
		assert hooks.permission_query_conditions[doctype].startswith("crm_lifecycle.overrides.references.")
		assert hooks.has_permission[doctype] == "crm_lifecycle.overrides.references.has_permission"
