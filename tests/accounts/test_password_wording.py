"""The password pages speak in the house's formal tone: no "你的密码…" from Django's catalogue,
in the help under the field or in the refusal after a post."""
import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.models import User
from tests.conftest import PASSWORD


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_every_password_rule_reads_formally():
    helps = password_validators_help_texts()
    assert helps and not [h for h in helps if "你" in h]
    assert "密码不能是常见密码。" in helps and "密码不能全为数字。" in helps
    user = User(username="zhangsan2026", first_name="张三")
    said = refusals("password123") + refusals("2026011520260115") + \
        refusals("Zhangsan2026", user)
    assert "该密码过于常见，请另设密码。" in said
    assert "密码不能全为数字。" in said
    assert "密码与用户名过于相似，请另设密码。" in said
    assert not [m for m in said if "你" in m or "这个密码" in m]


@pytest.mark.parametrize("posted, expected", [
    ({"old_password": "Wrong-pass-1", "new_password1": "Eigenes-Pass-2028",
      "new_password2": "Eigenes-Pass-2028"}, "原密码不正确，请重新输入。"),
    ({"old_password": PASSWORD, "new_password1": "Eigenes-Pass-2028",
      "new_password2": "Eigenes-Pass-2029"}, "两次输入的新密码不一致。"),
    ({"old_password": PASSWORD, "new_password1": "password123",
      "new_password2": "password123"}, "该密码过于常见，请另设密码。"),
])
def test_the_password_change_page_never_says_you_informally(world, client, posted, expected):
    client.force_login(world.unit_u1)
    url = reverse("accounts:password_change")
    form = client.get(url).content.decode()
    assert "密码不能与用户名、姓名、电子邮箱等个人信息过于相似。" in form and "你" not in form
    page = client.post(url, posted).content.decode()
    assert expected in page and "你" not in page
