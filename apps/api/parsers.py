"""The API's one JSON parser (settings: DEFAULT_PARSER_CLASSES) and the type check of a body
against the page form it fills.

Exact: a number with a fraction or exponent is a Decimal, never a float (money keeps its
cents); NaN and Infinity, a key given twice, nesting deeper than MAX_DEPTH and a body over
API_MAX_BODY_BYTES (413) are refused in Chinese. A form reads every value as text, so the
check says where a value's JSON type cannot be what the field means: true is not a number,
13800001111 is not a phone number's text (a leading zero or a digit past the 15th cannot
survive a number), a list is not one value."""
import json
from decimal import Decimal

from django import forms
from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

MAX_DEPTH = 8


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


def max_body_bytes() -> int:
    return getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024)


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"请求体过大，上限为{limit // 1024} KB。请分批提交。")


class _Refusal(ValueError):
    """A JSON text that parses but is refused (its message is Chinese)."""


def _constant(name):
    raise _Refusal(f"不支持 {name}")


def _object(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise _Refusal(f"字段“{key[:40]}”重复出现")
        found[key] = value
    return found


def _depth(value) -> int:
    """How deeply ``value`` nests (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in item)
    return deepest


class ExactJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isascii() and str(declared).isdigit() and int(declared) > limit:
            raise _too_large(limit)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise _too_large(limit)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.ParseError("请求体须为 UTF-8 编码的 JSON。")
        try:
            value = json.loads(text, parse_float=Decimal, parse_constant=_constant,
                               object_pairs_hook=_object)
        except RecursionError:
            raise exceptions.ParseError(f"请求体嵌套过深（最多{MAX_DEPTH}层）。")
        except _Refusal as error:
            raise exceptions.ParseError(f"请求体不是有效的 JSON：{error}。")
        except json.JSONDecodeError as error:
            raise exceptions.ParseError(
                f"请求体不是有效的 JSON：第{error.lineno}行第{error.colno}列附近格式错误。")
        except ValueError:  # an integer of more than 4,300 digits
            raise exceptions.ParseError("请求体不是有效的 JSON：数字位数过多。")
        if _depth(value) > MAX_DEPTH:
            raise exceptions.ParseError(f"请求体嵌套过深（最多{MAX_DEPTH}层）。")
        return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def whole_number(value) -> bool:
    """An id or count: a JSON integer, or its ASCII digits as text."""
    return _is_int(value) or (isinstance(value, str) and value.isascii() and value.isdigit())


def type_errors(body: dict, form, extra: dict | None = None) -> dict:
    """{field: [message]} for each value whose JSON type the field cannot take. ``extra``
    names fields the view reads itself ({name: (label, check, what)})."""
    found = {}
    for name, value in body.items():
        if value is None:
            continue  # as an absent value: the form says whether it is required
        field = form.fields.get(name)
        if name in (extra or {}):
            label, check, what = extra[name]
        elif field is None:
            continue  # not read
        else:
            label = str(field.label or name)
            if isinstance(field, forms.BooleanField):
                check, what = (lambda v: isinstance(v, bool)), "true 或 false"
            elif isinstance(field, (forms.ModelChoiceField, forms.IntegerField)):
                check, what = whole_number, "整数（编号）"
            elif isinstance(field, forms.DecimalField):
                check, what = (lambda v: _is_int(v) or isinstance(v, (Decimal, str))), "数字"
            else:
                check, what = (lambda v: isinstance(v, str)), "字符串（请加引号）"
        if isinstance(value, (dict, list)) or not check(value):
            found[name] = [f"{label}：须为{what}。"]
    return found
