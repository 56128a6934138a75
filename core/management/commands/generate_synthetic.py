import time

from django.core.management.base import BaseCommand, CommandError

from core import synthetic


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"--scale {text!r} is not a number") from None
    if not 0 < value <= 100:
        raise CommandError("--scale must be above 0 and at most 100")
    return value


class Command(BaseCommand):
    help = (
        "Add a deterministic nationwide synthetic data set beside the real Quảng Ninh records "
        "(slugs start with 'syn-', sources say 'Synthetic data, not a real source'). "
        "At --scale 1: about 63 provinces, 700 districts, 10,600 communes, 100,000 bodies, 15,000 mergers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=positive_float, default=1.0, help="Multiplier of the counts (e.g. 0.01, 1, 10)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same scale and seed give the same rows."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count the rows that would be added; write nothing.")

    def handle(self, *args, scale, seed, dry_run, verbosity=1, **options):
        if not dry_run and synthetic.exists():
            raise CommandError(
                "This database already holds synthetic data (sources with slugs starting 'syn-'): use a fresh database."
            )
        started = time.monotonic()
        counts = synthetic.generate(scale, seed, dry_run=dry_run, stdout=self.stdout if verbosity > 1 else None)
        elapsed = time.monotonic() - started
        if verbosity:
            for label, n in sorted(counts.rows.items()):
                self.stdout.write(f"{label:40} {n:>10,}")
            verb = "Would add" if dry_run else "Added"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} {counts.total():,} synthetic rows (scale {scale}, seed {seed}) in {elapsed:.1f} s."
                )
            )
            if not dry_run and verbosity > 1:
                self.stdout.write(f"digest {synthetic.digest()}")
