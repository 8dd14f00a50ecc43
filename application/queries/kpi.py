"""The target indicators: each group's counts with its targets, and agencies ranked by an
indicator. Officers see their own agency only."""

from __future__ import annotations

from dataclasses import dataclass

from application.authorization import AGENCY, authorize, narrowed_agency
from application.pagination import InvalidQuery, Page, decode_cursor, encode_cursor
from application.principal import Principal
from application.read_models.kpi import DIMENSIONS, KpiReadModel, KpiRow
from domain.kpi import INDICATORS, Ranked, Target, TargetTable, rank


def months_of(month: str | None, first: str | None, last: str | None) -> tuple[str, str]:
    """The period asked for: one ``month``, or ``from`` to ``to`` (YYYY-MM each)."""
    if month is not None:
        if first is not None or last is not None:
            raise InvalidQuery("month", "goes alone: give `month`, or `from` and `to`")
        return month, month
    if first is None and last is None:
        raise InvalidQuery("month", "is required (or `from` and `to`)")
    if first is None or last is None:
        raise InvalidQuery("from" if first is None else "to", "is required with the other end")
    if first > last:
        raise InvalidQuery("from", "is after `to`")
    return first, last


@dataclass(frozen=True)
class Group:
    row: KpiRow
    targets: dict[str, Target]  # each indicator's target for this group


@dataclass(frozen=True)
class Indicators:
    months: tuple[str, str]
    group_by: list[str]  # in DIMENSIONS order
    groups: list[Group]
    next: str | None  # None for every group at once, or on the last page


@dataclass(frozen=True)
class Ranking:
    indicator: str
    comparison: str
    months: tuple[str, str]
    total: int  # agencies ranked, whoever reads
    entries: list[Ranked]  # the window asked for
    next: str | None


class TargetIndicators:
    def __init__(self, read_model: KpiReadModel, targets: TargetTable) -> None:
        self.read_model = read_model
        self.targets = targets

    def indicators(
        self,
        principal: Principal,
        group_by: list[str],
        *,
        month: str | None = None,
        first: str | None = None,
        last: str | None = None,
        agency: str | None = None,
        service: str | None = None,
        territory: str | None = None,
        cursor: str | None = None,
        limit: int | None = 100,
    ) -> Indicators:
        """Each group's counts and indicators over one ``month`` or ``first`` to ``last``;
        ``limit=None``: every group, unpaged."""
        agency = narrowed_agency(principal, "kpi.read", agency)
        months = months_of(month, first, last)
        filters = {"agency": agency, "service": service, "territory": territory}
        if limit is None:
            rows, following = (
                self.read_model.every_group(group_by, months=months, filters=filters),
                None,
            )
        else:
            page: Page[KpiRow] = self.read_model.indicators(
                group_by, months=months, filters=filters, cursor=cursor, limit=limit
            )
            rows, following = page.items, page.next
        groups = [
            Group(
                row,
                self.targets.for_group(
                    agency=row.group.get("agency", agency),
                    service=row.group.get("service", service),
                ),
            )
            for row in rows
        ]
        ordered = [d for d in DIMENSIONS if d in group_by]
        return Indicators(months, ordered, groups, following)

    def ranking(
        self,
        principal: Principal,
        indicator: str,
        *,
        month: str | None = None,
        first: str | None = None,
        last: str | None = None,
        service: str | None = None,
        territory: str | None = None,
        cursor: str | None = None,
        limit: int | None = 100,
    ) -> Ranking:
        """Agencies best first by ``indicator``; an officer gets their own entry only,
        ranked among every agency. ``limit=None``: every entry, unpaged."""
        permission = authorize(principal, "kpi.read")
        months = months_of(month, first, last)
        if indicator not in INDICATORS:
            raise InvalidQuery("indicator", f"is one of {', '.join(INDICATORS)}")
        filters: dict[str, str | None] = {
            "agency": None,
            "service": service,
            "territory": territory,
        }
        rows = self.read_model.every_group(["agency"], months=months, filters=filters)
        ranked = rank(
            indicator,
            {
                r.group["agency"]: r.actuals[indicator]
                for r in rows
                if r.group["agency"] is not None
            },
            lambda code: self.targets.for_group(agency=code, service=service)[indicator],
        )
        total = len(ranked)
        if permission.reach_of(principal.role) == AGENCY:
            ranked = [r for r in ranked if r.key == principal.agency]
        if limit is None:
            return Ranking(indicator, INDICATORS[indicator], months, total, ranked, None)
        key = decode_cursor(cursor, expect=("after",))
        start = key["after"] if key is not None else 0
        if not isinstance(start, int) or start < 0:
            raise InvalidQuery("cursor", "is not a cursor this endpoint returned")
        following = start + limit
        return Ranking(
            indicator,
            INDICATORS[indicator],
            months,
            total,
            ranked[start:following],
            encode_cursor({"after": following}) if following < len(ranked) else None,
        )
