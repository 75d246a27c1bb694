"""Stacked Vietnamese accents (ắ, ề, ộ, ữ) are drawn by one real font, never as tofu boxes.

Two checks, because neither alone is enough: chromium reports which installed font drew each
node (CSS.getPlatformFontsForNode), so a title patched together from two fonts (accents that
sit at different heights) is caught; but when no font has a glyph it still names the first
font, which then draws its "missing glyph" box. So every non-ASCII letter on the page is also
drawn on a canvas and compared with that box. The screenshots (e2e-diacritics-*.png) are for
a person to judge the accents' placement.
"""

import pytest
from playwright.sync_api import Page, expect

from .conftest import CERTIFIED_COPY, LAND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_FONTS = {"Noto Sans", "DejaVu Sans", "Liberation Sans", "Roboto", "Arial"}  # site.css


def fonts_drawing(page: Page, selector: str) -> list[dict]:
    """[{familyName, glyphCount, ...}] of the fonts chromium used for each matching node."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        return [
            cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            for node_id in node_ids["nodeIds"]
        ]
    finally:
        cdp.detach()


TOFU_LETTERS_JS = """
(text) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const g = canvas.getContext("2d", {willReadFrequently: true});
  g.font = "32px " + getComputedStyle(document.body).fontFamily;
  g.textBaseline = "top";
  const draw = (ch) => {
    g.clearRect(0, 0, 48, 48);
    g.fillText(ch, 4, 4);
    return g.getImageData(0, 0, 48, 48).data.join();
  };
  const missing = draw("\\uE000");  // private use: no font has it, so this is the box
  const letters = [...new Set(text)].filter((ch) => ch.codePointAt(0) > 127 && ch.trim());
  return letters.filter((ch) => draw(ch) === missing);
}
"""


def tofu_letters(page: Page, text: str) -> list[str]:
    """The letters of `text` that no installed font can draw (they would show as boxes)."""
    return page.evaluate(TOFU_LETTERS_JS, text)


def test_stacked_accents_are_drawn_by_the_site_font(
    live_server, catalog, browser, shoot, artifacts_dir
):
    # A sharp phone screen (3x) so the accents can be judged in the screenshot.
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=3)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/thu-tuc/?q=chung+thuc")
        titles = page.locator(".proc-card .title")
        expect(titles).to_have_count(2)  # chứng thực bản sao (ề), chứng thực chữ ký (ữ)
        page.goto(f"{live_server.url}/thu-tuc/")
        text = page.locator("main").inner_text()
        for letter in "ắềộữ":
            assert letter in text, letter
        assert tofu_letters(page, "\ue001") == ["\ue001"]  # the detector does see boxes
        assert tofu_letters(page, text + page.title()) == []

        per_node = fonts_drawing(page, ".proc-card .title, h1, .header-links a")
        assert per_node, "no text nodes found"
        for fonts in per_node:
            families = {f["familyName"] for f in fonts}
            assert len(families) == 1 and families <= SITE_FONTS, fonts

        land = page.locator(".proc-card", has_text="Đăng ký đất đai")
        land.screenshot(path=str(artifacts_dir / "e2e-diacritics-land-card-360.png"))
        page.locator(".proc-card", has_text="chứng thực chữ ký").screenshot(
            path=str(artifacts_dir / "e2e-diacritics-signature-card-360.png")
        )
        page.goto(f"{live_server.url}/thu-tuc/{catalog[LAND].pk}/")
        shoot(page, "diacritics-land-detail")
        page.goto(f"{live_server.url}/thu-tuc/{catalog[CERTIFIED_COPY].pk}/")
        for fonts in fonts_drawing(page, "h1, h2, .facts dd, .checklist .comp-name"):
            assert {f["familyName"] for f in fonts} <= SITE_FONTS, fonts
        assert tofu_letters(page, page.locator("body").inner_text()) == []
    finally:
        context.close()
