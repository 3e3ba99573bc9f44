"""Every record of the app that names another document is narrowed to who may read that document."""

import json
from pathlib import Path

from crm_lifecycle import hooks
from crm_lifecycle.core.references import REFERENCES

DOCTYPES = Path(__file__).resolve().parents[2] / "crm_lifecycle" / "crm_lifecycle" / "doctype"


def doctype_jsons() -> dict[str, dict]:
	found = {}
	for path in DOCTYPES.glob("*/*.json"):
		definition = json.loads(path.read_text())
		if definition.get("doctype") == "DocType":
			found[definition["name"]] = definition
	return found


def test_every_doctype_of_ours_that_names_documents_is_narrowed():
	naming = {
		name
		for name, definition in doctype_jsons().items()
		if not definition.get("istable")
		and not definition.get("issingle")
		and definition.get("permissions")
		and any(
			field["fieldtype"] == "Dynamic Link"
			or (field["fieldtype"] == "Link" and field.get("options") in {"Sales Invoice", "Customer"})
			for field in definition["fields"]
		)
	}
	assert naming == set(REFERENCES)


def test_the_narrowed_fields_exist():
	definitions = doctype_jsons()
	for doctype, references in REFERENCES.items():
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
