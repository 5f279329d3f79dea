"""Every message read once: no doubled stops or composed doubled words, no package names."""
import ast
import re
from pathlib import Path

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
