"""What the user posted, for hand-written batch forms re-shown after an error: every entry
comes back as typed, so one bad row never costs the user the other rows."""
from django import template

register = template.Library()


def _key(name, pk):
    return name if pk is None else f"{name}-{pk}"


@register.simple_tag(takes_context=True)
def posted(context, name, pk=None, default=""):
    """The posted value of name (name-pk for a row); default on a fresh page."""
    request = context["request"]
    if request.method != "POST":
        return default
    return request.POST.get(_key(name, pk), "")


@register.simple_tag(takes_context=True)
def posted_list(context, name):
    """The posted values of a field of ticks, as strings ("" when nothing was posted)."""
    request = context["request"]
    return request.POST.getlist(name) if request.method == "POST" else []
