"""The HTML print views as Chromium prints them (print media, A4): 附件6 keeps each name on
one line, 附件8's table has its borders. The PDFs are kept in artifacts/print/ to look at."""
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from apps.pipeline.models import Candidacy
from tests.rosters.printing import ARTIFACTS
from tests.subsidies.conftest import departed, standards  # noqa: F401 (fixtures)
from tests.subsidies.test_claims import file_departure

CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"


def _load(page, client, url, name):
    """The page's HTML with its print stylesheet inlined, as Chromium prints it."""
    html = client.get(url).content.decode()
    html = re.sub(r'<link rel="stylesheet"[^>]*print\.css[^>]*>',
                  f"<style>{CSS.read_text(encoding='utf-8')}</style>", html)
    page.set_content(html)
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / f"{name}.pdf"), prefer_css_page_size=True)


def _line_count(page, selector):
    """{cell text: number of printed lines} for the cells matched."""
    return page.eval_on_selector_all(selector, """cells => cells.map(td => {
        const range = document.createRange(); range.selectNodeContents(td);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return [td.textContent.trim(), tops.size]; })""")


def test_form6_print_view_keeps_names_and_id_numbers_on_one_line(world, departed, client, page):
    cls, group = departed
    Candidacy.objects.filter(pk=group[0].pk).update(
        employer="株式会社さくら介護サービス東京都新宿区事業所", contract_term="3年（可续签2年）")
    group[1].person.name = "欧阳娜娜"
    group[1].person.save()
    client.force_login(world.unit_u1)
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    _load(page, client, reverse("rosters:print_form6") + f"?unit={world.u1.pk}", "print_form6")
    names = _line_count(page, "table.roster tbody td:nth-child(2)")
    ids = _line_count(page, "table.roster tbody td:nth-child(3)")
    assert names and all(lines == 1 for _, lines in names), names
    assert ("欧阳娜娜", 1) in [tuple(n) for n in names]
    assert all(lines == 1 for _, lines in ids), ids
    # The table stays inside the page: nothing printed past the right margin.
    overflow = page.evaluate("document.querySelector('table.roster').scrollWidth"
                             " - document.body.clientWidth")
    assert overflow <= 1, overflow


def test_form8_print_view_has_a_border_on_every_cell(world, departed, client, page):
    claim = file_departure(world, departed[0])
    client.force_login(world.unit_u1)
    page.set_viewport_size({"width": 680, "height": 1000})  # A4 less its margins at 96 dpi
    _load(page, client, reverse("subsidies:print_form8", args=[claim.pk]), "print_form8")
    styles = page.eval_on_selector_all("table.form8 th, table.form8 td", """cells => cells.map(
        c => { const s = getComputedStyle(c);
               return [s.borderTopStyle, s.borderLeftStyle, parseFloat(s.borderTopWidth)]; })""")
    assert len(styles) > 40
    assert all(top == left == "solid" and width > 0 for top, left, width in styles), styles[:5]
    overflow = page.evaluate("document.querySelector('table.form8').getBoundingClientRect().right"
                             " - document.body.getBoundingClientRect().right")
    assert overflow <= 1, overflow
    text = page.inner_text("table.form8")
    assert "资金组成说明" in text and "6000.00" in text and "合计：12000.00 元" in text
