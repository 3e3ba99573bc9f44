"""What install, migrate and uninstall leave on the site (issue: foundation)."""

import subprocess
import sys

import pytest

import frappe

from crm_lifecycle.core import shipped as shipped_core
from crm_lifecycle.setup import install, shipped, uninstall
from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS, ROLES, SEARCH_INDEXES
from tests.site_fixtures import BENCH, SITE

DATA_FIELDTYPES = {"Check", "Data", "Date", "Datetime", "Link", "Small Text", "Select", "Int"}


def expected_fields():
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			yield doctype, field


def assert_installed():
	for doctype, field in expected_fields():
		custom_field = frappe.db.get_value(
			"Custom Field",
			{"dt": doctype, "fieldname": field["fieldname"]},
			["fieldtype", "insert_after"],
			as_dict=True,
		)
		assert custom_field, f"{doctype}.{field['fieldname']} missing"
		assert custom_field.fieldtype == field["fieldtype"]
		assert custom_field.insert_after == field["insert_after"]
		assert frappe.get_meta(doctype).get_field(field["fieldname"]), field["fieldname"]
		if field["fieldtype"] in DATA_FIELDTYPES:
			assert frappe.db.has_column(doctype, field["fieldname"]), field["fieldname"]
	for role in ROLES:
		assert frappe.db.exists("Role", role["role_name"])
	for doctype, fieldname in SEARCH_INDEXES:
		assert install.has_index(doctype, fieldname), (doctype, fieldname)
	assert frappe.db.exists("DocType", "CRM Lifecycle Settings")
	assert "crm_lifecycle" in frappe.get_installed_apps()


def test_custom_fields_roles_and_settings_exist_after_install():
	assert_installed()


def test_settings_single_has_its_defaults():
	settings = frappe.get_single("CRM Lifecycle Settings")
	assert frappe.get_meta("CRM Lifecycle Settings").issingle
	assert settings.inactive_customer_transactions == "Warn"


def test_new_customer_is_active_by_default():
	from tests import factories

	customer = factories.make_customer()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1


def our_custom_fields() -> list[str]:
	return frappe.get_all(
		"Custom Field",
		filters={"dt": ("in", list(CUSTOM_FIELDS)), "fieldname": ("like", "crm_%")},
		pluck="name",
		order_by="name",
	)


def test_sync_definition_twice_changes_nothing():
	before = our_custom_fields()
	install.sync_definition()
	install.sync_definition()
	assert our_custom_fields() == before
	assert len(before) == sum(len(fields) for fields in CUSTOM_FIELDS.values())
	assert_installed()


PROBE = "CRM Lifecycle Uninstall Probe"


def test_uninstall_drops_columns_however_often_the_app_was_reinstalled():
	"""MariaDB drops a column instantly by hiding it in every row until the table is rebuilt.
	After some fifty reinstalls of the app on one site, the hidden columns made uninstall fail
	halfway ("Row size too large"; 13 columns then, at about the 55th). Here a copy of Customer's
	table goes through as many uninstalls and reinstalls of our columns as make 1,300 drops."""
	fieldnames = [field["fieldname"] for field in CUSTOM_FIELDS["Customer"]]
	frappe.db.sql_ddl(f"DROP TABLE IF EXISTS `tab{PROBE}`")  # a killed run's
	frappe.db.sql_ddl(f"CREATE TABLE `tab{PROBE}` LIKE `tabCustomer`")
	try:
		create = frappe.db.sql(f"SHOW CREATE TABLE `tab{PROBE}`")[0][1]
		# our columns as MariaDB defines them, e.g. "`crm_active` int(1) NOT NULL DEFAULT 1"
		lines = [line.strip().rstrip(",") for line in create.splitlines()]
		ours = [line for line in lines if line.startswith("`") and line.split("`")[1] in fieldnames]
		assert len(ours) >= 5, create
		for _ in range(-(-1300 // len(ours))):
			uninstall.drop_columns(PROBE, fieldnames)
			assert not set(fieldnames) & set(table_columns(PROBE))
			frappe.db.sql_ddl(f"ALTER TABLE `tab{PROBE}` " + ", ".join(f"ADD COLUMN {line}" for line in ours))
	finally:
		frappe.db.sql_ddl(f"DROP TABLE IF EXISTS `tab{PROBE}`")


def table_columns(doctype: str) -> list[str]:
	"""The columns as the database has them now (Frappe's own answer is cached)."""
	return frappe.db.sql_list(
		"""select column_name from information_schema.columns
		where table_schema = database() and table_name = %s""",
		f"tab{doctype}",
	)


def bench(*args: str) -> subprocess.CompletedProcess:
	"""What `bench --site SITE ...` runs, without needing the bench CLI on PATH."""
	frappe.db.rollback()  # release our metadata locks before the other process alters tables
	result = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SITE, *args],
		cwd=str(BENCH / "sites"),
		capture_output=True,
		text=True,
		timeout=900,
	)
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
	# This process still holds the hooks, meta and installed apps it read before: start afresh,
	# as the next request or bench command would. The cache is cleared after reconnecting: cleared
	# before, with this request's installed apps still in memory, Frappe 15.19 would cache the
	# hooks of an app just uninstalled again.
	frappe.destroy()
	frappe.init(site=SITE, sites_path=str(BENCH / "sites"))
	frappe.connect()
	frappe.clear_cache()
	frappe.set_user("Administrator")
	frappe.local.conf.throttle_user_limit = 1_000_000
	return result


