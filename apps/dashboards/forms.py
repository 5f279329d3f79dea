"""The dashboard's filters: organisations within the user's scope, and the departures' country."""
from django import forms

from apps.accounts.scoping import visible
from apps.common.forms import OrgFilterForm
from apps.dashboards.models import DepartureFigure


class DashboardFilterForm(OrgFilterForm):
    country = forms.ChoiceField(label="输出国", required=False)

    def __init__(self, *args, user, year, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        countries = (visible(DepartureFigure.objects.filter(year=year), user)
                     .exclude(country="").values_list("country", flat=True).distinct()
                     .order_by("country"))
        self.fields["country"].choices = [("", "全部国家")] + [(c, c) for c in countries]

    def filters(self) -> dict:
        """The chosen filters as pks and text (an invalid choice, e.g. a foreign unit's pk,
        filters nothing and is named in the form's errors)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v}
