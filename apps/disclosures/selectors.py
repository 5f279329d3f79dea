"""What a full-number request is made from, and what its download carries.

A selection is the rows of one official form as the user may see them, built by the same
selectors the masked form uses; a download rebuilds it from the request's frozen parameters
and keeps only the people named in the request."""
from dataclasses import dataclass, field
from typing import Optional

from apps.accounts.scoping import full_numbers_visible, get_visible_or_404, visible
from apps.disclosures.models import Disclosure, DisclosureForm
from apps.pipeline.selectors import roster_selection
from apps.registry.models import Person
from apps.training import selectors as training_selectors
from apps.training.models import ClassKind, TrainingClass


@dataclass(frozen=True)
class Selection:
    form: str
    rows: list          # [person] (附件5), candidacies (附件6) or class members (附件9)
    org_name: str
    unit: Optional[object] = None
    project: Optional[object] = None
    training_class: Optional[object] = None
    query: dict = field(default_factory=dict)  # how the request page was reached

    @property
    def form_label(self) -> str:
        return DisclosureForm(self.form).label

    @property
    def people(self) -> list:
        seen, out = set(), []
        for row in self.rows:
            person = row if isinstance(row, Person) else row.person
            if person.pk not in seen:
                seen.add(person.pk)
                out.append(person)
        return out

    def eligible(self, user):
        """The people of the selection whose full numbers the user may take out."""
        return full_numbers_visible(Person.objects.filter(pk__in=[p.pk for p in self.people]),
                                    user).order_by("pk")


def selection_form5(user, person_pk) -> Selection:
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), user,
                                pk=person_pk)
    return Selection(DisclosureForm.FORM5, [person], str(person.unit or person.city))


def selection_form6(user, *, unit_id=None, project_id=None, training_class_id=None) -> Selection:
    chosen = roster_selection(user, unit_id=unit_id, project_id=project_id,
                              training_class_id=training_class_id)
    query = {k: v.pk for k, v in (("unit", chosen.unit), ("project", chosen.project),
                                  ("training_class", chosen.training_class)) if v}
    return Selection(DisclosureForm.FORM6, chosen.candidacies, chosen.org_name,
                     unit=chosen.unit, project=chosen.project,
                     training_class=chosen.training_class, query=query)


def selection_form9(user, class_pk) -> Selection:
    cls = get_visible_or_404(TrainingClass.objects.filter(kind=ClassKind.STANDING)
                             .select_related("unit"), user, pk=class_pk)
    members = list(training_selectors.members(cls, user))
    return Selection(DisclosureForm.FORM9, members, cls.unit.name, training_class=cls)


def selection_of(disclosure: Disclosure, user) -> Selection:
    """The request's form rebuilt from its frozen parameters, for exactly its people: no
    filter of the download's own can widen it, and scope is checked again at download."""
    wanted = set(disclosure.people.values_list("pk", flat=True))
    if disclosure.form == DisclosureForm.FORM5:
        selection = selection_form5(user, next(iter(wanted), None))
    elif disclosure.form == DisclosureForm.FORM6:
        selection = selection_form6(user, unit_id=disclosure.unit_id,
                                    project_id=disclosure.project_id,
                                    training_class_id=disclosure.training_class_id)
    else:
        selection = selection_form9(user, disclosure.training_class_id)
    rows = [r for r in selection.rows
            if (r.pk if isinstance(r, Person) else r.person_id) in wanted]
    return Selection(selection.form, rows, disclosure.org_name, training_class=selection.training_class)


def disclosure_list(user, **where):
    return visible(Disclosure.objects.filter(**where)
                   .select_related("requested_by", "decided_by"), user)
