"""`flask --app gateway rates set <FROM> <TO> <rate>` and `rates list`: the operator's exchange rates.

1 FROM = rate TO, e.g. `rates set TZS KES 0.05`. Orders lock the rate they were placed at, so a
change applies to new orders only.
"""

from __future__ import annotations

import click
from babel.numbers import is_currency
from flask import Flask
from flask.cli import AppGroup

from commerce import rates, reports


def _currency(value: str, hint: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not is_currency(code):
        raise click.BadParameter(f"{value!r} is not an ISO 4217 currency code like KES", param_hint=hint)
    return code


def register(app: Flask) -> None:
    from gateway import soko

    group = AppGroup("rates", help="Exchange rates: 1 FROM = rate TO, used to show and lock prices.")

    @group.command("set")
    @click.argument("from_currency")
    @click.argument("to_currency")
    @click.argument("rate")
    def set_rate(from_currency, to_currency, rate):
        """Set 1 FROM = RATE TO, e.g. `rates set TZS KES 0.05`."""
        src, dst = _currency(from_currency, "FROM"), _currency(to_currency, "TO")
        if src == dst:
            raise click.BadParameter("FROM and TO must differ (a currency is always 1:1 with itself)")
        try:
            value = rates.parse_rate(rate)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="RATE") from None
        rates.save(soko(app).db, src, dst, value)
        click.echo(f"1 {src} = {format(value.normalize(), 'f')} {dst}. New orders use it; placed orders keep theirs.")

    @group.command("list")
    def list_rates():
        """Every rate, with when it was set (UTC)."""
        rows = reports.rates(soko(app).db)
        if not rows:
            click.echo("No rates set. Add one with: flask --app gateway rates set TZS KES 0.05")
        for row in rows:
            click.echo(f"1 {row.from_currency} = {row.rate} {row.to_currency}  (set {row.updated_at:%Y-%m-%d %H:%M} UTC)")

    app.cli.add_command(group)
