// Contact: the effective portal sections and e-mail opt-ins (template + overrides) at a glance.
frappe.ui.form.on("Contact", {
	refresh(frm) {
		const field = frm.get_field("crm_portal_effective");
		if (!field || frm.is_new()) return;
		const linked = (frm.doc.links || []).some((link) => link.link_doctype === "Customer");
		if (!linked) {
			field.$wrapper.html(
				`<p class="text-muted">${__("Link this contact to a Customer to manage its portal access.")}</p>`
			);
			return;
		}
		frappe.call({
			method: `${crm_lifecycle.API.portal}.get_access`,
			args: { contact: frm.docname },
			callback: (r) => {
				const mark = (on) => (on ? "✓" : "✗");
				const rows = Object.entries(r.message)
					.map(
						([section, grant]) => `<tr>
							<td>${__(section)}</td>
							<td>${mark(grant.view)}</td>
							<td>${mark(grant.email)}</td>
							<td class="text-muted">${__(grant.source)}</td>
						</tr>`
					)
					.join("");
				field.$wrapper.html(`<table class="table table-sm crm-portal-effective">
					<thead><tr><th>${__("Section")}</th><th>${__("View in Portal")}</th>
					<th>${__("Receive E-mails")}</th><th>${__("From")}</th></tr></thead>
					<tbody>${rows}</tbody></table>`);
			},
		});
	},
});
