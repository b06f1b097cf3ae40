from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bridgework.prompts.worker import Worker


class Command(BaseCommand):
    help = (
        "Run the worker: plan prompts ahead, send due ones, and tell care teams and the duty "
        "contact about risk flags. Stops on SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--batch", type=int, default=200)
        parser.add_argument("--lease-seconds", type=int, default=120)
        parser.add_argument("--idle-seconds", type=float, default=5.0)
        parser.add_argument("--plan-every-seconds", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        Worker(
            batch=options["batch"],
            lease=timedelta(seconds=options["lease_seconds"]),
            idle=options["idle_seconds"],
            plan_every=options["plan_every_seconds"],
        ).run(once=options["once"])
