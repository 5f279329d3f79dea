from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.params import ascii_int
from apps.deadlines import selectors, services
from apps.deadlines.models import DeadlineItem, DeadlineRule

OWING_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)


class OffsetForm(forms.Form):
    offset = forms.IntegerField(label="工作日数", min_value=-30, max_value=60,
                                help_text="正数：事件后第N个工作日内；负数：事件前第N个工作日前")


@role_required(*OWING_ROLES)
def my_items(request):
    """我的待办: due and overdue items, each linking to where it is filed."""
    state = request.GET.get("state") if request.GET.get("state") in selectors.STATES else ""
    city = request.GET.get("city", "")
    qs = selectors.my_items_listed(request.user, state=state,
                                   city=ascii_int(city))
    items = list(qs[:500])
    for item in items:
        item.link_label, item.link_url = item.link_for(request.user)
    return render(request, "deadlines/my_items.html", {
        "items": items, "total": qs.count(), "state": state, "states": selectors.STATES,
        "notices": selectors.my_notices(request.user),
    })


TIMELINESS_BY = {"city": "地市", "unit": "组织单位", "agency": "输出机构", "rule": "报送事项",
                 "month": "截止月份"}


@role_required(Role.PROVINCE, Role.CITY)
def timeliness(request):
    """按时 / 逾期 / 缺报 by city, unit, agency, rule or month. Late entries count as late."""
    by = request.GET.get("by") if request.GET.get("by") in TIMELINESS_BY else "city"
    items = visible(DeadlineItem.objects.all(), request.user)
    rows = services.timeliness(items, by)
    widest = max([r["due"] + r["pending"] for r in rows] or [1])
    for r in rows:
        r["bars"] = [(k, r[k] * 100 / widest) for k in ("on_time", "late", "missing", "pending")]
    return render(request, "deadlines/timeliness.html", {
        "rows": rows, "by": by, "by_label": TIMELINESS_BY[by], "choices": TIMELINESS_BY,
    })


@role_required(*tuple(Role))
def rule_list(request):
    return render(request, "deadlines/rule_list.html", {
        "rules": visible(DeadlineRule.objects.select_related("updated_by"), request.user),
        "can_edit": request.user.role == Role.PROVINCE,
    })


@role_required(Role.PROVINCE)
def rule_edit(request, pk):
    # An hour-counted rule keeps its length in its own table (incident reports): an offset
    # in working days would be silently ignored.
    rule = get_visible_or_404(DeadlineRule.objects.filter(in_hours=False), request.user, pk=pk)
    form = OffsetForm(request.POST or None, initial={"offset": rule.offset})
    if request.method == "POST" and form.is_valid():
        services.rule_set_offset(rule, offset=form.cleaned_data["offset"], actor=request.user)
        messages.success(request, f"已修改“{rule.name}”的期限，未完成事项的截止日期已重新计算。")
        return redirect("deadlines:rule_list")
    return render(request, "orgs/form.html", {"form": form, "title": f"修改期限：{rule.name}"})
