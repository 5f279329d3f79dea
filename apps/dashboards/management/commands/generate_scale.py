from django.core.management.base import BaseCommand

from apps.dashboards.scale import scale_generate


class Command(BaseCommand):
    help = ("Generate synthetic persons, candidacies and stage events for benchmarks "
            "(never on a production database). See apps/dashboards/scale.py.")

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=1_000_000)
        parser.add_argument("--events", type=int, default=10_000_000)
        parser.add_argument("--projects", type=int, default=2_000,
                            help="published projects to create when there are none")

    def handle(self, *args, persons, events, projects, **options):
        from apps.dashboards.scale import scale_prepare
        actor = scale_prepare(projects=projects)
        counts = scale_generate(persons=persons, events=events, actor=actor,
                                say=self.stdout.write)
        self.stdout.write(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
