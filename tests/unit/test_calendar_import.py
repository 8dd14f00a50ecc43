"""``yagona calendar import YEAR``: the difference against the stored calendar, the review of
the moving Islamic holidays, writing only on confirmation, idempotence, a year the source
does not cover; open cases' due dates follow an import."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

import api.cli_calendar
from api.cli import app as cli
from application.calendar_import import ADDED, CHANGED, REMOVED, CalendarImport
from application.catalogue import Catalogue
from domain.calendar import HOLIDAY, DeclaredDay, HolidayCalendar
from domain.sources import LegalSource
from infrastructure.calendar_source import PackageHolidaySource
from tests.unit.builders import CTX, names
from tests.unit.test_cases_app import make_cases, submit
from tests.unit.test_jobs import Ports, jobs_of

DECREE = LegalSource(act="Decree of the President", number=None, date=date(2026, 11, 20))


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    """The command's container, in memory: only its catalogue is used."""
    store = Catalogue()
    container = SimpleNamespace(catalogue=store, close=lambda: None)
    monkeypatch.setattr(api.cli_calendar, "load_settings", lambda: None)
    monkeypatch.setattr(api.cli_calendar, "open_container", lambda _settings: container)
    return store


def run(*args: str, given_input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["calendar", "import", *args], input=given_input)


def stored(catalogue: Catalogue) -> HolidayCalendar | None:
    return catalogue.find(HolidayCalendar, HolidayCalendar.create_id())


def test_the_plan_lists_added_removed_and_changed_days() -> None:
    catalogue = Catalogue()
    # As the old hand-written list had it: Ramazon hayiti 2027 on the 10th, no source.
    catalogue.declare_holiday(CTX, day=date(2027, 3, 10), names=names("Ramazon hayiti"))
    catalogue.declare_holiday(CTX, day=date(2027, 1, 1), names=names("Yangi yil"))
    plan = CalendarImport(catalogue, PackageHolidaySource()).plan(2027)
    changes = {c.day.day.isoformat(): c.what for c in plan.changes}
    assert changes["2027-03-10"] == REMOVED
    assert changes["2027-03-09"] == ADDED
    assert changes["2027-01-01"] == CHANGED  # its names and now its source
    assert [d.day.isoformat() for d in plan.review] == ["2027-03-09", "2027-05-16", "2027-05-17"]


def test_the_command_shows_the_difference_and_writes_nothing_without_yes(
    catalogue: Catalogue,
) -> None:
    result = run("2026", given_input="n\n")
    assert result.exit_code == 1, result.output
    assert "calendar 2026: 18 added, 0 removed, 0 changed" in result.output
    assert "+ 2026-03-23 Mon day off: Navruz (day off transferred) [Labour Code" in result.output
    assert "+ 2026-12-12 Sat working day:" in result.output
    assert "PF-257" in result.output
    assert "nothing written" in result.output
    assert stored(catalogue) is None


def test_review_lists_the_moving_islamic_holidays_to_confirm(catalogue: Catalogue) -> None:
    result = run("2027", "--review", given_input="n\n")
    assert "to review: the moving Islamic holidays" in result.output
    assert "? 2027-03-09 Tue day off: Ramazon Hayit (Eid al-Fitr) (estimated)" in result.output
    assert "? 2027-05-16 Sun day off: Qurbon Hayit (Eid al-Adha) (estimated)" in result.output
    assert "source: none verified" in result.output


def test_yes_writes_and_a_second_run_has_nothing_to_change(catalogue: Catalogue) -> None:
    first = run("2026", "--yes")
    assert first.exit_code == 0, first.output
    assert "events recorded" in first.output
    calendar = stored(catalogue)
    assert calendar is not None
    assert len(calendar.declared_in(2026)) == 18
    assert calendar.working_calendar.is_working_day(date(2026, 12, 12))
    assert not calendar.working_calendar.is_working_day(date(2026, 5, 11))

    second = run("2026", "--yes")
    assert second.exit_code == 0, second.output
    assert "calendar 2026: 0 added, 0 removed, 0 changed" in second.output
    assert "nothing to change" in second.output


def test_an_interactive_yes_writes(catalogue: Catalogue) -> None:
    result = run("2025", given_input="y\n")
    assert result.exit_code == 0, result.output
    calendar = stored(catalogue)
    assert calendar is not None
    assert calendar.working_calendar.is_working_day(date(2025, 1, 4))


def test_an_import_withdraws_what_the_source_no_longer_declares(catalogue: Catalogue) -> None:
    catalogue.declare_holiday(CTX, day=date(2027, 3, 10), names=names("Ramazon hayiti"))
    assert run("2027", "--yes").exit_code == 0
    calendar = stored(catalogue)
    assert calendar is not None
    assert date(2027, 3, 10) not in calendar.holidays
    assert date(2027, 3, 9) in calendar.holidays


def test_a_year_the_source_does_not_cover_exits_2_with_one_line(catalogue: Catalogue) -> None:
    result = run("2031", "--yes")
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("cannot import 2031: the holiday source (holidays ")
    assert stored(catalogue) is None


class OneDecree:
    """A source whose 2026 has one decreed day off, within the open case's term."""

    years = range(2026, 2027)

    def days_off(self, year: int) -> list[DeclaredDay]:
        return [DeclaredDay(date(2026, 12, 1), HOLIDAY, names("Bayram"), DECREE)]


def test_open_cases_due_dates_follow_an_import() -> None:
    core, ports = make_cases(), Ports()
    application = submit(core)
    ports.open = [application.id]
    jobs = jobs_of(core, ports)
    assert core.cases.load(str(application.id)).due_date == date(2026, 12, 2)
    service = CalendarImport(core.catalogue, OneDecree())
    assert service.apply(CTX, service.plan(2026)) > 0
    assert jobs.follow_calendar() == 1
    assert core.cases.load(str(application.id)).due_date == date(2026, 12, 3)
    assert service.plan(2026).is_noop
