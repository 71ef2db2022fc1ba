"""Drive a real headless Chromium (Debian's chromium + chromium-driver, through selenium) against the live
test server (tests/support/live_server.py): start the browser, take numbered screenshots per journey, log in
through the login page and work frappe desk forms the way a user does — typing into inputs, picking from
the link dropdown, choosing Select options, adding grid rows, clicking the form's buttons and the workflow
"Actions" menu. Nothing is downloaded: selenium runs offline with the packaged browser and driver.

JavaScript is used to *find* things (the control of a field, a grid row, a button of the current form,
because frappe keeps earlier pages hidden in the DOM) and to *wait* for the desk to settle (no freeze, no
request in flight, `cur_frm` loaded); values are entered with real key presses and clicks. Where a widget
is driven through frappe's JS API instead, the call says so in a comment.

Screenshots go to artifacts/e2e/<journey>/<nn>_<step>.png (git-ignored, written on every run); on a
failure, <nn>_FAILED.png, the browser console log and the page's HTML go next to them.
"""

import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import quote as _quote

from selenium import webdriver
from selenium.common.exceptions import (
	ElementClickInterceptedException,
	StaleElementReferenceException,
	TimeoutException,
	WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DESKTOP = (1366, 900)
PHONE = (390, 844)  # a phone's CSS pixels
TIMEOUT = 45  # seconds: two shared cores, a cold desk bundle on first load

CHROMIUM_FLAGS = (
	"--headless=new",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-dev-shm-usage",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-extensions",
	"--no-first-run",
	"--hide-scrollbars",
	"--force-device-scale-factor=1",
)


def quote(label: str) -> str:
	"""JavaScript's encodeURIComponent, which frappe uses for the data-label of buttons and menu items."""
	return _quote(label, safe="-_.!~*'()")


def start_chromium(size: tuple[int, int] = DESKTOP, lang: str | None = None) -> webdriver.Chrome:
	"""A headless Chromium with a fixed window size; `lang` sets the browser's language (Accept-Language)."""
	# selenium must not try to fetch a driver or a browser: both come from Debian's packages
	os.environ.setdefault("SE_OFFLINE", "true")
	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for flag in CHROMIUM_FLAGS:
		options.add_argument(flag)
	options.add_argument(f"--window-size={size[0]},{size[1]}")
	if lang:
		options.add_argument(f"--lang={lang}")
		options.add_experimental_option("prefs", {"intl.accept_languages": lang})
	options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
	driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
	driver.set_page_load_timeout(90)
	driver.set_window_size(*size)
	return driver


class Browser:
	"""One journey's browser: the driver, the server's URL and the journey's screenshot folder."""

	def __init__(self, driver: webdriver.Chrome, base_url: str, journey: str):
		self.driver = driver
		self.base_url = base_url.rstrip("/")
		self.folder = ARTIFACTS / journey
		self.step = 0
		self.started = time.monotonic()
		self.timeline: list[tuple[float, str]] = []
		self.folder.mkdir(parents=True, exist_ok=True)
		for old in self.folder.glob("*"):
			if old.is_file():
				old.unlink()

	# navigation, waiting, artifacts

	def get(self, path: str) -> None:
		self.driver.get(self.base_url + path)

	def until(self, condition, timeout: float = TIMEOUT, message: str = ""):
		"""Wait until `condition(driver)` is truthy and return it."""
		return WebDriverWait(
			self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
		).until(condition, message)

	def js(self, script: str, *args):
		return self.driver.execute_script(script, *args)

	def visible(self, css: str, timeout: float = TIMEOUT) -> WebElement:
		"""The first displayed element matching `css` (waits for one)."""

		def find(driver):
			return next((el for el in driver.find_elements(By.CSS_SELECTOR, css) if el.is_displayed()), None)

		return self.until(find, timeout, f"nothing visible matches {css}")

	def click(self, element: WebElement) -> None:
		"""Click like a user; if a toast or a fading backdrop is in the way, wait and click again."""
		self.js("arguments[0].scrollIntoView({block: 'center'})", element)
		deadline = time.monotonic() + 10
		while True:
			try:
				self.until(lambda d: element.is_displayed() and element.is_enabled(), 10)
				element.click()
				return
			except ElementClickInterceptedException:
				if time.monotonic() > deadline:
					raise
				time.sleep(0.2)  # an overlay is fading out; polling, not a fixed wait

	def shot(self, name: str) -> Path:
		"""Save a screenshot of the current page as <nn>_<name>.png."""
		self.step += 1
		path = self.folder / f"{self.step:02d}_{name}.png"
		self.driver.save_screenshot(str(path))
		self.timeline.append((round(time.monotonic() - self.started, 1), path.name))
		return path

	def write_timeline(self) -> None:
		"""timeline.txt: seconds since the browser started, per screenshot (where a journey spends time)."""
		(self.folder / "timeline.txt").write_text(
			"".join(f"{t:7.1f}s  {name}\n" for t, name in self.timeline)
		)

	def console_log(self) -> list[dict]:
		try:
			return self.driver.get_log("browser")
		except WebDriverException:
			return []

	def save_failure(self) -> None:
		"""Screenshot, browser console log and page HTML of a failed journey, next to its screenshots."""
		try:
			self.driver.save_screenshot(str(self.folder / f"{self.step + 1:02d}_FAILED.png"))
			(self.folder / "page.html").write_text(self.driver.page_source)
		except WebDriverException:
			pass
		(self.folder / "console.log").write_text(
			"\n".join(json.dumps(entry, ensure_ascii=False) for entry in self.console_log())
		)


class Desk(Browser):
	"""A Browser that knows frappe's desk (/app): login, forms, fields, grids, buttons, workflow."""

	# the desk is idle: assets loaded, no freeze overlay, no request in flight
	IDLE = """
		return !!(document.readyState === 'complete' && window.frappe && frappe.dom && frappe.request
			&& !frappe.dom.freeze_count && !frappe.request.ajax_count
			&& !document.querySelector('#freeze.in, .freeze-message-container:not(.hide)'));
	"""

	def login(self, user: str, password: str) -> None:
		"""Log in through the login page and wait for the desk."""
		self.driver.delete_all_cookies()
		self.get("/login")
		email = self.visible("#login_email")
		email.clear()
		email.send_keys(user)
		password_input = self.visible("#login_password")
		password_input.clear()
		password_input.send_keys(password)
		self.shot("login")
		self.click(self.visible(".page-card .btn-login[type=submit]"))
		self.until(lambda d: "/app" in d.current_url, message="the login did not lead to the desk")
		self.until(
			lambda d: (
				d.execute_script("return window.frappe && frappe.session && frappe.session.user") == user
			),
			message=f"desk session of {user}",
		)
		self.idle()

	def idle(self, timeout: float = TIMEOUT) -> None:
		self.until(lambda d: d.execute_script(self.IDLE), timeout, "the desk stayed busy")

	# forms

	def open_form(self, doctype: str, name: str | None = None) -> None:
		"""Go to /app/<doctype>/<name> (a new form without a name) and wait for it."""
		slug = doctype.lower().replace(" ", "-")
		self.get(f"/app/{slug}/{quote(name) if name else 'new'}")
		self.wait_form(doctype, name)

	def wait_form(self, doctype: str, name: str | None = None, timeout: float = TIMEOUT) -> None:
		"""Wait until the current form is `doctype` (and `name`, if given), shown, loaded and idle."""
		script = """
			const [doctype, name] = arguments;
			const frm = window.cur_frm;
			return !!(frm && frm.doctype === doctype && frm.doc && frm.doc.doctype === doctype
				&& (!name || frm.doc.name === name) && frm.page && $(frm.page.wrapper).is(':visible')
				&& frappe.get_route()[0] === 'Form' && frappe.get_route()[1] === doctype
				&& (!name || frappe.get_route()[2] === name));
		"""
		self.until(lambda d: d.execute_script(script, doctype, name), timeout, f"form {doctype} {name or ''}")
		self.idle(timeout)

	def tab(self, fieldname: str) -> None:
		"""Click a tab of the current form (its Tab Break's fieldname)."""
		link = self.until(
			lambda d: d.execute_script(
				'return $(cur_frm.page.wrapper).find(`.form-tabs .nav-link[data-fieldname="${arguments[0]}"]`)'
				".filter(':visible').get(0)",
				fieldname,
			),
			message=f"no tab {fieldname}",
		)
		self.click(link)
		# the pane fades in (bootstrap): wait until it is fully shown, or screenshots catch it blank
		self.until(
			lambda d: d.execute_script(
				"const link = arguments[0]; const pane = document.querySelector(link.getAttribute('href'));"
				" return link.classList.contains('active') && pane && pane.classList.contains('active')"
				" && getComputedStyle(pane).opacity === '1';",
				link,
			),
			message=f"tab {fieldname} not shown",
		)

	def form_message(self) -> str:
		"""The coloured message above the form (frm.set_intro / dashboard.set_headline)."""
		return self.js(
			"return $(cur_frm.page.wrapper).find('.form-message').filter(':visible').text().trim()"
		)

	def doc(self) -> dict:
		"""The current form's document as the browser has it (a read, to assert on)."""
		return self.js("return JSON.parse(JSON.stringify(cur_frm.doc))")

	def control(self, fieldname: str) -> WebElement:
		"""The input (input / select / textarea / editor) of a field of the current form."""
		element = self.js(
			"""
			const field = cur_frm.fields_dict[arguments[0]];
			if (!field) return null;
			if (field.quill) return field.quill.root;  // Text Editor
			return field.$input ? field.$input.get(0) : null;
			""",
			fieldname,
		)
		assert element is not None, f"{fieldname} has no input on this form"
		return element

	def fieldtype(self, fieldname: str) -> str:
		return self.js("return cur_frm.fields_dict[arguments[0]].df.fieldtype", fieldname)

	def fill(self, fieldname: str, value: str) -> None:
		"""Enter `value` into a field of the current form as a user would, by its type."""
		fieldtype = self.fieldtype(fieldname)
		for attempt in range(3):
			try:
				self._enter(self.control(fieldname), fieldtype, value)
				break
			except StaleElementReferenceException:
				# the form re-rendered the control under us (a refresh after load): find it again
				if attempt == 2:
					raise
				self.idle()
		self.until(
			lambda d: self._stored(fieldname) is not None,
			message=f"{fieldname} did not take {value!r}",
		)
		self.idle()

	def _stored(self, fieldname: str, row: tuple[str, int] | None = None):
		if row:
			return self.js(
				"const r = cur_frm.doc[arguments[0]][arguments[1] - 1]; const v = r && r[arguments[2]];"
				" return (v === undefined || v === null || v === '') ? null : v;",
				row[0],
				row[1],
				fieldname,
			)
		return self.js(
			"const v = cur_frm.doc[arguments[0]]; return (v === undefined || v === null || v === '') ? null : v;",
			fieldname,
		)

	def _enter(self, element: WebElement, fieldtype: str, value: str) -> None:
		if fieldtype == "Select":
			# keyboard on the closed list, as a user tabbing through a form does (a click would leave the
			# native option popup open in screenshots)
			# `value` is the option's value or its label
			self.js("arguments[0].focus()", element)
			element.send_keys(value)
			chosen = Select(element).first_selected_option
			if value not in (chosen.get_attribute("value"), chosen.text.strip()):
				options = Select(element).options
				option = next(o for o in options if value in (o.get_attribute("value"), o.text.strip()))
				Select(element).select_by_value(option.get_attribute("value"))
			self.js("arguments[0].blur()", element)
			return
		self.click(element)
		if fieldtype == "Text Editor":
			element.send_keys(value)
			return
		element.send_keys(Keys.CONTROL, "a")
		element.send_keys(Keys.DELETE)
		element.send_keys(value)
		if fieldtype in ("Link", "Dynamic Link"):
			self._pick_link(element, value)
			return
		if fieldtype in ("Date", "Datetime"):
			element.send_keys(Keys.ESCAPE)  # close the date picker; the typed date stands
		# leave the field so frappe parses and stores the value (its change event). Not with Tab: Tab into a
		# table adds and opens a row, and Tab on a grid row's last column adds a row (layout.js handle_tab)
		self.js("arguments[0].blur()", element)

	def _pick_link(self, element: WebElement, value: str) -> None:
		"""Wait for the link field's dropdown (awesomplete) to offer `value` and click that entry."""

		def entry(driver):
			items = driver.execute_script(
				"""
				const list = arguments[0].parentElement.querySelector('ul[role=listbox]');
				return list && !list.hasAttribute('hidden') ? Array.from(list.querySelectorAll('[role=option]')) : [];
				""",
				element,
			)
			for item in items:
				# an entry shows the record's title in bold and, when it differs, its name below
				if item.find_elements(By.CSS_SELECTOR, ".link-option") or not item.is_displayed():
					continue  # "Create a new ...", "Advanced Search"
				lines = [line.strip() for line in item.text.splitlines()]
				if value in lines or value in " ".join(lines):
					return item
			return None

		self.click(self.until(entry, message=f"the dropdown did not offer {value!r}"))

	# grids (child tables)

	def add_row(self, table: str) -> int:
		"""Click the table's "Add Row" and return the new row's number (idx)."""
		before = self.js("return (cur_frm.doc[arguments[0]] || []).length", table)
		button = self.js(
			"return cur_frm.fields_dict[arguments[0]].grid.wrapper.find('.grid-add-row').get(0)", table
		)
		self.click(button)
		self.until(
			lambda d: (
				d.execute_script("return (cur_frm.doc[arguments[0]] || []).length", table) == before + 1
			),
			message=f"no row added to {table}",
		)
		return before + 1

	def fill_row(self, table: str, idx: int, values: dict[str, str]) -> None:
		"""Type `values` into row `idx` of a grid, editing in the row as users do."""
		for fieldname, value in values.items():
			# click the cell: frappe turns the row into inputs (grid_row.js toggle_editable_row)
			cell = self.js(
				"""
				const row = cur_frm.fields_dict[arguments[0]].grid.grid_rows[arguments[1] - 1];
				return row.row.find(`.grid-static-col[data-fieldname="${arguments[2]}"]`).get(0);
				""",
				table,
				idx,
				fieldname,
			)
			assert cell is not None, f"{table} shows no column {fieldname}"
			self.click(cell)
			control = self.until(
				lambda d: d.execute_script(
					"""
					const row = cur_frm.fields_dict[arguments[0]].grid.grid_rows[arguments[1] - 1];
					const col = row.columns[arguments[2]];
					const input = col && col.field && col.field.$input && col.field.$input.get(0);
					return input && $(input).is(':visible') ? input : null;
					""",
					table,
					idx,
					fieldname,
				),
				message=f"{table} row {idx}: no input for {fieldname}",
			)
			fieldtype = self.js(
				"return frappe.meta.get_docfield(cur_frm.fields_dict[arguments[0]].grid.doctype, arguments[1])"
				".fieldtype",
				table,
				fieldname,
			)
			self._enter(control, fieldtype, value)
			if os.environ.get("BRM_E2E_DEBUG"):
				self.shot(f"debug_{table}_{idx}_{fieldname}")
			self.until(
				lambda d: self._stored(fieldname, (table, idx)) is not None,
				message=f"{table} row {idx}: {fieldname} did not take {value!r}",
			)
		self.idle()

	# buttons, dialogs, workflow

	def save(self) -> None:
		"""Click the form's primary button (Save) and wait until the document is stored."""
		self.click(self.js("return cur_frm.page.btn_primary.get(0)"))
		self.until(
			lambda d: d.execute_script(
				"return !!(cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty() && !cur_frm.save_disabled)"
			),
			message="the form was not saved",
		)
		self.idle()

	def button(self, label: str, group: str | None = None) -> WebElement:
		"""A custom button of the current form (frm.add_custom_button), opening its group first."""
		if group:
			self.click(
				self.until(
					lambda d: d.execute_script(
						'return cur_frm.page.inner_toolbar.find(`.inner-group-button[data-label="${arguments[0]}"]'
						" > button`).filter(':visible').get(0)",
						quote(group),
					),
					message=f"no button group {group!r}",
				)
			)
			selector = f'.inner-group-button .dropdown-item[data-label="{quote(label)}"]'
		else:
			selector = f'button[data-label="{quote(label)}"]'
		return self.until(
			lambda d: d.execute_script(
				"return cur_frm.page.inner_toolbar.find(arguments[0]).filter(':visible').get(0)", selector
			),
			message=f"no button {label!r}",
		)

	def has_button(self, label: str) -> bool:
		return bool(
			self.js(
				"return cur_frm.page.inner_toolbar.find(arguments[0]).filter(':visible').length",
				f'button[data-label="{quote(label)}"]',
			)
		)

	def click_button(self, label: str, group: str | None = None) -> None:
		self.click(self.button(label, group))

	def workflow_actions(self) -> list[str]:
		"""The actions the "Actions" menu offers on the current form (its entries' labels)."""
		return self.js(
			"return cur_frm.page.actions.find('.dropdown-item .menu-item-label')"
			".map(function () { return $(this).text().trim(); }).get()"
		)

	def workflow_action(self, action: str) -> None:
		"""Open the form's "Actions" menu and click `action`."""
		toggle = self.until(
			lambda d: d.execute_script(
				"return cur_frm.page.actions_btn_group.filter(':visible').find('> button').get(0)"
			),
			message="no Actions menu",
		)
		self.click(toggle)
		item = self.until(
			lambda d: d.execute_script(
				"const label = arguments[0]; return cur_frm.page.actions.find('.dropdown-item')"
				".filter(function () { return $(this).find('.menu-item-label').text().trim() === label; })"
				".filter(':visible').get(0)",
				action,
			),
			message=f"the Actions menu has no {action!r}",
		)
		self.click(item)

	def dialog(self) -> WebElement:
		return self.visible(".modal.show .modal-dialog")

	def dialog_fill(self, fieldname: str, value: str) -> None:
		"""Fill a field of the open dialog (frappe.ui.Dialog) by typing / choosing."""
		dialog = self.dialog()
		element = dialog.find_element(
			By.CSS_SELECTOR,
			f'.frappe-control[data-fieldname="{fieldname}"] :is(input, select, textarea, .ql-editor)',
		)
		fieldtype = dialog.find_element(
			By.CSS_SELECTOR, f'.frappe-control[data-fieldname="{fieldname}"]'
		).get_attribute("data-fieldtype")
		self._enter(element, fieldtype, value)

	def dialog_primary(self) -> None:
		self.click(self.dialog().find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary"))
		self.until(
			lambda d: not any(el.is_displayed() for el in d.find_elements(By.CSS_SELECTOR, ".modal.show")),
			message="the dialog stayed open",
		)
		self.idle()

	def alert_text(self) -> str:
		"""Text of frappe's message dialog (msgprint), if one is open."""
		return self.js("return $('.modal.show .msgprint').text() || ''")

	def reload_form(self, doctype: str, name: str) -> None:
		self.driver.refresh()
		self.wait_form(doctype, name)


def tap_answer(question: WebElement, value: str) -> None:
	"""On the public survey page, tap the answer whose value is `value` in a question's fieldset."""
	for label in question.find_elements(By.CSS_SELECTOR, ".brm-scale label"):
		if label.find_element(By.TAG_NAME, "input").get_attribute("value") == value:
			label.click()
			return
	raise AssertionError(f"no answer {value!r}")


def wait_for_condition(check, timeout: float = TIMEOUT, what: str = "condition"):
	"""Poll `check()` (e.g. a database read) until it is truthy; returns its value."""
	deadline = time.monotonic() + timeout
	while True:
		value = check()
		if value:
			return value
		if time.monotonic() > deadline:
			raise TimeoutException(f"{what} not met within {timeout} s")
		time.sleep(0.25)
