from django.core.management.base import BaseCommand

from apps.orgs.seed import SEED_FILE, seed_load


class Command(BaseCommand):
    help = "Load the plan's cities, organising units, agencies and 2020 tasks (insert-only)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(SEED_FILE))

    def handle(self, *args, file, **options):
        result = seed_load(file)
        self.stdout.write(
            f"seed: +{result.cities} cities, +{result.units} units, "
            f"+{result.agencies} agencies, +{result.tasks} tasks"
        )
