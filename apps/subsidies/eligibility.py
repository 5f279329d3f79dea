"""Who may be claimed for each item: the verified records behind a line's 人数 (SPEC §8).

Each function gives (person_id, candidacy_id) pairs for a unit (and class); people already
claimed for the item on any claim are left out, so a person is claimed for an item once."""
from django.db.models import Exists, OuterRef

from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage, StageEvent
from apps.subsidies.models import POVERTY_ITEMS, ClaimedPerson, Item, Phase
from apps.training.models import ClassKind, ClassStatus, EnrolmentResult

# The items of each phase, in the order of 附件8.
PHASE_ITEMS = {
    Phase.OPENING: [Item.FIRST_INTERVIEW, Item.MEDICAL, Item.SECOND_INTERVIEW,
                    Item.TRAINING_ADVANCE, Item.INTERVIEW_AWARD],
    Phase.COMPLETION: [Item.TRAINING_FEE, Item.TRAINING_AWARD],
    Phase.DEPARTURE: [Item.TRAINING_BALANCE, Item.DEPARTURE_FEE, Item.EMPLOYMENT_AWARD,
                      *POVERTY_ITEMS],
    Phase.STANDING_OPENING: [Item.STANDING_FIRST],
    Phase.STANDING_AFTER: [Item.STANDING_SECOND],
}
# Which class a phase needs: an intensive one, a 非建制班, or none (出国: optional).
PHASE_CLASS = {Phase.OPENING: ClassKind.INTENSIVE, Phase.COMPLETION: ClassKind.INTENSIVE,
               Phase.DEPARTURE: None, Phase.STANDING_OPENING: ClassKind.STANDING,
               Phase.STANDING_AFTER: ClassKind.STANDING}
# The class must be at least this far along for the phase's money.
PHASE_CLASS_STATUS = {Phase.OPENING: {ClassStatus.OPEN, ClassStatus.ENDED},
                      Phase.COMPLETION: {ClassStatus.ENDED},
                      Phase.STANDING_OPENING: {ClassStatus.OPEN, ClassStatus.ENDED},
                      Phase.STANDING_AFTER: {ClassStatus.ENDED}}
# Interview and medical costs are paid for people who were examined but not trained.
EXAMINED = {Item.FIRST_INTERVIEW: Stage.FIRST_INTERVIEW, Item.MEDICAL: Stage.MEDICAL,
            Item.SECOND_INTERVIEW: Stage.SECOND_INTERVIEW}
# Standards: a 非建制班 person has one standard, half paid at opening and half after.
STANDARD_OF = {Item.STANDING_FIRST: "standing_class", Item.STANDING_SECOND: "standing_class"}
SHARE = {Item.STANDING_FIRST: "0.5", Item.STANDING_SECOND: "0.5"}


def _pairs(qs, person="person_id", candidacy="pk"):
    """One pair per person (someone who went through twice is still one person)."""
    return list(dict(qs.values_list(person, candidacy).order_by(person, candidacy)).items())


# The event whose date a phase's money follows (docs/TIME-RULES.md).
PHASE_EVENT = {Phase.OPENING: "开班", Phase.STANDING_OPENING: "开班", Phase.COMPLETION: "结业",
               Phase.STANDING_AFTER: "结业", Phase.DEPARTURE: "出国"}
# The stage event a claimed person's line rests on: its date, and its evidence, are what a
# reviewer checks against the name.
ITEM_STAGE = {Item.FIRST_INTERVIEW: Stage.FIRST_INTERVIEW, Item.MEDICAL: Stage.MEDICAL,
              Item.SECOND_INTERVIEW: Stage.SECOND_INTERVIEW,
              Item.TRAINING_ADVANCE: Stage.SECOND_INTERVIEW,
              Item.INTERVIEW_AWARD: Stage.SECOND_INTERVIEW, Item.TRAINING_FEE: Stage.TRAINING,
              Item.TRAINING_AWARD: Stage.TRAINING, Item.TRAINING_BALANCE: Stage.DEPARTURE,
              Item.DEPARTURE_FEE: Stage.DEPARTURE, Item.EMPLOYMENT_AWARD: Stage.DEPARTURE,
              Item.POVERTY_TRANSPORT: Stage.DEPARTURE, Item.POVERTY_PLACEMENT: Stage.DEPARTURE}