@pytest.mark.destructive
def test_uninstall_removes_everything_then_reinstall_and_migrate_are_clean():
	# an administrator's edit of a shipped template is theirs: uninstall keeps it
	edited, shipped_subject = (shipped_core.email_templates()[3][key] for key in ("name", "subject"))
	template = frappe.get_doc("Email Template", edited)
	template.subject = "Our own words {{ name }}"
	template.save()
	frappe.db.commit()
	try:
		bench("uninstall-app", "crm_lifecycle", "--yes", "--no-backup")
		try:
			assert_uninstalled()
			assert_shipped_removed(kept=edited)
		finally:
			# whatever failed above, the site gets the app back for the next run
			bench("install-app", "crm_lifecycle")
		bench("install-app", "crm_lifecycle")  # a second install is a no-op, not an error
		assert_installed()
		# installed on a site without the app: everything shipped is there, the edit kept
		assert frappe.db.get_value("Email Template", edited, "subject") == "Our own words {{ name }}"
		assert_shipped(except_keys=(shipped_core.template_key(edited),))
		bench("migrate", "--skip-search-index")
		assert_installed()
		assert_shipped(except_keys=(shipped_core.template_key(edited),))
	finally:
		# back to the shipped state: the restored template is taken over again (same content)
		frappe.db.rollback()
		if frappe.db.exists("Email Template", edited):
			template = frappe.get_doc("Email Template", edited)
			template.subject = shipped_subject
			template.save()
		if "crm_lifecycle" in frappe.get_installed_apps():
			shipped.sync()
		frappe.db.commit()
	assert_shipped()


def assert_shipped(except_keys: tuple[str, ...] = ()) -> None:
	for unit in shipped_core.units():
		if unit.key not in except_keys:
			assert shipped.current_content(unit.key) == unit.content, unit.key
			assert shipped.recorded_hash(unit.key) == shipped_core.content_hash(unit.content), unit.key


def assert_shipped_removed(kept: str) -> None:
	for doc in shipped_core.email_templates():
		assert bool(frappe.db.exists("Email Template", doc["name"])) == (doc["name"] == kept), doc["name"]


def assert_uninstalled():
	assert "crm_lifecycle" not in frappe.get_installed_apps()
	for doctype, field in expected_fields():
		assert not frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
		assert not frappe.db.has_column(doctype, field["fieldname"]), field["fieldname"]
		assert not frappe.get_meta(doctype).get_field(field["fieldname"])
	for role in ROLES:
		assert not frappe.db.exists("Role", role["role_name"])
	for doctype, fieldname in SEARCH_INDEXES:
		assert not install.has_index(doctype, fieldname), (doctype, fieldname)
	assert not frappe.db.exists("DocType", "CRM Lifecycle Settings")
	assert not frappe.db.exists("Module Def", "CRM Lifecycle")
	# ERPNext keeps working without us.
	from tests import factories

	customer = factories.make_customer()
	factories.make_sales_invoice(customer.name)
	frappe.db.rollback()
