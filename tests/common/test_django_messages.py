"""Django's own form messages in the house's wording (locale/zh_Hans/LC_MESSAGES/django.po):
its catalogue mixes tones and stops ("确认总共不超过 4 个数字." ends in an English stop,
"确保该变量…" calls a field a variable, "Email 地址"). A user meets them on every form."""
import ast
import re
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, msgid_plural, msgstr) of the catalogue, from its quoted lines."""
    entries, current, key = [], {}, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgid_plural"),
                                current.get("msgstr") or current.get("msgstr[0]")))
            current, key = {}, None
            continue
        match = re.match(r'^(msgid|msgid_plural|msgstr|msgstr\[0\]) (".*")$', line)
        if match:
            key = match.group(1)
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
    return entries


class Everything(forms.Form):
    name = forms.CharField(label="姓名", max_length=3)
    fee = forms.DecimalField(label="费用", max_digits=4, decimal_places=1)
    hours = forms.IntegerField(label="学时", max_value=5)
    on = forms.DateField(label="日期")
    email = forms.EmailField(label="邮箱")
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲")])
    scan = forms.FileField(label="扫描件")


def _errors(data):
    with translation.override(settings.LANGUAGE_CODE):
        form = Everything(data=data, files={})
        form.is_valid()
        return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def test_the_compiled_catalogue_says_what_the_source_says():
    """The committed .mo is compiled from the .po as it stands (msgfmt after every edit)."""
    entries = _entries()
    assert len(entries) > 25
    with translation.override(settings.LANGUAGE_CODE):
        for msgid, plural, msgstr in entries:
            said = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
            assert said == msgstr, msgid


def test_a_form_with_every_kind_of_mistake_reads_in_the_house_wording():
    errors = _errors({"name": "张三丰啊", "fee": "12345.67", "hours": "9", "on": "2026-13-01",
                      "email": "abc", "kind": "z"})
    assert errors["name"] == ["最多3个字（现为4个）。"]
    assert errors["fee"] == ["数字总共不能超过4位。"]
    assert errors["hours"] == ["不能大于5。"]
    assert errors["on"] == ["请按“年-月-日”填写有效的日期，如 2026-03-01。"]
    assert errors["email"] == ["请填写有效的电子邮箱地址。"]
    assert errors["kind"] == ["“z”不在可选范围内，请重新选择。"]
    assert errors["scan"] == ["此项必填。"]
    assert _errors({})["name"] == ["此项必填。"]


@pytest.mark.parametrize("data", [
    {"name": "张三丰啊", "fee": "12345.67", "hours": "9", "on": "x", "email": "a", "kind": "z"},
    {"name": "", "fee": "1.25", "hours": "1.5", "on": str(date.today()), "email": "a@b"},
    {"fee": "abc", "hours": "x"},
])
def test_no_message_keeps_djangos_wording(data):
    for field, messages in _errors(data).items():
        for message in messages:
            assert message.endswith("。"), (field, message)
            for wrong in ("变量", "Email", "你", "输入一个", "确保", "确认", "必填项", "."):
                assert wrong not in message.rstrip("。"), (field, message)
