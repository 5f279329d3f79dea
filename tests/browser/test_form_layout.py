"""Radios and tick boxes sit right beside their own labels, the way a user reads them."""
import pytest
from django.urls import reverse

from apps.pipeline.models import Stage
from apps.pipeline.services import candidacy_record
from tests.browser.test_pipeline_flow import login

pytestmark = pytest.mark.browser

# How far a choice's text may start from the right edge of its box: the gap a reader expects.
GAP_PX = 12


def choice_boxes(page, selector):
    """(input box, label-text box) for each radio or tick box under selector."""
    return page.eval_on_selector_all(selector, """inputs => inputs.map(input => {
        const label = input.closest('label') || document.querySelector(`label[for="${input.id}"]`);
        const range = document.createRange();
        // The text node of the label itself, not the whole label (which holds the input).
        const text = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
        range.selectNodeContents(text);
        const i = input.getBoundingClientRect(), t = range.getBoundingClientRect();
        return {text: text.textContent.trim(),
                input: {left: i.left, right: i.right, top: i.top, bottom: i.bottom},
                label: {left: t.left, top: t.top, bottom: t.bottom}};
    })""")


def assert_beside(boxes):
    assert boxes
    for box in boxes:
        i, t = box["input"], box["label"]
        gap = t["left"] - i["right"]
        assert 0 <= gap <= GAP_PX, f"“{box['text']}”离它的选框 {gap:.0f}px"
        middle = (i["top"] + i["bottom"]) / 2
        assert t["top"] <= middle <= t["bottom"], f"“{box['text']}”与选框不在同一行"


def test_stage_form_radios_sit_beside_their_labels(world, live_server, page, screenshot):
    login(page, live_server.url, "unit_u1")
    page.goto(live_server.url + reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]))
    screenshot("stage-form-first-interview")
    boxes = choice_boxes(page, "input[type=radio]")
    assert [b["text"] for b in boxes][:2] == ["合格", "不合格"]
    assert_beside(boxes)
    # The group is named for assistive technology: a fieldset whose legend is the label.
    assert page.locator("fieldset:has(input[type=radio]) > legend").inner_text().startswith("结果")


def test_contract_form_tick_box_sits_beside_its_label(world, live_server, page, screenshot):
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        candidacy_record(world.cand_ty, stage=stage, result="pass", on=world.cand_ty.stage_on,
                         actor=world.unit_u1, hospital="山西省人民医院")
    login(page, live_server.url, "agency_a1")
    page.goto(live_server.url + reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]))
    screenshot("stage-form-contract")
    assert_beside(choice_boxes(page, "input[type=radio], input[type=checkbox]"))
