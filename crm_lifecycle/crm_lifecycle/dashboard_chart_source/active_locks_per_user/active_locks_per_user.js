frappe.provide("frappe.dashboards.chart_sources");

// data: crm_lifecycle.api.charts.locks_per_user (computed for the user looking at it; Frappe's own
// "Group By" charts keep one user's figures in a cache every other user is then shown)
frappe.dashboards.chart_sources["Active Locks per User"] = {
	method: "crm_lifecycle.api.charts.locks_per_user",
	filters: [],
};
