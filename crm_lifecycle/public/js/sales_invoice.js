// Payment-reminder hold on a submitted Sales Invoice. UX only: the server decides.
frappe.ui.form.on("Sales Invoice", {
	refresh(frm) {
		if (frm.doc.docstatus !== 1) return;
		if (!frm.doc.crm_reminders_on_hold) crm_lifecycle.clear_banner(frm, "on_hold");
		const api = crm_lifecycle.API.invoice_hold;
		if (frm.doc.crm_reminders_on_hold) {
			let message = __("Payment reminders on hold since {0} by {1}", [
				frappe.datetime.str_to_user(frm.doc.crm_held_on),
				crm_lifecycle.esc(frappe.user.full_name(frm.doc.crm_held_by)),
			]);
			if (frm.doc.crm_held_until) {
				message += " " + __("until {0}", [frappe.datetime.str_to_user(frm.doc.crm_held_until)]);
			}
			if (frm.doc.crm_hold_reason) {
				message += ": " + crm_lifecycle.esc(frm.doc.crm_hold_reason);
			}
			crm_lifecycle.banner(frm, "on_hold", message, "orange");
			frm.add_custom_button(__("Release Reminder Hold"), () =>
				frappe.call({
					method: `${api}.release_invoices`,
					args: { invoices: [frm.docname] },
					freeze: true,
					callback: () => frm.reload_doc(),
				})
			);
		} else if (frm.doc.outstanding_amount > 0) {
			frm.page.add_menu_item(__("Put Reminders on Hold"), () => {
				const dialog = new frappe.ui.Dialog({
					title: __("Put Reminders on Hold"),
					fields: [
						{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason") },
						{ fieldname: "held_until", fieldtype: "Date", label: __("Held Until") },
					],
					primary_action_label: __("Hold"),
					primary_action(values) {
						frappe.call({
							method: `${api}.hold_invoices`,
							args: { invoices: [frm.docname], ...values },
							freeze: true,
							callback: () => {
								dialog.hide();
								frm.reload_doc();
							},
						});
					},
				});
				dialog.show();
			});
		}
	},
});
