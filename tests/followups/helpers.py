"""Set-up for the follow-up tests: many people abroad, cheaply (set-up may bypass services;
the behaviour under test never does)."""
import itertools
from datetime import date

from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.registry.models import Person

_numbers = itertools.count(1)


def send_abroad(w, n, *, project=None, unit="u1", departed_on=date(2026, 6, 1),
                status=CandidacyStatus.ABROAD):
    """``n`` people abroad on ``project`` (the 太原-side project_a1 unless told), of ``unit``
    (a world attribute name, or None for a city's own people of 太原)."""
    project = project or w.project_a1
    org_unit = getattr(w, unit) if unit else None
    city = org_unit.city if org_unit else w.ty
    people = Person.objects.bulk_create([
        Person(name=f"随访人员{i}", sex="男", birth_date=date(1995, 1, 1), id_number=f"T{i}",
               id_hash=f"followup-test-{i}", category="社会人员", unit=org_unit, city=city,
               created_by=w.province)
        for i in (next(_numbers) for _ in range(n))])
    return Candidacy.objects.bulk_create([
        Candidacy(person=p, project=project, unit=org_unit, city=city, agency=project.agency,
                  stage=Stage.DEPARTURE, result=Result.DEPARTED, stage_on=departed_on,
                  status=status, departed_on=departed_on, country=project.country,
                  created_by=w.province)
        for p in people])


def issues_data(rows=()):
    """The issue formset's POST fields (3 rows shown; ``rows`` fill the first ones)."""
    data = {"issues-TOTAL_FORMS": "3", "issues-INITIAL_FORMS": "0",
            "issues-MIN_NUM_FORMS": "0", "issues-MAX_NUM_FORMS": "20"}
    for i, (description, kind, action) in enumerate(rows):
        data.update({f"issues-{i}-description": description, f"issues-{i}-kind": kind,
                     f"issues-{i}-action_taken": action})
    return data
