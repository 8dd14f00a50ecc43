"""``yagona calendar import YEAR``: a year's days off from the maintained source, shown as a
difference against the stored calendar and written only once confirmed."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import typer
from rich.markup import escape

from api.cli_common import err, load_settings, open_container
from application.calendar_import import ADDED, REMOVED, CalendarImport, CalendarPlan, DayChange
from domain.calendar import WORKING_WEEKEND, DeclaredDay
from domain.context import CommandContext
from domain.errors import DomainError
from infrastructure.bootstrap import PackageHolidaySource

calendar_app = typer.Typer(
    help="The holiday calendar: import a year's days off from the maintained source.",
    no_args_is_help=True,
)
_MARKS = {ADDED: "+", REMOVED: "-"}


def _cite(day: DeclaredDay) -> str:
    return day.source.cite() if day.source is not None else "source: none verified"


def _line(day: DeclaredDay) -> str:
    kind = "working day" if day.kind == WORKING_WEEKEND else "day off"
    estimated = " (estimated)" if day.estimated else ""
    return f"{day.day.isoformat()} {day.day:%a} {kind}: {day.names['en']}{estimated} [{_cite(day)}]"


def _change(change: DayChange) -> str:
    mark = _MARKS.get(change.what, "~")
    if change.before is not None and change.after is not None:
        return f"{mark} {_line(change.after)}\n    was: {_line(change.before)}"
    return f"{mark} {_line(change.day)}"


def print_plan(plan: CalendarPlan, *, review: bool) -> None:
    counts = {what: sum(1 for c in plan.changes if c.what == what) for what in _MARKS}
    changed = len(plan.changes) - sum(counts.values())
    err.print(
        f"calendar {plan.year}: {counts[ADDED]} added, {counts[REMOVED]} removed, "
        f"{changed} changed",
        highlight=False,
    )
    for change in plan.changes:
        err.print(escape(_change(change)), highlight=False, soft_wrap=True)
    if review:
        err.print(
            "to review: the moving Islamic holidays, decreed each year by the President's "
            "resolution; confirm each date against it:",
            highlight=False,
        )
        for day in plan.review:
            err.print(escape(f"? {_line(day)}"), highlight=False, soft_wrap=True)


@calendar_app.command("import")
def import_year(
    year: Annotated[int, typer.Argument(help="the calendar year, e.g. 2027")],
    review: Annotated[
        bool, typer.Option("--review", help="list Ramazon and Qurbon hayiti to confirm")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="write without asking")] = False,
) -> None:
    """Show how the source's YEAR differs from the stored calendar; write it on confirmation
    (open cases' due dates follow). A second run says nothing to change."""
    source = PackageHolidaySource()
    if year not in source.years:
        try:
            source.days_off(year)
        except DomainError as error:
            err.print(f"[red]cannot import {year}:[/red] {escape(error.detail)}", soft_wrap=True)
            raise typer.Exit(2) from None
    container = open_container(load_settings())
    try:
        service = CalendarImport(container.catalogue, source)
        plan = service.plan(year)
        print_plan(plan, review=review)
        if plan.is_noop:
            err.print("nothing to change")
            return
        if not yes and not typer.confirm("write these changes?", default=False, err=True):
            err.print("nothing written")
            raise typer.Exit(1)
        ctx = CommandContext(actor="system:calendar", role="system", correlation_id=uuid4().hex)
        events = service.apply(ctx, plan)
        err.print(f"{events} events recorded")
    finally:
        container.close()
