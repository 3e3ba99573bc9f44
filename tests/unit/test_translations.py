"""Every user-facing string of the app has a German and a Czech translation that keeps its
placeholders, and the translation files are what Frappe v15 can read. Plain pytest, no site."""

import textwrap

import pytest

from tests.unit import translations as tr


@pytest.fixture(scope="module")
def extracted():
	return tr.extract()


def _listing(messages, origins, limit=40) -> str:
	lines = [f"  {m.text!r}" + (f" (context {m.context!r})" if m.context else "") for m in messages[:limit]]
	lines = [f"{line}  <- {origins[m][0]}" for line, m in zip(lines, messages, strict=False)]
	more = f"\n  ... and {len(messages) - limit} more" if len(messages) > limit else ""
	return "\n".join(lines) + more


def test_sources_only_use_translatable_strings(extracted):
	"""f-strings or concatenation inside _() / __() are never found in a translation file."""
	_messages, problems = extracted
	assert not problems, "\n".join(f"{p.origin}: {p.what}" for p in problems)


def test_the_extraction_finds_every_kind_of_source(extracted):
	messages, _problems = extracted
	origins = [origin for found in messages.values() for origin in found]
	for kind in ("/services/", "/api/", "/public/js/", "/doctype/", "/workspace/", "/number_card/",
		"/print_format/", "/setup/custom_fields.py", "/core/portal.py:Source"):  # fmt: skip
		assert any(kind in origin for origin in origins), f"nothing extracted from {kind}"


@pytest.mark.parametrize("language", tr.LANGUAGES)
def test_translation_file_is_well_formed(language):
	_rows, problems = tr.read_translations(language)
	assert not problems, "\n".join(f"{p.origin}: {p.what}" for p in problems)


@pytest.mark.parametrize("language", tr.LANGUAGES)
def test_every_string_is_translated(language, extracted):
	messages, _problems = extracted
	rows, _file_problems = tr.read_translations(language)
	have = {row.message for row in rows}
	missing = sorted((m for m in messages if m not in have), key=lambda m: m.text.lower())
	stale = sorted(row.source for row in rows if row.message not in messages)
	print(
		f"\n{language}: {len(messages)} strings extracted, {len(rows)} rows, "
		f"{len(messages) - len(missing)} translated, {len(missing)} missing, {len(stale)} rows no longer used"
	)
	assert not missing, (
		f"{len(missing)} strings have no {language} translation "
		f"(`python -m tests.unit.translations {language}` lists them as CSV):\n" + _listing(missing, messages)
	)


@pytest.mark.parametrize("language", tr.LANGUAGES)
def test_translations_keep_placeholders_and_tags(language):
	rows, _problems = tr.read_translations(language)
	broken = [
		f"  line {row.line}: {row.source!r}: {'; '.join(tr.check_row(row))}"
		for row in rows
		if tr.check_row(row)
	]
	assert not broken, f"{language} translations break their source:\n" + "\n".join(broken)


@pytest.mark.parametrize("language", tr.LANGUAGES)
def test_translations_are_not_left_in_english(language):
	"""A copied source is no translation; names and codes that read the same are listed here."""
	same_in_every_language = {"CRM Lifecycle", "Lead", "Status", "Support", "Name", "Date", "Typ", "Type"}
	rows, _problems = tr.read_translations(language)
	untranslated = [
		row.source
		for row in rows
		if row.source == row.translation
		and row.source not in same_in_every_language
		and len(tr.PLACEHOLDER.sub("", row.source).strip(" :")) > 4
	]
	assert not untranslated, f"{language} rows that repeat the English source: {untranslated}"


# The checks above are only as good as the extractor and the checks themselves ------------------


def test_python_extraction_reads_calls_as_frappe_keys_them(tmp_path):
	source = tmp_path / "sample.py"
	source.write_text(
		textwrap.dedent(
			"""
			from frappe import _
			import frappe

			def f(doc, user):
				frappe.throw(_("Locked by {0} since {1}").format(user, doc.modified))
				title = _(
					"A long message "
					"over two lines"
				)
				frappe.msgprint(frappe._("Done"), title=_("Change", context="Coins"))
				label = _("  <b>Bold</b> text  ")
				_(doc.doctype)
				_("{0}")
				_(f"Hello {user}")
				_("Hello " + user)
			"""
		)
	)
	found, problems = tr.python_messages(source)
	texts = {(m.text, m.context) for m, _origin in found}
	assert texts == {
		("Locked by {0} since {1}", None),
		("A long message over two lines", None),
		("Done", None),
		("Change", "Coins"),
		("Bold text", None),  # frappe._ strips tags and whitespace before the lookup
	}
	assert len(problems) == 2 and all("built string" in p.what for p in problems)


