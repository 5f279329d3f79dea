"""Load the plan's organisations and 2020 tasks (fixtures/seed_2020.json).

Insert-only: rows that exist (matched by name) are left as they are, so running it again
never overwrites what the province has corrected since (for example a lost task number).
"""
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.orgs.models import Agency, AgencyStatus, City, OrganisingUnit, UnitCategory
from apps.quotas.models import PlanStatus, Task, TaskPlan

SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "seed_2020.json"


@dataclass
class SeedResult:
    cities: int = 0
    units: int = 0
    agencies: int = 0
    tasks: int = 0


@transaction.atomic
def seed_load(path: Path = SEED_FILE) -> SeedResult:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    year = data["year"]
    result = SeedResult()
    TaskPlan.objects.get_or_create(
        year=year,
        defaults={
            "declared_unit_total": data["declared"]["units"],
            "declared_city_total": data["declared"]["cities"],
            "overall_aim": data.get("overall_aim"),
            "source": data["source"],
            # The seed is the printed, published plan of its year.
            "status": PlanStatus.PUBLISHED,
        },
    )
    cities = {}
    for row in data["cities"]:
        city, created = City.objects.get_or_create(
            name=row["name"], defaults={"short_name": row["short_name"], "code": row["code"],
                                    "seq": row.get("seq")}
        )
        cities[row["short_name"]] = city
        result.cities += created
        _, created = Task.objects.get_or_create(year=year, city=city,
                                                defaults={"number": row["task"]})
        result.tasks += created
    for row in data["units"]:
        unit, created = OrganisingUnit.objects.get_or_create(
            name=row["name"],
            defaults={
                "seq": row["seq"],
                "category": row["category"],
                "city": cities[row["city"]],
                "standing_class_allowed": row["category"] in UnitCategory.schools(),
                "note": row.get("note", ""),
            },
        )
        result.units += created
        _, created = Task.objects.get_or_create(
            year=year, unit=unit, defaults={"number": row["task"], "note": row.get("note", "")}
        )
        result.tasks += created
    for row in data["agencies"]:
        _, created = Agency.objects.get_or_create(
            name=row["name"],
            defaults={
                "seq": row["seq"],
                "batch": row["batch"],
                "home_province": row["home_province"],
                "status": AgencyStatus.RECOMMENDED,
            },
        )
        result.agencies += created
    return result
