"""Operator commands: `flask --app gateway <command>`."""

from __future__ import annotations

import sys

import click
from flask import Flask

from commerce import admin, demo, phones, schema

ACTOR = "admin:cli"

# What each refusal of commerce.admin.register_agent says here: (message, the option it names).
AGENT_REFUSALS = {
    "phone": ("{phone!r} is not a phone number; write it like +254712345678", "PHONE"),
    "pin": ("the PIN must be 4 to 8 digits", "--pin"),
    "name": ("name and village must be 1 to 60 characters", None),
    "village": ("name and village must be 1 to 60 characters", None),
}


def init_app(app: Flask) -> None:
    from gateway import soko

    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the database schema (Alembic migrations)."""
        schema.upgrade(soko(app).settings.database_url)
        click.echo("Database is up to date.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo catalog (sellers, villages, products) into an empty database."""
        loaded = demo.load(soko(app).db)
        click.echo("Demo catalog loaded." if loaded else "The catalog already has products; nothing loaded.")

    @app.cli.command("add-agent")
    @click.argument("phone")
    @click.option("--name", required=True, help="The agent's name, as buyers will see it.")
    @click.option("--village", required=True, help="The village of the pickup point.")
    @click.option("--pin", default=None, help="A PIN the agent adds to PAID/DELIVERED (stored hashed).")
    def add_agent(phone, name, village, pin):
        """Register a village agent: their village becomes a pickup point."""
        s = soko(app)
        try:
            added = admin.register_agent(s.db, phone, name, village, pin, region=s.settings.default_region,
                                         actor=ACTOR)
        except admin.AgentRefused as refused:
            message, hint = AGENT_REFUSALS[refused.field]
            raise click.BadParameter(message.format(phone=phone), param_hint=hint) from None
        click.echo(f"Agent {added.id}: {added.name} at {added.village} ({added.phone})"
                   f"{' with a PIN' if added.has_pin else ''}.")

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run the jobs that are due, then stop.")
    @click.option("--processes", type=click.IntRange(1, 64), default=None,
                  help="Worker processes under one supervisor (default: WORKER_PROCESSES, 1).")
    def worker(burst, processes):
        """Run the RQ worker (with its dispatcher, scheduler and sweeps) over Soko's queues."""
        from workers import run

        # The worker's own runtime (blocking Redis reads, its own engine): nothing of the web
        # app's is built, only its settings are read.
        settings = soko(app).settings
        run.main(settings, burst=burst, processes=processes or settings.worker_processes)

    from gateway import rates_cli

    rates_cli.register(app)

    @app.cli.command("simulate")
    @click.argument("phone")
    def simulate(phone):
        """A USSD session in the terminal, through the same engine as the webhook."""
        from gateway.simulate import run

        try:
            phones.normalize(phone, soko(app).settings.default_region)
        except ValueError:
            raise click.BadParameter(f"{phone!r} is not a phone number; write it like 0712345678",
                                     param_hint="PHONE") from None

        run(app, phone, sys.stdin, sys.stdout)
