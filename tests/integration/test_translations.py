"""A user whose language is German or Czech gets the app's messages in that language.

Each test switches the session to a user whose User.language is de or cs, the way Frappe does
when a session resumes (`frappe.local.lang = get_user_lang(user)`), calls the real API and
checks the text of the refusal. The English user is the control: the same call, the English
words, so the translation is what changed.
"""

import contextlib
import json
import socket

import pytest

import frappe
from frappe import _
from frappe.desk.form.load import getdoctype
from frappe.translate import clear_cache, get_messages_for_boot, get_user_lang

from crm_lifecycle.api import accounts as accounts_api
from crm_lifecycle.api import conversion as conversion_api
from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import export as export_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.api import invoice_hold as invoice_hold_api
from crm_lifecycle.api import locking as locking_api
from crm_lifecycle.api import portal as portal_api
from crm_lifecycle.api import registry as registry_api
from crm_lifecycle.services.refusals import UnavailableError
from crm_lifecycle.services.registry import SETTINGS
from tests import factories

LANGUAGES = ("en", "de", "cs")
# enough to do every action below, and no lock manager or System Manager (they may edit locked records)
ROLES = ["Sales User", "Sales Manager", "Sales Master Manager", "Accounts User"]


@pytest.fixture(scope="module", autouse=True)
def current_translation_files(frappe_site):
	"""Merged translations are cached in Redis per language; read the CSV files as they are now."""
	clear_cache()
	yield


@pytest.fixture
def speak(as_user):
	"""`with speak("de"):` runs the block as a new user whose language is German."""
	previous = frappe.local.lang

	@contextlib.contextmanager
	def switch(language: str):
		user = factories.make_user(roles=ROLES, language=language)
		frappe.cache.hdel("lang", user.name)
		with as_user(user.name):
			frappe.local.lang = get_user_lang(user.name)
			assert frappe.local.lang == language
			try:
				yield user
			finally:
				frappe.local.lang = previous

	yield switch
	frappe.local.lang = previous


def message(raised) -> str:
	return str(raised.value)


