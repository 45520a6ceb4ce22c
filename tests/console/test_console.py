"""The console in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven by Selenium, against `authctl serve --demo-accounts` (started by scripts/test-console.sh).

Usage: test_console.py BASE_URL OTHER_ORIGIN_URL SCREENSHOT_DIR
(OTHER_ORIGIN_URL serves attack.html, a page of another site that posts a form to the console.)

The flows: sign in; create a named token with an IP rule; copy it and use it with curl; see its
"last used" change; revoke it in the page and see curl get 401; get a static token; a bad TTL or
IP shows the library's message; a reseller creates and revokes a sub-account's token; a form
posted from another origin is refused; signing out ends the session. A screenshot of each page
goes to SCREENSHOT_DIR. Exit 1 when any check fails.
"""

import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, other, shots = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(shots, exist_ok=True)
failures, checks = [], 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    print(f"  {'ok' if ok else 'FAIL'}  {name}" + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        failures.append(name)


def curl_status(token, path="/a/auth"):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {token}",
                          f"{base}{path}"], capture_output=True, text=True, timeout=10)
    return out.stdout


options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
            "--no-first-run", "--disable-extensions"]:
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(20)
n = 0


def shot(name):
    global n
    n += 1
    driver.save_screenshot(os.path.join(shots, f"{n:02d}-{name}.png"))


def _gone(element):
    try:
        element.is_enabled()
        return False
    except WebDriverException:  # StaleElementReferenceException included
        return True


def submit(element):
    """Clicks a submit button and waits for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    # While the old page is torn down, Chromium may answer "Node ... does not belong to the
    # document" (a WebDriverException) instead of a stale reference: both mean it is gone.
    WebDriverWait(driver, 15, ignored_exceptions=()).until(lambda d: _gone(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def text(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def sign_in(kind, account, password):
    driver.get(f"{base}/console/")
    driver.find_element(By.CSS_SELECTOR, f"input[name=kind][value={kind}]").click()
    driver.find_element(By.ID, "account").send_keys(account)
    driver.find_element(By.ID, "password").send_keys(password)
    shot(f"sign-in-{kind}")
    submit(driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def create(name, ttl="", ips=""):
    driver.find_element(By.ID, "name").send_keys(name)
    if ttl:
        driver.find_element(By.ID, "ttl").send_keys(ttl)
    if ips:
        driver.find_element(By.ID, "allowed_ips").send_keys(ips)
    submit(driver.find_element(By.ID, "create"))


def row_of(token_id):
    return driver.find_element(By.ID, f"token-{token_id}")


try:
    # Sign in.
    sign_in("user", "user@example.com", "your_password")
    check("sign in: the token page", driver.current_url == f"{base}/console/" and "Your tokens" in driver.title,
          driver.current_url)
    shot("tokens")

    # A named token with an IP rule; copy; curl.
    create("CI from localhost", ttl="1h", ips="127.0.0.1")
    token = driver.find_element(By.ID, "new-token").get_attribute("value")
    token_id = text("#new-token-id")
    check("the new token is shown once", token.count(".") == 2 and len(token) > 100, token[:40])
    shot("token-created")
    driver.find_element(By.ID, "copy-token").click()
    time.sleep(0.3)
    check("the copy button copies", text("#copy-token") == "Copied", text("#copy-token"))
    check("curl with the copied token: 204", curl_status(token) == "204")
    check("the row lists the IP rule", "127.0.0.1" in row_of(token_id).text, row_of(token_id).text)
    check("the token's text is not in the list", token not in driver.find_element(By.ID, "tokens").text)
    driver.get(f"{base}/console/")
    check("a reload does not show the token again", not driver.find_elements(By.ID, "new-token"))

    # Last used changes (written every second by this service).
    before = row_of(token_id).find_element(By.CSS_SELECTOR, ".last-used").text
    curl_status(token)
    used = ""
    for _ in range(30):
        time.sleep(0.3)
        driver.refresh()
        used = row_of(token_id).find_element(By.CSS_SELECTOR, ".last-used").text
        if used != "never" and "127.0.0.1" in used:
            break
    check("last used appears with the client address", before == "never" and "127.0.0.1" in used, f"{before!r} -> {used!r}")
    shot("last-used")

    # Revoke in the page; curl gets 401.
    submit(row_of(token_id).find_element(By.CSS_SELECTOR, "button.danger"))
    check("revoked in the page", row_of(token_id).find_element(By.CSS_SELECTOR, ".state").text == "revoked")
    check("curl after the revocation: 401", curl_status(token) == "401")
    shot("revoked")

    # A static token.
    submit(driver.find_element(By.ID, "get-static"))
    static = driver.find_element(By.ID, "new-token").get_attribute("value")
    static_id = text("#new-token-id")
    check("a static token works", curl_status(static) == "204")
    check("listed as static, never expiring",
          "static" in row_of(static_id).text and "never" in row_of(static_id).text, row_of(static_id).text)
    shot("static-token")

    # The library's messages next to the fields.
    create("bad", ttl="banana", ips="10.0.0.1/40")
    check("a bad TTL shows the library's message", "ttl must be" in text("#ttl-error"))
    check("a bad IP rule shows the library's message", "invalid IP rule" in text("#ips-error"))
    shot("field-errors")

    # A form posted from another origin is refused, and creates nothing.
    rows_before = len(driver.find_elements(By.CSS_SELECTOR, "#tokens tbody tr"))
    driver.get(f"{other}/attack.html")
    WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith(base))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("a cross-origin form is refused", "Refused" in body or "Signed out" in body, body[:200])
    shot("cross-origin-refused")
    driver.get(f"{base}/console/")
    check("it created nothing", len(driver.find_elements(By.CSS_SELECTOR, "#tokens tbody tr")) == rows_before)

    # Sign out ends the session.
    submit(driver.find_element(By.ID, "sign-out"))
    check("signed out: the sign-in page", driver.current_url.endswith("/console/login"), driver.current_url)
    driver.get(f"{base}/console/")
    check("and the console asks to sign in again", driver.current_url.endswith("/console/login"))

    # A reseller manages a sub-account's tokens.
    sign_in("reseller", "reseller_name", "your_password")
    check("the reseller lists its sub-accounts", "12542" in text("#sub-accounts"))
    submit(driver.find_element(By.CSS_SELECTOR, "#sub-accounts a[href='/console/accounts/12542']"))
    shot("sub-account")
    create("sub-account CI", ttl="2h")
    sub_token = driver.find_element(By.ID, "new-token").get_attribute("value")
    sub_id = text("#new-token-id")
    check("the sub-account's token works", curl_status(sub_token) == "204")
    check("the token is the sub-account's", "Tokens of" in driver.find_element(By.TAG_NAME, "h1").text)
    submit(row_of(sub_id).find_element(By.CSS_SELECTOR, "button.danger"))
    check("back on the sub-account's page after revoking", driver.current_url.endswith("/console/accounts/12542"))
    check("the reseller revoked it", curl_status(sub_token) == "401")
    shot("sub-account-revoked")

    # Phone-sized: the page still lays out (no horizontal overflow).
    driver.set_window_size(390, 844)
    driver.get(f"{base}/console/")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check("readable on a phone (no sideways scrolling)", width <= 400, str(width))
    shot("phone")
finally:
    driver.quit()

print(f"console: {checks} checks, {len(failures)} failed")
sys.exit(1 if failures else 0)
