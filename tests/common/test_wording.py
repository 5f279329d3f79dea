"""Every message read once: no doubled stops or composed doubled words, no package names."""
import ast
import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.common.wording import clauses, error_text, sentences

ROOT = Path(__file__).resolve().parents[2]
DOUBLED = re.compile(r"。。|，，|、、|；；|：：|已已|的的")
# A label that already says 已… composed after another 已 ("已{status}" gives 已已终止).
COMPOSED_DONE = re.compile(r"已\{[^}]*get_status_display\(\)\}")
PACKAGES = re.compile(r"chinesecalendar|chinese_calendar|openpyxl|pypinyin|stdnum")


def _python_strings():
    for path in (ROOT / "apps").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Docstrings are for readers of the code, not for users.
        docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if id(node) in docs:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.search(r"[\u4e00-\u9fff]", node.value):
                yield path, node.lineno, node.value
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COMPOSED_DONE.search(line):
                yield path, n, line


def _templates():
    for path in (ROOT / "templates").rglob("*.html"):
        yield path, path.read_text(encoding="utf-8")


def test_no_doubled_stops_or_words_in_messages():
    found = [f"{p.relative_to(ROOT)}:{n}: {s[:60]}" for p, n, s in _python_strings()
             if DOUBLED.search(s) or COMPOSED_DONE.search(s)]
    found += [f"{p.relative_to(ROOT)}: {DOUBLED.search(t).group()}" for p, t in _templates()
              if DOUBLED.search(t)]
    assert not found, "\n".join(found)


def test_no_python_package_named_to_users():
    found = [f"{p.relative_to(ROOT)}:{n}" for p, n, s in _python_strings()
             if PACKAGES.search(s)]
    found += [str(p.relative_to(ROOT)) for p, t in _templates() if PACKAGES.search(t)]
    assert not found, "\n".join(found)


def test_the_scan_would_catch_them():
    assert DOUBLED.search("不能晚于今天。。") and DOUBLED.search("已已终止")
    assert COMPOSED_DONE.search('f"{c.person.name}的报名已{c.get_status_display()}，"')
    assert PACKAGES.search("国务院办公厅节假日安排（chinesecalendar 数据）")


# --- At run time: messages composed from other messages ("{name}：{error}。本次…").
RUNTIME = re.compile(r"。。|，。|。，|！。|。；|；。|，，|、、|；；|已已|的的")


def _visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_composed_messages_keep_one_stop():
    inner = ValidationError(["初试日期不能晚于今天。", "请填写体检医院。"])
    assert error_text(inner, "本次提交未录入任何人，请修改后重新提交。") == \
        "初试日期不能晚于今天；请填写体检医院。本次提交未录入任何人，请修改后重新提交。"
    assert sentences(f"张三：{clauses(inner.messages)}") == "张三：初试日期不能晚于今天；请填写体检医院。"
    assert sentences("确定要删除吗？", "") == "确定要删除吗？"


@pytest.mark.django_db
def test_refusals_of_the_main_forms_read_once(world, client):
    from tests.common.test_batch_forms import applicant
    from tests.common.test_english_walk import english
    exempt = {world.unit_u1.username}
    future = (date.today() + timedelta(days=30)).isoformat()
    late = applicant(world, "李四", "222", applied_on=date(2026, 3, 12))
    posts = {
        world.unit_u1: [
            (reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]),
             {"happened_on": future}),
            (reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]),
             {"result": "pass", "happened_on": "2026-01-01"}),
            (reverse("pipeline:candidacy_withdraw", args=[world.cand_ty.pk]),
             {"happened_on": future}),
            (reverse("pipeline:session_detail", args=[world.session_ty.pk]),
             {f"result-{world.cand_ty.pk}": "pass", f"result-{late.pk}": "fail"}),
            (reverse("registry:person_register"),
             {"name": "王五", "id_number": "140105199901011234", "phone": "123"}),
            (reverse("registry:person_register"), {"name": ""}),
        ],
    }
    found = []
    for user, calls in posts.items():
        client.force_login(user)
        for url, data in calls:
            response = client.post(url, data, follow=True)
            text = _visible_text(response)
            assert "error" in response.content.decode(), f"{url} refused nothing: {data}"
            found += [f"{url}: …{text[max(m.start() - 20, 0):m.end() + 10].strip()}…"
                      for m in RUNTIME.finditer(text)]
            found += [f"{url}: English {words}" for words in [english(text, exempt)] if words]
    assert not found, "\n".join(found)
