"""Every form class in apps/, rendered as a page would: one placeholder for empty choices
("请选择" or a label that says what empty means), never Django's "---------"."""
import importlib
import inspect
import pkgutil

import pytest
from django import forms

import apps
from apps.evidence.models import EvidenceKind
from apps.pipeline.models import Stage


def form_classes():
    for info in pkgutil.walk_packages(apps.__path__, "apps."):
        if info.name.rsplit(".", 1)[-1] not in ("forms", "views"):
            continue
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if (inspect.isclass(cls) and issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__):
                yield cls


def _arguments(world):
    """What the views pass for each keyword a form requires (querysets of the world)."""
    from apps.accounts.models import User
    from apps.orgs.models import Agency, City, OrganisingUnit
    from apps.outages.models import OutagePeriod
    from apps.pipeline.models import Candidacy
    from apps.projects.models import JobProject
    from apps.registry.models import Person
    from apps.training.models import TrainingClass
    return {
        "cities": City.objects.all(), "units": OrganisingUnit.objects.all(),
        "agencies": Agency.objects.all(), "projects": JobProject.objects.all(),
        "people": Person.objects.all(), "users": User.objects.all(), "candidacies": Candidacy.objects.all(),
        "workers": Candidacy.objects.all(),
        "officers": User.objects.all(),
        "classes": TrainingClass.objects.all(), "standing_classes": TrainingClass.objects.all(),
        "periods": OutagePeriod.objects.all(),
        # A scheme's criteria (the 优秀 rule chooses among its entered ones).
        "criteria": [],
        "creating": True, "current": {}, "kinds_evidence": list(EvidenceKind),
        "kinds_reference": [("cities", "地市")],
        # Filter forms whose choices are the organisations a user may see, of a year.
        "user": world.province, "year": 2026,
        # A planned standing class shows every date field the plan form has.
        "cls": TrainingClass(kind="standing", status="planned", name="演示"),
        # An open referral offers its next statuses.
        "referral": __import__("apps.returnees.models", fromlist=["Referral"]).Referral(
            status="referred"),
    }


def instances(cls, world):
    """The form as its views build it: one per stage for the stage form."""
    args = _arguments(world)
    params = inspect.signature(cls.__init__).parameters
    required = [p.name for p in params.values()
                if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
    positional = [world.unit_u1] if "user" in params and params["user"].kind == \
        inspect.Parameter.POSITIONAL_OR_KEYWORD and cls.__name__ != "LoginForm" else []
    if "stage" in required:
        others = {n: args[n] for n in required if n != "stage"}
        return [cls(*positional, stage=s, **others) for s in Stage.values
                if s != Stage.REGISTERED]
    kwargs = {}
    for name in required:
        if name == "kinds":
            name_in = "kinds_evidence" if "candidacies" in required else "kinds_reference"
            kwargs[name] = args[name_in]
        else:
            assert name in args, f"{cls.__qualname__} needs {name!r}: add it to _arguments"
            kwargs[name] = args[name]
    return [cls(*positional, **kwargs)]


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in form_classes()}
    assert {"PersonForm", "RecordForm", "ClaimForm", "PersonTransferForm"} <= names
    assert len(names) > 40


@pytest.mark.django_db
def test_no_form_shows_django_dashes_for_an_empty_choice(world):
    dashes = []
    for cls in form_classes():
        for form in instances(cls, world):
            html = str(form)
            if "---------" in html:
                fields = [name for name, field in form.fields.items()
                          if "---------" in str(form[name])]
                dashes.append(f"{cls.__module__}.{cls.__qualname__}: {fields}")
    assert not dashes, "Django's ----- placeholder:\n" + "\n".join(dashes)


@pytest.mark.django_db
def test_no_form_addresses_the_user_informally(world):
    """The house says 您 or nothing; Django's catalogue says "你的密码…"."""
    informal = [f"{cls.__module__}.{cls.__qualname__}" for cls in form_classes()
                for form in instances(cls, world) if "你" in str(form)]
    assert not informal, "\n".join(informal)