def test_javascript_extraction_handles_quotes_templates_and_arguments(tmp_path):
	source = tmp_path / "sample.js"
	source.write_text(
		textwrap.dedent(
			r"""
			frm.add_custom_button(__("Deactivate"), () => {}, __('Actions'));
			frappe.msgprint(__("Deactivated by {0} on {1}", [user, when]));
			const t = __(`Multi
			line`);
			const q = __("Say \"hi\"");
			const ctx = __("Change", null, "Coins");
			const dyn = __(frm.doctype);
			const bad = __(`Hello ${name}`);
			const worse = __("Hello " + name);
			const other = obj.__("not ours");
			const spaced = __(" (if owner)");
			"""
		)
	)
	found, problems = tr.javascript_messages(source)
	texts = {(m.text, m.context) for m, _origin in found}
	assert texts == {
		("Deactivate", None),
		("Actions", None),
		("Deactivated by {0} on {1}", None),
		("Multi\nline", None),
		('Say "hi"', None),
		("Change", "Coins"),
	}
	assert {p.what.split(" inside")[0] for p in problems} == {
		"template literal with ${}",
		"concatenated string",
		"surrounding whitespace",
	}


def test_jinja_extraction():
	found = tr.jinja_messages('<th>{{ _("Grand Total") }}</th><td>{{ _(row.status) }}</td>{{ _("-") }}', "x")
	assert [m.text for m, _origin in found] == ["Grand Total"]


def test_doctype_extraction_covers_labels_descriptions_options_and_sections(tmp_path):
	doc = {
		"doctype": "DocType",
		"name": "Lifecycle Thing",
		"description": "What it is",
		"fields": [
			{"fieldname": "s", "fieldtype": "Section Break", "label": "Main"},
			{"fieldname": "k", "fieldtype": "Select", "label": "Kind", "options": "\nConversion\nLink"},
			{"fieldname": "d", "fieldtype": "Data", "description": "Help text"},
			{"fieldname": "c", "fieldtype": "Column Break"},
		],
	}
	texts = {m.text for m, _origin in tr.doctype_messages(tmp_path / "thing.json", doc)}
	assert texts == {"Lifecycle Thing", "What it is", "Main", "Kind", "Conversion", "Link", "Help text"}


def test_only_placeholders_and_punctuation_are_not_translatable():
	assert not tr.is_translatable("{0}: {1}")
	assert not tr.is_translatable(" → ")
	assert not tr.is_translatable("eval:doc.crm_active")
	assert tr.is_translatable("{0} of {1}")
	assert tr.is_translatable("IČO")


def test_placeholder_check_catches_dropped_added_and_renamed_placeholders():
	def issues(source, translation):
		return tr.check_row(tr.Row(1, source, translation, None))

	assert issues("{0} {1} is already inactive.", "{0} {1} ist bereits inaktiv.") == []
	assert issues("{1} before {0}", "{0} nach {1}") == []  # order may change with the language
	assert issues("{0} {1} is already inactive.", "{0} ist bereits inaktiv.")
	assert issues("Done", "Fertig {0}")
	assert issues("Use {name}", "Verwende {Name}")
	assert issues("Took {} seconds", "Dauerte Sekunden")
	assert issues("<b>{0}</b> is locked", "{0} ist gesperrt")


@pytest.mark.parametrize(
	("content", "expected"),
	[
		('ok,gut\n"a, b","c, d"\n', None),
		("ok,gut,context\n", None),
		("only one column\n", "1 columns"),
		("a,b,c,d\n", "4 columns"),
		('"unterminated,gut\n', "malformed CSV"),
		("a,\n", "empty source or translation"),
		(" a,b\n", "surrounding whitespace"),
		("a,b\na,c\n", "duplicate"),
		("\ufeffa,b\n", "byte order mark"),
	],
)
def test_malformed_rows_are_reported(tmp_path, content, expected):
	path = tmp_path / "xx.csv"
	path.write_text(content, encoding="utf-8")
	_rows, problems = tr.read_translation_file(path)
	if expected is None:
		assert problems == []
	else:
		assert any(expected in p.what for p in problems), problems
