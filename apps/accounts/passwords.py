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