def eligible_group(today=None):
    """Seed 003's group, the only people the 脱贫 items pay for: a person whose status is
    脱贫劳动力 or 监测对象 and whose last verification is current on the day the claim is
    derived or checked (a lapsed one must be verified again first)."""
    from django.db.models import Q
    from django.utils import timezone

    from apps.registry.models import PRIORITY_STATUSES, poverty_current_since
    since = poverty_current_since(today or timezone.localdate())
    return Q(person__poverty_status__in=PRIORITY_STATUSES, person__poverty_verified_on__gte=since)


def eligible(item, *, unit, training_class=None, include_claim=None,
             departed_in=None) -> list[tuple[int, int]]:
    """(person, candidacy) pairs the unit may claim for ``item`` now. ``include_claim`` keeps
    the people already on that claim (to re-verify it). ``departed_in``: only people who
    departed in that year (one claim, one year's standards)."""
    claimed = ClaimedPerson.objects.filter(item=item)
    if include_claim is not None:
        claimed = claimed.exclude(line__claim=include_claim)
    taken = claimed.values("person")

    if item in EXAMINED:
        trained = StageEvent.objects.filter(candidacy=OuterRef("pk"), stage=Stage.TRAINING)
        qs = (Candidacy.objects.filter(unit=unit, status__in=[CandidacyStatus.ENDED,
                                                              CandidacyStatus.WITHDRAWN])
              .filter(events__stage=EXAMINED[item], events__result__in=[Result.PASS, Result.FAIL])
              .exclude(Exists(trained)))
        return _pairs(qs.exclude(person__in=taken).distinct())
    if item in (Item.STANDING_FIRST, Item.STANDING_SECOND):
        return [(p, None) for p in training_class.members.exclude(person__in=taken)
                .order_by("person_id").values_list("person_id", flat=True)]
    enrolments = None
    if training_class is not None:
        enrolments = training_class.enrolments.filter(candidacy__unit=unit)
    if item in (Item.TRAINING_ADVANCE, Item.INTERVIEW_AWARD):
        qs = enrolments.filter(candidacy__events__stage=Stage.SECOND_INTERVIEW,
                               candidacy__events__result=Result.PASS)
    elif item == Item.TRAINING_FEE:
        qs = enrolments.filter(result__in=[EnrolmentResult.PASS, EnrolmentResult.FAIL])
    elif item == Item.TRAINING_AWARD:
        qs = enrolments.filter(result=EnrolmentResult.PASS)
    elif item == Item.TRAINING_BALANCE:
        from apps.training.models import Enrolment
        base = enrolments if enrolments is not None else Enrolment.objects.filter(
            candidacy__unit=unit, training_class__unit=unit)
        qs = base.filter(result=EnrolmentResult.PASS, candidacy__departed_on__isnull=False)
        if departed_in:
            qs = qs.filter(candidacy__departed_on__year=departed_in)
    else:  # 出国费用, 国外就业奖补, the 脱贫 items: people who departed
        departed = Candidacy.objects.filter(unit=unit, departed_on__isnull=False)
        if item in POVERTY_ITEMS:
            departed = departed.filter(eligible_group())
        if training_class is not None:
            departed = departed.filter(enrolments__training_class=training_class)
        if departed_in:
            departed = departed.filter(departed_on__year=departed_in)
        return _pairs(departed.exclude(person__in=taken))
    return _pairs(qs.exclude(candidacy__person__in=taken).distinct(),
                  person="candidacy__person_id", candidacy="candidacy_id")
