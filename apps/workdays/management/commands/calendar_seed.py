from django.core.management.base import BaseCommand

from apps.workdays.seed import calendar_seed


class Command(BaseCommand):
    help = "Enter the State Council's holiday arrangements 2020–2026 where missing."

    def handle(self, *args, **options):
        years = calendar_seed()
        self.stdout.write(f"calendar: entered {', '.join(map(str, years)) or 'nothing (all present)'}")
