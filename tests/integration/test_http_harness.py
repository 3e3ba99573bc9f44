"""The HTTP fixture really talks to the site: committed data is visible, permissions apply."""

import pytest

pytestmark = pytest.mark.http


def test_api_client_sees_committed_customer_with_our_field_and_guest_is_refused(http, committed):
	customer = committed.make_customer()

	admin = http("Administrator", "admin")
	response = admin.get(f"/api/resource/Customer/{customer.name}")
	assert response.status_code == 200, response.text
	assert response.json()["data"]["crm_active"] == 1

	guest = http()
	assert guest.get(f"/api/resource/Customer/{customer.name}").status_code == 403


def test_portal_user_logs_in_over_http(http, committed):
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name, portal_user=True)

	portal = http(contact.user, committed.PORTAL_PASSWORD)
	assert portal.get("/api/method/frappe.auth.get_logged_user").json()["message"] == contact.user
