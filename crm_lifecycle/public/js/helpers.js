// The app's desk helpers, loaded once for the whole desk (app_include_js, before every other
// script of the app): the API method names, the one HTML escape, a register-once guard, the
// list-view extender, banners with a marker, the bulk-results dialog and the vCard download.
frappe.provide("crm_lifecycle");

(function (c) {
	if (c.helpers) return;
	c.helpers = true;

	// Every whitelisted module of the app, by capability (crm_lifecycle/api/<capability>.py).
	c.API = {
		accounts: "crm_lifecycle.api.accounts",
		conversion: "crm_lifecycle.api.conversion",
		deactivation: "crm_lifecycle.api.deactivation",
		dependencies: "crm_lifecycle.api.dependencies",
		export: "crm_lifecycle.api.export",
		governance: "crm_lifecycle.api.governance",
		invoice_hold: "crm_lifecycle.api.invoice_hold",
		locking: "crm_lifecycle.api.locking",
		portal: "crm_lifecycle.api.portal",
		registry: "crm_lifecycle.api.registry",
	};

	// Every value a script of the app puts into HTML goes through this.
	c.esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));

	// Run `register` once per page load under `key` (form scripts of several doctypes share files).
	const registered = new Set();
	c.once = function (key, register) {
		if (registered.has(key)) return false;
		registered.add(key);
		register();
		return true;
	};

	// Extend a doctype's listview_settings without replacing them: `extend(settings)` runs once
	// for each settings object, also for one a list script assigns later (ERPNext's own list
	// scripts assign a new object). `key` names the extension, so that it is added once.
	const extensions = {};
	c.extend_list = function (doctype, key, extend) {
		const of_doctype = (extensions[doctype] = extensions[doctype] || {});
		if (of_doctype[key]) return;
		of_doctype[key] = extend;
		const apply = (settings) => {
			settings = settings || {};
			settings.__crm_extensions = settings.__crm_extensions || {};
			Object.entries(of_doctype).forEach(([name, fn]) => {
				if (settings.__crm_extensions[name]) return;
				settings.__crm_extensions[name] = true;
				fn(settings);
			});
			return settings;
		};
		const own = Object.getOwnPropertyDescriptor(frappe.listview_settings, doctype);
		if (own && own.get && own.get.crm_lifecycle) {
			apply(own.get());
			return;
		}
		let current = apply(frappe.listview_settings[doctype]);
		const get = () => current;
		get.crm_lifecycle = true;
		Object.defineProperty(frappe.listview_settings, doctype, {
			configurable: true,
			enumerable: true,
			get,
			set: (settings) => (current = apply(settings)),
		});
	};

	// Call `fn` after what the settings already do on `hook` (onload, refresh).
	c.after = function (settings, hook, fn) {
		const before = settings[hook];
		settings[hook] = function () {
			if (before) before.apply(this, arguments);
			return fn.apply(this, arguments);
		};
	};

	// An indicator of ours first, else whatever the settings showed before.
	c.indicator = function (settings, fields, indicator) {
		settings.add_fields = [...new Set([...(settings.add_fields || []), ...fields])];
		const before = settings.get_indicator;
		settings.get_indicator = function (doc) {
			return indicator(doc) || (before ? before.apply(this, arguments) : null);
		};
	};

	// A form banner (headline) marked as ours, so that it is found and cleared by its marker,
	// not by its translated text.
	c.banner = function (frm, key, html, color) {
		frm.dashboard.set_headline_alert(`<span data-crm-banner="${c.esc(key)}">${html}</span>`, color);
	};
	c.clear_banner = function (frm, key) {
		const message = frm.layout && frm.layout.message;
		if (message && message.find(`[data-crm-banner="${c.esc(key)}"]`).length) {
			frm.dashboard.clear_headline();
		}
	};

	// Close `dialog`, then `next()`. Bootstrap ignores hide() while a dialog is still fading in,
	// which would leave it open over what comes next: a quick click waits until it is shown.
	c.hide_then = function (dialog, next) {
		const go = () => {
			dialog.hide();
			next();
		};
		if (dialog.display) go();
		else dialog.$wrapper.one("shown.bs.modal", go);
	};

	// The result of a bulk action: a summary and each refused record with the reason.
	c.show_bulk_results = function ({ title, summary, results, refused_label }) {
		const failed = (results || []).filter((row) => !row.ok);
		const rows = failed.map((row) => `<li>${c.esc(row.name)}: ${c.esc(row.error)}</li>`).join("");
		frappe.msgprint({
			title: title,
			indicator: failed.length ? "orange" : "green",
			message:
				`<p class="crm-bulk-summary">${summary}</p>` +
				(rows ? `<p>${refused_label || __("Not done:")}</p><ul class="crm-bulk-refused">${rows}</ul>` : ""),
		});
		return failed;
	};

	// The records as one .vcf download (a Customer optionally with its contacts).
	c.download_vcard = function (doctype, names, with_contacts) {
		open_url_post(`/api/method/${c.API.export}.vcard`, {
			doctype: doctype,
			names: JSON.stringify(names),
			with_contacts: with_contacts ? 1 : 0,
		});
	};
})(crm_lifecycle);
