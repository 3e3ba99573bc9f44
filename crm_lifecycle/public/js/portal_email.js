// New Email preselects exactly the customer's contacts that opted in to this kind of e-mail.
// The composer fills its own default recipients while opening; the opted-in contacts are set
// after it opened. A recipient added by hand is sent to as usual.
frappe.provide("crm_lifecycle.email");

crm_lifecycle.email.preselect = function (composer) {
	const frm = composer.frm;
	if (!frm || frm.is_new() || composer.last_email || composer.is_a_reply) return;
	frappe.call({
		method: `${crm_lifecycle.API.portal}.recipients`,
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => {
			const data = r.message || {};
			if (!data.customer || !composer.dialog) return;
			const field = composer.dialog.fields_dict.recipients;
			field.set_value(data.recipients.join(", "));
			if (!data.recipients.length) {
				frappe.show_alert({
					message: __("No contact of {0} opted in to {1} e-mails.", [data.customer, __(data.kind)]),
					indicator: "orange",
				});
			}
		},
	});
};

if (!frappe.views.CommunicationComposer.crm_lifecycle_preselects) {
	frappe.views.CommunicationComposer = class extends frappe.views.CommunicationComposer {
		make() {
			super.make();
			crm_lifecycle.email.preselect(this);
		}
	};
	frappe.views.CommunicationComposer.crm_lifecycle_preselects = true;
}
