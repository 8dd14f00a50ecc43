"""Console output the ``yagona`` commands share: progress over events whose total may not
be known yet, and tables whose identifier columns are printed whole at any width."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table
from rich.text import Text


class EventCount(ProgressColumn):
    """``done/total events``, the total shown as ``?`` until it is known."""

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else f"{int(task.total):,}"
        return Text(f"{int(task.completed):,}/{total} events")


class EventRate(ProgressColumn):
    """Events per second since the task started (blank before the first second counts)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        return Text(f"{task.completed / elapsed:,.0f} events/s" if elapsed > 0 else "")


def events_progress(console: Console, *, rate: bool = False) -> Progress:
    """A progress display over events for ``console``: the task's description, a bar,
    ``done/total events`` (optionally the rate) and the time remaining."""
    columns: list[ProgressColumn] = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        EventCount(table_column=Column(no_wrap=True)),
    ]
    if rate:
        columns.append(EventRate(table_column=Column(no_wrap=True)))
    columns.append(TimeRemainingColumn())
    return Progress(*columns, console=console)


def print_whole(table: Table, *, stderr: bool = False) -> None:
    """Print ``table`` without cutting anything: a column marked ``no_wrap`` (ids, dates)
    keeps its widest cell, any other column at least its longest word. On a console too
    narrow for that, the table is laid out as wide as it needs and its lines are printed
    longer than the console (a terminal then wraps them) rather than cropped, folded or
    dropped: every id stays whole and copyable."""
    console = Console(stderr=stderr)
    wide = console.options.update_width(1_000_000)
    needed = 1  # the left edge; then each column's padding (2) and right border (1)
    for column in table.columns:
        measured = [Measurement.get(console, wide, cell) for cell in (column.header, *column.cells)]
        least = max(m.maximum if column.no_wrap else m.minimum for m in measured)
        column.min_width = max(column.min_width or 0, least)
        needed += column.min_width + 3
    if needed > console.width:
        console = Console(stderr=stderr, width=needed)
    console.print(table, crop=False)
