"""What the desk flows do alike: open a form's menu item, wait for a dialog to be shown."""


def open_menu_item(page, label: str):
	page.locator(".page-head:visible .menu-btn-group > button").click()
	page.locator(".page-head:visible .dropdown-menu .dropdown-item", has_text=label).first.click()


def shown_dialog(page, has_text: str | None = None):
	"""The dialog on top, once the desk has finished showing it. Bootstrap ignores a hide() asked
	for while a dialog still fades in: a click on its primary action before then runs the action
	and leaves the dialog open over the page (seen once in CI, where the next click then failed).
	A user cannot type and click that fast; a test can."""
	dialog = page.locator(".modal.show", has_text=has_text).last
	# the desk names the dialog `cur_dialog` when Bootstrap says it is shown
	page.wait_for_function("(el) => window.cur_dialog?.$wrapper?.[0] === el", arg=dialog.element_handle())
	return dialog


def open_dependencies(page):
	"""Open the form's Dependencies section: the tab that holds the form's dashboard (Connections;
	Dashboard on Customer), or nothing to open on a form without tabs (Contact)."""
	# the form has refreshed once it has the section (in its dashboard, shown or not)
	page.locator(".form-dashboard .crm-dependencies-section").first.wait_for(state="attached")
	tab = page.evaluate(
		"""() => {
			const tab = (cur_frm.layout.tabs || []).find((t) => t.df.show_dashboard);
			return tab ? tab.tab_link.find(".nav-link").attr("id") : null;
		}"""
	)
	if tab:
		page.locator(f".form-tabs .nav-link[id='{tab}']").click()
	section = page.locator(".form-dashboard .crm-dependencies-section:visible")
	section.wait_for()
	return section
