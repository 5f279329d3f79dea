from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc


def validate_credit_code(value: str) -> None:
    """Unified social credit code (GB 32100-2015), check digit included."""
    if not value:
        return
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValidationError("统一社会信用代码应为18位。", code="length")
    except stdnum_errors.ValidationError:
        raise ValidationError("统一社会信用代码校验位不正确，请核对。", code="checksum")
    except KeyError:  # stdnum can raise a bare KeyError on odd characters
        raise ValidationError("统一社会信用代码含有无效字符。", code="chars")
