"""A person's path through the web interface, in a real browser: search with the range control and
the element picker, see the highlights, open a record, curate it, see the change; the property
plots draw; hostile document text renders as text; the keyboard works. Order matters (one session)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("selenium", "pip install -e '.[test]'")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.api.server import API_KEY


def wait(browser, seconds: float = 30) -> WebDriverWait:
    return WebDriverWait(browser, seconds)


def no_js_errors(browser) -> None:
    assert browser.execute_script("return window.__xss === undefined"), "document text ran as a script"


def test_search_with_range_and_picker_highlights(browser, site, shot):
    browser.get(site + "/")
    Select(browser.find_element(By.ID, "property")).select_by_value("band_gap")
    wait(browser).until(lambda b: len(Select(b.find_element(By.ID, "unit")).options) > 2)  # units of the property
    assert "meV" in [o.text for o in Select(browser.find_element(By.ID, "unit")).options]
    browser.find_element(By.ID, "min").send_keys("1000")
    browser.find_element(By.ID, "max").send_keys("2000")
    Select(browser.find_element(By.ID, "unit")).select_by_visible_text("meV")
    browser.find_element(By.CSS_SELECTOR, ".picker-toggle").click()
    browser.find_element(By.CSS_SELECTOR, "#picker button[data-el='Ti']").click()
    browser.find_element(By.CSS_SELECTOR, "#picker button[data-el='O']").click()
    assert browser.find_element(By.ID, "elements").get_attribute("value") == "Ti,O"
    browser.find_element(By.CSS_SELECTOR, "#picker button[data-el='Pb']").click()
    browser.find_element(By.CSS_SELECTOR, "#picker button[data-el='Pb']").click()  # twice: excluded
    assert browser.find_element(By.ID, "exclude").get_attribute("value") == "Pb"
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".hits .hit")))
    assert "unit=meV" in browser.current_url and "exclude=Pb" in browser.current_url
    hits = browser.find_elements(By.CSS_SELECTOR, ".hits .hit")
    materials = {h.find_element(By.CSS_SELECTOR, "mark.material").text for h in hits}
    assert {"CoTiO3", "FeTiO3", "Fe2TiO5"} <= materials
    for hit in hits:
        value = hit.find_element(By.CSS_SELECTOR, "mark.value").text
        shown = hit.find_element(By.CSS_SELECTOR, "a.value").text  # e.g. "1.95 eV", "1.8–2.1 eV"
        assert value and value.split()[0].split("–")[0].split("-")[0] in shown.replace("–", " ")
    facets = browser.find_element(By.CSS_SELECTOR, ".facets").text.lower()  # headings are upper-cased by CSS
    assert "elements" in facets and "\nti\n" in facets
    shot("search")


def test_open_record_curate_and_see_the_change(browser, site, shot):
    browser.get(site + "/?property=band_gap&formula=CoTiO3")
    link = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".hit a.value")))
    assert link.text.startswith("1.95")
    link.click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.record")))
    assert browser.find_element(By.CSS_SELECTOR, ".context mark.material").text == "CoTiO3"
    assert browser.find_element(By.CSS_SELECTOR, ".context mark.value").text.startswith("1.95")
    paper = browser.find_element(By.CSS_SELECTOR, ".paper").text
    assert "2019" in paper and "ilmenite" in paper.lower()
    shot("record")

    browser.find_element(By.ID, "reviewer").send_keys("Ana Curator")
    browser.find_element(By.ID, "api_key").send_keys(API_KEY)
    browser.find_element(By.ID, "edit-value").send_keys("2.05")
    browser.find_element(By.CSS_SELECTOR, "input[name=comment]").send_keys("re-fitted Tauc plot")
    browser.find_element(By.ID, "edit").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".saved")))
    assert "edit" in browser.find_element(By.CSS_SELECTOR, ".saved").text
    assert browser.find_element(By.CSS_SELECTOR, "h1 .value").text.startswith("2.05")
    assert browser.find_element(By.CSS_SELECTOR, "h1 .status").text == "edited"
    trail = browser.find_element(By.CSS_SELECTOR, ".history").text
    assert "Ana Curator" in trail and "re-fitted Tauc plot" in trail
    assert "1.95" in browser.find_element(By.CSS_SELECTOR, ".original").text  # the original is kept
    shot("record-curated")

    browser.find_element(By.ID, "reviewer").clear()
    browser.find_element(By.ID, "reviewer").send_keys("Ben")
    browser.find_element(By.ID, "api_key").send_keys("wrong key")
    browser.find_element(By.ID, "accept").click()
    assert wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".problem"))).text == "wrong API key"

    browser.get(site + "/?property=band_gap&formula=CoTiO3")
    hit = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".hit")))
    assert hit.find_element(By.CSS_SELECTOR, "a.value").text.startswith("2.05")
    assert hit.find_element(By.CSS_SELECTOR, ".status").text == "edited"
    shot("search-after-curation")


def test_export_link_downloads_the_curated_records(browser, site, downloads):
    """After the edit above: the search page's CSV link downloads the hits, as curated, with their paper."""
    browser.get(site + "/?property=band_gap&elements=Ti")
    total = int(wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".total strong"))).text)
    browser.find_element(By.ID, "export-csv").click()
    target = downloads / "records.csv"
    wait(browser, 60).until(lambda b: target.exists() and target.stat().st_size > 0
                            and not list(downloads.glob("*.crdownload")))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == total > 3
    assert {r["property"] for r in rows} == {"band_gap"} and all("Ti" in r["elements"] for r in rows)
    cotio3 = [r for r in rows if r["formula"] == "CoTiO3"]
    assert len(cotio3) == 1 and float(cotio3[0]["value"]) == 2.05, "the export carries the curated value"
    assert cotio3[0]["doc_year"] == "2019" and "ilmenite" in cotio3[0]["doc_title"].lower()


