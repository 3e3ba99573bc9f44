// Copyright (c) 2026, crm_lifecycle developers
// For license information, please see license.txt

frappe.ui.form.on("CRM Lifecycle Settings", {});
