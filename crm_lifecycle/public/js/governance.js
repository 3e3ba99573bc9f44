// Record governance on the form: lock / unlock, security panel, invalidate / restore, merge,
// delete report. UX only: every rule is enforced on the server.
//
// Loaded once for the whole desk (app_include_js); the doctypes it serves come from the server
// with the boot info, so every lockable doctype an administrator adds in CRM Lifecycle Settings
// gets the same extras.
frappe.provide("crm_lifecycle.governance");

crm_lifecycle.once("governance_form", () => {
	const g = crm_lifecycle.governance;
	const boot = frappe.boot.crm_lifecycle || {};
	g.LOCKING = crm_lifecycle.API.locking;
	g.API = crm_lifecycle.API.governance;
	g.LOCKABLE = boot.lockable || [];
	g.INVALIDATABLE = boot.invalidatable || [];
	g.MERGEABLE = boot.mergeable || [];
	g.GOVERNED = [...new Set([...g.LOCKABLE, ...g.INVALIDATABLE, ...g.MERGEABLE])];
	const esc = crm_lifecycle.esc;

	g.GOVERNED.forEach((doctype) => {
		frappe.ui.form.on(doctype, { refresh: (frm) => g.refresh(frm) });
	});

	g.refresh = function (frm) {
		if (frm.is_new()) return;
		frm.page.add_menu_item(__("Security"), () => g.security(frm));
		frm.page.add_menu_item(__("Delete Report"), () => g.delete_report(frm));
		if (g.INVALIDATABLE.includes(frm.doctype)) {
			if (frm.doc.crm_invalid) {
				frm.page.add_menu_item(__("Restore"), () => g.restore(frm));
				const event = ((frm.doc.__onload || {}).crm_lifecycle_events || {}).invalidated || {};
				frm.set_intro(
					__("Invalid since {0} ({1}): hidden from lists and pickers, refused in new transactions.", [
						event.on ? frappe.datetime.str_to_user(event.on) : "?",
						esc(event.reason || __("no reason given")),
					]),
					"red"
				);
			} else {
				frm.page.add_menu_item(__("Invalidate"), () => g.invalidate(frm));
			}
		}
		if (g.MERGEABLE.includes(frm.doctype)) {
			frm.page.add_menu_item(__("Merge into..."), () => g.merge(frm));
		}
		// the server sends the lock state with the document (onload), so this runs during refresh
		g.show_lock(frm, (frm.doc.__onload || {}).crm_lifecycle_lock);
	};

	g.show_lock = function (frm, status) {
		if (!status || !status.lockable) return;
		if (!status.locked) {
			crm_lifecycle.clear_banner(frm, "lock");
			frm.page.add_menu_item(__("Lock"), () => g.lock(frm));
			g.restore_editing(frm);
			return;
		}
		if (status.can_unlock) {
			frm.page.add_menu_item(__("Unlock"), () => g.unlock(frm));
		}
		let message = esc(status.message);
		if (status.expires_on) {
			message += " " + __("until {0}", [frappe.datetime.str_to_user(status.expires_on)]);
		}
		crm_lifecycle.banner(frm, "lock", message, status.can_edit ? "blue" : "red");
		if (!status.can_edit) {
			g.disable_editing(frm);
		}
	};

	g.disable_editing = function (frm) {
		// remember what was editable, so that a later refresh after the unlock gives it back
		frm.__crm_read_only = frm.__crm_read_only || {};
		frm.fields.forEach((field) => {
			if (!(field.df.fieldname in frm.__crm_read_only)) {
				frm.__crm_read_only[field.df.fieldname] = field.df.read_only;
			}
		});
		frm.disable_form();
	};

	g.restore_editing = function (frm) {
		if (!frm.__crm_read_only) return;
		Object.entries(frm.__crm_read_only).forEach(([fieldname, read_only]) =>
			frm.set_df_property(fieldname, "read_only", read_only)
		);
		frm.__crm_read_only = null;
		frm.enable_save();
	};

	g.call = function (method, args, then) {
		return frappe.call({ method, args, freeze: true }).then((r) => then && then(r.message));
	};

	g.lock = function (frm) {
		frappe.prompt(
			[
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason") },
				{ fieldname: "expires_on", fieldtype: "Datetime", label: __("Expires On") },
			],
			(values) =>
				g.call(`${g.LOCKING}.lock`, { doctype: frm.doctype, name: frm.docname, ...values }, () =>
					frm.reload_doc()
				),
			__("Lock {0}", [frm.docname]),
			__("Lock")
		);
	};

	g.unlock = function (frm) {
		g.call(`${g.LOCKING}.unlock`, { doctype: frm.doctype, name: frm.docname }, () => frm.reload_doc());
	};

	g.security = function (frm) {
		frappe
			.call({ method: `${g.API}.security_info`, args: { doctype: frm.doctype, name: frm.docname }, type: "GET" })
			.then((r) => {
				const info = r.message;
				const row = (label, value) => `<tr><th style="width: 35%">${label}</th><td>${value || "-"}</td></tr>`;
				const when = (value) => (value ? frappe.datetime.str_to_user(value) : "");
				const list = (items, fn) => items.map(fn).map(esc).join(", ");
				const history = info.lock_history
					.map((h) => `<li>${when(h.creation)}: ${esc(__(h.action))} (${esc(h.user)})</li>`)
					.join("");
				const lifecycle = (info.lifecycle_history || [])
					.map(
						(e) =>
							`<li>${when(e.on)}: ${esc(__(e.event))} (${esc(e.by_name || e.by)})${
								e.reason ? ": " + esc(e.reason) : ""
							}</li>`
					)
					.join("");
				const html = `<table class="table table-bordered small">
					${row(__("Created"), `${esc(info.created_by_name)}, ${when(info.created_on)}`)}
					${row(__("Last Modified"), `${esc(info.modified_by_name)}, ${when(info.modified_on)}`)}
					${row(__("Lock"), info.lock.locked ? esc(info.lock.message) : __("Not locked"))}
					${row(__("Validity"), esc(__(info.validity)))}
					${row(__("Shared With"), list(info.shared_with, (s) => (s.everyone ? __("Everyone") : s.user)))}
					${row(__("Assigned To"), list(info.assigned_to, (a) => a.allocated_to))}
					${row(__("Roles That Can Read"), list(info.read_roles, (r) => r.role + (r.if_owner ? " (" + __("if owner") + ")" : "")))}
				</table>${history ? `<h6>${__("Lock History")}</h6><ul class="small">${history}</ul>` : ""}${
					lifecycle ? `<h6>${__("Lifecycle History")}</h6><ul class="small">${lifecycle}</ul>` : ""
				}`;
				frappe.msgprint({ title: __("Security"), message: html, wide: true });
			});
	};

	g.invalidate = function (frm) {
		frappe.prompt(
			[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason") }],
			(values) =>
				g.call(`${g.API}.invalidate`, { doctype: frm.doctype, name: frm.docname, reason: values.reason }, () =>
					frm.reload_doc()
				),
			__("Invalidate {0}", [frm.docname]),
			__("Invalidate")
		);
	};

	g.restore = function (frm) {
		g.call(`${g.API}.restore`, { doctype: frm.doctype, name: frm.docname }, () => frm.reload_doc());
	};

	g.delete_report = function (frm) {
		frappe
			.call({ method: `${g.API}.delete_report`, args: { doctype: frm.doctype, name: frm.docname }, type: "GET" })
			.then((r) => {
				const report = r.message;
				const rows = report.links
					.map(
						(l) => `<tr><td>${esc(__(l.doctype))}</td><td>${l.count}</td>
						<td>${l.names.map((n) => `<a href="/app/${frappe.router.slug(l.doctype)}/${encodeURIComponent(n)}">${esc(n)}</a>`).join(", ")}</td>
						<td>${l.blocks_delete ? __("Yes") : __("No")}</td></tr>`
					)
					.join("");
				const dialog = new frappe.ui.Dialog({
					title: __("What links to {0}", [frm.docname]),
					size: "large",
					fields: [
						{
							fieldtype: "HTML",
							options: report.links.length
								? `<table class="table table-bordered small"><tr><th>${__("Document Type")}</th><th>${__("Count")}</th><th>${__("Examples")}</th><th>${__("Blocks Deletion")}</th></tr>${rows}</table>`
								: `<p>${__("Nothing links to this record.")}</p>`,
						},
					],
				});
				if (!report.can_delete && report.can_invalidate && !frm.doc.crm_invalid) {
					dialog.set_primary_action(__("Invalidate Instead"), () =>
						crm_lifecycle.hide_then(dialog, () => g.invalidate(frm))
					);
				} else if (report.can_delete) {
					dialog.set_primary_action(__("Delete"), () => crm_lifecycle.hide_then(dialog, () => frm.savetrash()));
				}
				dialog.show();
			});
	};

	g.merge = function (frm) {
		frappe.prompt(
			[{ fieldname: "target", fieldtype: "Link", options: frm.doctype, label: __("Merge into"), reqd: 1 }],
			(values) =>
				frappe
					.call({
						method: `${g.API}.merge_preview`,
						args: { doctype: frm.doctype, source: frm.docname, target: values.target },
						type: "GET",
					})
					.then((r) => g.merge_dialog(frm, r.message)),
			__("Merge {0}", [frm.docname])
		);
	};

	g.merge_dialog = function (frm, preview) {
		const fields = preview.fields.map((f) => ({
			fieldname: f.fieldname,
			fieldtype: "Select",
			label: f.label,
			options: [
				{ value: "target", label: __("Keep: {0}", [esc(f.target)]) },
				{ value: "source", label: __("Take: {0}", [esc(f.source)]) },
			],
			default: "target",
		}));
		const links = preview.links.map((l) => `${esc(__(l.doctype))}: ${l.count}`).join(", ");
		const problems = preview.conflicts.concat(
			Object.values(preview.locks).filter((s) => !s.can_edit).map((s) => s.message)
		);
		fields.unshift({
			fieldtype: "HTML",
			options: `<p>${__("Moves to {0}: {1}", [esc(preview.target), links || __("nothing")])}</p>${problems
				.map((p) => `<p class="text-danger">${esc(p)}</p>`)
				.join("")}`,
		});
		const dialog = new frappe.ui.Dialog({ title: __("Merge {0} into {1}", [frm.docname, preview.target]), fields });
		if (preview.can_merge) {
			dialog.set_primary_action(__("Merge"), (values) => {
				const keep = {};
				preview.fields.forEach((f) => (keep[f.fieldname] = values[f.fieldname] || "target"));
				g.call(
					`${g.API}.merge`,
					{ doctype: frm.doctype, source: frm.docname, target: preview.target, keep: JSON.stringify(keep) },
					() => {
						dialog.hide();
						frappe.set_route("Form", frm.doctype, preview.target);
					}
				);
			});
		}
		dialog.show();
	};
});