def test_hostile_document_renders_as_text(browser, site, shot):
    browser.get(site + "/?q=onerror")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".hit")))
    text = browser.find_element(By.CSS_SELECTOR, ".hits").text
    assert '" onerror="window.__xss=6"' in text
    no_js_errors(browser)
    shot("xss-search")
    browser.get(site + "/?q=script+window")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".hit")))
    assert "<script>window.__xss=5</script>" in browser.find_element(By.CSS_SELECTOR, ".hits").text
    browser.find_element(By.CSS_SELECTOR, ".hit .source a").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "h1")))
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("Hostile <script>window.__xss = 1</script>")
    assert '<img src=x onerror="window.__xss=3">' in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
    scripts = browser.find_elements(By.CSS_SELECTOR, "script")
    assert all(s.get_attribute("src") for s in scripts), "only the package's own script files"
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    no_js_errors(browser)
    shot("xss-document")


def test_property_page_plots(browser, site, shot):
    browser.get(site + "/properties/band_gap?in=meV")
    wait(browser, 60).until(lambda b: b.find_element(By.ID, "by-year").get_attribute("data-drawn") == "true")
    for plot in ("histogram", "by-year"):
        svg = browser.find_element(By.CSS_SELECTOR, f"#{plot} svg")
        assert svg.size["width"] > 200 and svg.find_elements(By.CSS_SELECTOR, "path, rect")
    assert "meV" in browser.find_element(By.ID, "histogram").text
    assert "values plotted" in browser.find_element(By.CSS_SELECTOR, ".plot-status").text
    shot("property")
    browser.get(site + "/properties")
    assert "band gap" in browser.find_element(By.CSS_SELECTOR, "table.properties").text
    shot("properties")


def test_material_document_queue_stats_pages(browser, site, shot):
    browser.get(site + "/materials/TiO2")
    tables = browser.find_elements(By.CSS_SELECTOR, "table.consensus")
    assert len(tables) >= 2 and "band gap" in tables[0].text
    shot("material")
    browser.get(site + "/documents")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.documents tbody tr")
    assert len(rows) == 15
    shot("documents")
    rows[0].find_element(By.CSS_SELECTOR, "a").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "dl.meta")))
    shot("document")
    browser.get(site + "/review")
    items = browser.find_elements(By.CSS_SELECTOR, ".hits .hit")
    assert len(items) >= 10
    shot("review-queue")
    browser.get(site + "/stats")
    assert "records" in browser.find_element(By.TAG_NAME, "table").text
    shot("stats")


def test_keyboard(browser, site):
    browser.get(site + "/?property=band_gap")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".hit")))
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    browser.execute_script("document.activeElement.blur()")
    body.send_keys("j")
    body.send_keys("j")
    selected = browser.find_elements(By.CSS_SELECTOR, ".hit.selected")
    assert len(selected) == 1 and selected[0] == browser.find_elements(By.CSS_SELECTOR, ".hit")[1]
    href = selected[0].get_attribute("data-href")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda b: b.current_url.endswith(href))