# Deactivation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_deactivation_refusal(speak, language):
	customer = factories.make_customer().name
	deactivation_api.deactivate("Customer", customer)
	expected = {
		"en": f"Customer {customer} is already inactive.",
		"de": f"Kunde {customer} ist bereits inaktiv.",
		"cs": f"Zákazník {customer} je již neaktivní.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			deactivation_api.deactivate("Customer", customer)
		assert message(raised) == expected
		deactivation_api.reactivate("Customer", customer)  # control: the reason gone, it works


@pytest.mark.parametrize("language", LANGUAGES)
def test_invoice_hold_refusal(speak, language):
	customer = factories.make_customer().name
	expected = {
		"en": f"Customer {customer} has no invoices on hold.",
		"de": f"Kunde {customer} hat keine zurückgehaltenen Rechnungen.",
		"cs": f"Zákazník {customer} nemá žádné pozastavené faktury.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			invoice_hold_api.release_customer_invoices(customer)
		assert message(raised) == expected


# Portal ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_portal_set_access_refusal_names_the_section_in_the_users_language(speak, language):
	contact = factories.make_contact(factories.make_customer().name).name
	expected = {
		"en": "Deliveries can only be switched for viewing, not for e-mail.",
		"de": "Lieferungen kann nur für die Anzeige geschaltet werden, nicht für E-Mails.",
		"cs": "Dodávky: lze přepnout pouze pro zobrazení, ne pro e-maily.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			portal_api.set_access(contact, json.dumps({"Deliveries": {"email": 1}}))
		assert message(raised) == expected
		# control: what may be switched is switched
		assert (
			portal_api.set_access(contact, json.dumps({"Deliveries": {"view": 0}}))["Deliveries"]["view"] == 0
		)


# Locking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_lock_refusals(speak, language):
	"""The lock and unlock paths read the lock from the database: the message, not the Redis
	lock set (which concurrent processes on the shared site may be rebuilding), is under test."""
	customer = factories.make_customer().name
	locking_api.lock("Customer", customer, reason="Audit")
	holder = {
		"en": "Locked by Administrator since ",
		"de": "Gesperrt von Administrator seit ",
		"cs": "Zamkl(a) Administrator od ",
	}[language]
	unlock = {
		"en": f"Only Administrator or a lock manager can unlock Customer {customer}.",
		"de": f"Nur Administrator oder ein Sperrverwalter kann Kunde {customer} entsperren.",
		"cs": f"Záznam Zákazník {customer} může odemknout pouze Administrator nebo správce zámků.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.DuplicateEntryError) as raised:
			locking_api.lock("Customer", customer)
		assert message(raised).startswith(holder) and message(raised).endswith(" (Audit)")
		with pytest.raises(frappe.PermissionError) as raised:
			locking_api.unlock("Customer", customer)
		assert message(raised) == unlock
	locking_api.unlock("Customer", customer)
	with speak(language):  # control: unlocked, the same user may lock it and unlock it again
		assert locking_api.lock("Customer", customer)["locked"]
		locking_api.unlock("Customer", customer)


# Record governance and account views ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_governance_refusal(speak, language):
	customer = factories.make_customer().name
	governance_api.invalidate("Customer", customer)
	expected = {
		"en": f"Customer {customer} is already invalid.",
		"de": f"Kunde {customer} ist bereits ungültig.",
		"cs": f"Zákazník {customer} je již neplatný.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			governance_api.invalidate("Customer", customer)
		assert message(raised) == expected
		governance_api.restore("Customer", customer)  # control


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_view_refusal(speak, language):
	expected = {
		"en": "Unknown view: someday",
		"de": "Unbekannte Ansicht: someday",
		"cs": "Neznámý pohled: someday",
	}
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			accounts_api.view("someday")
		assert message(raised) == expected[language]
		assert accounts_api.view("my_accounts") is not None  # control


# Conversion --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_conversion_refusal_names_the_doctypes_in_the_users_language(speak, language):
	lead = factories.make_lead().name
	made = conversion_api.convert("Lead", lead, '["Customer"]')["records"]
	customer = next(record["name"] for record in made if record["doctype"] == "Customer")
	expected = {
		"en": f"Lead {lead} was already converted to Customer {customer}; nothing was created. "
		"Link to it instead.",
		"de": f"Lead {lead} wurde bereits in Kunde {customer} umgewandelt; es wurde nichts erstellt. "
		"Verknüpfen Sie stattdessen damit.",
		"cs": f"Lead {lead} již byl převeden: Zákazník {customer}; nic nebylo vytvořeno. "
		"Místo toho jej propojte.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.DuplicateEntryError) as raised:
			conversion_api.convert("Lead", lead, '["Customer"]')
		assert message(raised) == expected
		# control: what the lead has not become yet is made
		assert conversion_api.convert("Lead", lead, '["Opportunity"]')["records"]


# Registries and export ---------------------------------------------------------------------------


def _closed_port_url() -> str:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_registry_failure(speak, language):
	customer = factories.make_customer().name
	frappe.db.set_single_value(
		SETTINGS, {"ares_enabled": 1, "ares_base_url": _closed_port_url(), "registry_timeout": 2}
	)
	expected = {
		"en": ("ARES cannot be reached (", "). Nothing was changed."),
		"de": ("ARES ist nicht erreichbar (", "). Es wurde nichts geändert."),
		"cs": ("ARES není dostupný (", "). Nic nebylo změněno."),
	}[language]
	try:
		with speak(language):
			with pytest.raises(UnavailableError) as raised:
				registry_api.lookup("ares", "00177041", "Customer", customer)
			assert message(raised).startswith(expected[0]) and message(raised).endswith(expected[1])
			# a bad check digit is refused before the registry is asked, in the same language
			with pytest.raises(frappe.ValidationError) as raised:
				registry_api.lookup("ares", "00177042", "Customer", customer)
			assert (
				message(raised)
				== {
					"en": "00177042 is not a valid registration number: its check digit does not match.",
					"de": "00177042 ist keine gültige Registernummer: Die Prüfziffer stimmt nicht.",
					"cs": "00177042 není platné IČO: nesouhlasí kontrolní číslice.",
				}[language]
			)
	finally:
		frappe.clear_document_cache(SETTINGS, SETTINGS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_export_refusal(speak, language):
	lead = factories.make_lead().name
	expected = {
		"en": "vCards can be made of Customers and Contacts only.",
		"de": "vCards können nur aus Kunden und Kontakten erstellt werden.",
		"cs": "vCard lze vytvořit pouze ze zákazníků a kontaktů.",
	}[language]
	with speak(language):
		with pytest.raises(frappe.ValidationError) as raised:
			export_api.vcard("Lead", json.dumps([lead]))
		assert message(raised) == expected


# Labels and the desk's script messages -----------------------------------------------------------


@pytest.mark.parametrize(
	("language", "settings", "label", "custom_field"),
	[
		("en", "CRM Lifecycle Settings", "Send Automatic Payment Reminders", "Registration No"),
		(
			"de",
			"CRM-Lifecycle-Einstellungen",
			"Automatische Zahlungserinnerungen senden",
			"Registernummer",
		),
		("cs", "Nastavení CRM Lifecycle", "Odesílat automatické připomínky plateb", "IČO"),
	],
)
def test_doctype_and_field_labels(speak, language, settings, label, custom_field):
	source = frappe.get_meta(SETTINGS).get_label("enable_payment_reminders")
	registration_no = frappe.get_meta("Customer").get_label("crm_registration_no")
	with speak(language):
		assert _(SETTINGS) == settings
		assert _(source) == label
		assert _(registration_no) == custom_field
		if language != "en":
			# what the desk receives for the settings form: older v15 minors send the doctype's
			# messages with the form (__messages), newer ones send every message at boot
			frappe.response.pop("__messages", None)
			getdoctype(SETTINGS)
			received = {**get_messages_for_boot(), **(frappe.response.get("__messages") or {})}
			assert received[source] == label


@pytest.mark.parametrize(
	("language", "button", "alert"),
	[
		("de", "Aus Register befüllen", "{0} Felder aus dem Register befüllt"),
		("cs", "Vyplnit z registru", "Polí vyplněných z registru: {0}"),
	],
)
def test_desk_scripts_receive_the_translations_at_boot(speak, language, button, alert):
	"""The desk's __() reads frappe._messages, filled from the boot's __messages."""
	with speak(language):
		messages = get_messages_for_boot()
	assert messages["Fill from Registry"] == button
	assert messages["{0} fields filled from the registry"] == alert


# Over HTTP: the language comes from the user's record, not from the test -----------------------


@pytest.mark.http
@pytest.mark.parametrize(
	("language", "expected"),
	[
		("en", "Deliveries can only be switched for viewing, not for e-mail."),
		("de", "Lieferungen kann nur für die Anzeige geschaltet werden, nicht für E-Mails."),
		("cs", "Dodávky: lze přepnout pouze pro zobrazení, ne pro e-maily."),
	],
)
def test_http_refusal_in_the_users_language(http, committed, language, expected):
	user = committed.make_user(roles=ROLES, language=language)
	contact = committed.make_contact(committed.make_customer().name).name
	client = http(user.name, factories.PORTAL_PASSWORD)
	url = "/api/method/crm_lifecycle.api.portal.set_access"
	refused = client.post(url, data={"contact": contact, "access": json.dumps({"Deliveries": {"email": 1}})})
	assert refused.status_code == 417, refused.text
	texts = [json.loads(entry).get("message") for entry in json.loads(refused.json()["_server_messages"])]
	assert expected in texts
	allowed = client.post(url, data={"contact": contact, "access": json.dumps({"Deliveries": {"view": 0}})})
	assert allowed.status_code == 200, allowed.text
