from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


EMPTY_CHOICE = "请选择"
_DJANGO_DASHES = "---------"


class ChoicePlaceholder:
    """Mixin for forms: an empty choice reads "请选择", never Django's "---------" (which model
    fields with choices and ModelChoiceField put there). tests/common/test_form_walk.py renders
    every form class and fails on the dashes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_placeholder(self)


def choice_placeholder(form) -> None:
    """The same, for a form that adds fields after its own __init__ (call it last)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == _DJANGO_DASHES:
                field.empty_label = EMPTY_CHOICE
        elif isinstance(field, forms.ChoiceField):
            field.choices = [(value, EMPTY_CHOICE if label == _DJANGO_DASHES else label)
                             for value, label in field.choices]


def filters_note(form, filters: dict) -> str:
    """A list's filters as its page shows them, so an export says which selection it holds."""
    parts = []
    for name, value in filters.items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        if hasattr(value, "pk"):
            shown = str(value)
        elif isinstance(field, forms.ChoiceField):
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        parts.append(f"{field.label}：{shown}")
    return "筛选条件：" + ("；".join(parts) if parts else "全部")


def query_without_page(request) -> str:
    """The list's query string for its export link: the same filters, every page."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("after", None)  # a keyset list's cursor
    return query.urlencode()


class DateInput(forms.DateInput):
    """A native date picker. Its value must be ISO (yyyy-mm-dd) whatever the locale's format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """A select written in Python rather than through the widget templates: a filter of a
    hundred organisations cost two template includes an option (~15 ms a page). The same
    markup as Django's select.html and select_option.html.

    ``cache_options``: a model choice's options are kept per query under the reference
    data's version (apps/common/references.py), for the long selects (the province's 2,000
    projects: 55 ms a page built from their rows). Only for models whose every change bumps
    that version; the choice is still validated against the live query."""

    def __init__(self, attrs=None, choices=(), cache_options=False):
        super().__init__(attrs, choices)
        self.cache_options = cache_options

    def render(self, name, value, attrs=None, renderer=None):
        if self.cache_options:
            return self._render_kept(name, value, attrs)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts += [format_html('<option value="{}"{}>{}</option>', option["value"],
                                  flatatt(option["attrs"]), option["label"])
                      for option in options]
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))

    def _render_kept(self, name, value, attrs):
        from apps.common import references
        sql, params = self.choices.queryset.query.sql_with_params()
        key = (sql, repr(params), str(self.choices.field.empty_label), references.version())
        options = _KEPT_OPTIONS.get(key)
        if options is None:
            options = [(escape(str(v)), conditional_escape(label)) for v, label in self.choices]
            _KEPT_OPTIONS[key] = options
            while len(_KEPT_OPTIONS) > 32:  # the oldest versions and queries go first
                _KEPT_OPTIONS.pop(next(iter(_KEPT_OPTIONS)))
        chosen = {escape(v) for v in self.format_value(value)}
        # Widget.get_context: the attributes without iterating the choices again.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        parts += [f'<option value="{v}"{" selected" if v in chosen else ""}>{label}</option>'
                  for v, label in options]
        parts.append("</select>")
        return mark_safe("".join(parts))


_KEPT_OPTIONS: dict = {}


class OrgFilterForm(forms.Form):
    """A list's or a page's filters by city, unit and agency: the choices are the
    organisations ``user`` may see (``visible``), so a foreign pk is an invalid choice."""

    city = forms.ModelChoiceField(label="地市", required=False, queryset=None,
                                  empty_label="全部地市", widget=QuickSelect)
    unit = forms.ModelChoiceField(label="组织单位", required=False, queryset=None,
                                  empty_label="全部单位", widget=QuickSelect)
    agency = forms.ModelChoiceField(label="输出机构", required=False, queryset=None,
                                    empty_label="全部机构", widget=QuickSelect)

    def __init__(self, *args, user, **kwargs):
        from apps.accounts.scoping import visible
        from apps.orgs.models import Agency, City, OrganisingUnit
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = visible(City.objects.order_by("code"), user)
        self.fields["unit"].queryset = visible(OrganisingUnit.objects.order_by("seq", "pk"), user)
        self.fields["agency"].queryset = visible(Agency.objects.order_by("name"), user)
