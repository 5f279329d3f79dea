from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    """At least three of: lower case, upper case, digits, other characters (SECURITY.md)."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须包含小写字母、大写字母、数字、符号中的至少三类。", code="password_classes")

    def get_help_text(self):
        return "密码须包含小写字母、大写字母、数字、符号中的至少三类。"


class MinimumLengthValidator:
    """Django's rule with a Chinese message: its zh-hans catalogue lacks this one (the message
    became a plural form in Django 5), so the password pages said it in English."""

    def __init__(self, min_length=10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少须{self.min_length}个字符。",
                                  code="password_too_short")

    def get_help_text(self):
        return f"密码至少须{self.min_length}个字符。"



# Django's own rules, in the house's words: its zh-hans catalogue says "你的密码…" and
# "这个密码太常见了。", informal where every other page addresses the user formally.
class _HouseWording:
    message = help_text = ""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            first = error.error_list[0]
            raise ValidationError(self.message.format(**(first.params or {})), code=first.code)

    def get_help_text(self):
        return self.help_text


class UserAttributeSimilarityValidator(_HouseWording,
                                       password_validation.UserAttributeSimilarityValidator):
    message = "密码与{verbose_name}过于相似，请另设密码。"
    help_text = "密码不能与用户名、姓名、电子邮箱等个人信息过于相似。"


class CommonPasswordValidator(_HouseWording, password_validation.CommonPasswordValidator):
    message = "该密码过于常见，请另设密码。"
    help_text = "密码不能是常见密码。"


class NumericPasswordValidator(_HouseWording, password_validation.NumericPasswordValidator):
    message = help_text = "密码不能全为数字。"
