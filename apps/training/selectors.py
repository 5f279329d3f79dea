from django.db.models import Count

from apps.accounts.scoping import visible
from apps.training.models import Enrolment, SpotCheck, StandingMember, TrainingClass


def class_list(user, *, kind="", status=""):
    qs = visible(TrainingClass.objects.select_related("unit", "city", "agency"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(n_enrolled=Count("enrolments", distinct=True),
                       n_members=Count("members", distinct=True)).order_by("-opens_on", "-id")


def enrolments(cls, user):
    return visible(Enrolment.objects.filter(training_class=cls)
                   .select_related("candidacy__person", "candidacy__project"), user)


def members(cls, user):
    return visible(StandingMember.objects.filter(training_class=cls).select_related("person"),
                   user).order_by("id")


def spot_checks(cls, user):
    return visible(SpotCheck.objects.filter(training_class=cls).select_related("recorded_by"),
                   user)


def standing_right_withdrawn_by(unit, user):
    """The spot check that withdrew the unit's right to run 非建制班, if the user may see it."""
    return visible(SpotCheck.objects.filter(training_class__unit=unit, outcome="serious")
                   .select_related("training_class"), user).first()
