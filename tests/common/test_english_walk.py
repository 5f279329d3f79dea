"""No English in what a user reads: every GET page of the URL registry, as each role allowed to
open it, with its visible text scanned for English words."""
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.url_registry import ROUTES

# What the house writes in Latin letters on purpose: file formats, codes and names of things.
ALLOWED = {"PDF", "Excel", "xlsx", "xls", "csv", "CSV", "ID", "TOTP", "QR", "MB", "KB",
           "Ctrl", "Microsoft", "Authenticator", "Google"}
WORD = re.compile(r"\b[A-Za-z][a-z]{2,}(?:\s+[A-Za-z][a-z]+)*\b")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|code|kbd|pre)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def english(text: str, exempt=()) -> list[str]:
    words = set()
    for match in WORD.finditer(text):
        for word in match.group().split():
            if word not in ALLOWED and word not in exempt and not any(c.isdigit() for c in word):
                words.add(match.group())
                break
    return sorted(words)


def test_the_scan_would_catch_them():
    assert english(visible_text("<p>This field is required.</p><p>请上传 PDF 文件</p>")) == \
        ["This field is required"]
    assert english(visible_text("<script>var ok = true;</script><p>Excel 导出</p>")) == []


@pytest.mark.django_db
def test_no_page_shows_english_words(world, client):
    # Usernames and other data of the test world are the users' own, not the app's wording.
    exempt = {u.username for u in world.by_role.values()} | {"unit", "city", "agency"}
    found = []
    for name, cases in sorted(ROUTES.items()):
        for case in cases:
            if case.method != "get" or case.ok != 200:
                continue
            url = reverse(name, kwargs=case.own(world) if case.own else None)
            for role, user in world.by_role.items():
                if role not in case.roles or role in case.denied_own | case.hidden_own:
                    continue
                client.force_login(user)
                response = client.get(url)
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                words = english(visible_text(response.content.decode()), exempt)
                if words:
                    found.append(f"{role} {url}: {words}")
    assert not found, "\n".join(found)
