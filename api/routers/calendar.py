"""The public holiday calendar: a year's days off and working weekends, each with its act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from api.dependencies import ContainerDep
from api.negotiation import LangParam, cached_json, negotiate_language
from api.problems import Problem
from api.routers.guards import GUARDS, SMALL_BODY, body_limit
from api.schemas.legal_source import CitedSourceOut
from application.calendar_import import calendar_year
from domain.calendar import DeclaredDay
from domain.i18n import pick

router = APIRouter(
    prefix="/v1", tags=["catalogue"], dependencies=GUARDS, route_class=body_limit(SMALL_BODY)
)
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problem,
        "description": "Invalid parameter",
        "content": {"application/problem+json": {}},
    },
}


class CalendarDayOut(BaseModel):
    day: date
    kind: str = Field(
        description="holiday (a day off) or working_weekend (a Saturday or Sunday worked)"
    )
    name: str = Field(description="the name in the response language")
    names: dict[str, str] = Field(description="texts keyed by language: uz-Latn, uz-Cyrl, ru, en")
    source: CitedSourceOut | None = Field(
        description="the act declaring the day; null if unverified"
    )

    @classmethod
    def of(cls, declared: DeclaredDay, language: str) -> CalendarDayOut:
        return cls(
            day=declared.day,
            kind=declared.kind,
            name=pick(declared.names, language),
            names=dict(declared.names),
            source=CitedSourceOut.cited(declared.source),
        )


class CalendarYearOut(BaseModel):
    year: int
    items: list[CalendarDayOut]


@router.get(
    "/calendar/{year}",
    response_model=CalendarYearOut,
    responses=ERRORS,
    summary="A year of the holiday calendar",
)
def get_calendar_year(
    request: Request,
    container: ContainerDep,
    year: Annotated[int, Path(ge=1992, le=2100, examples=[2026])],
    lang: LangParam = None,
) -> Response:
    """The year's declared days off and working weekends, by date, each with its source (the
    Labour Code article or the decree). Legal terms in working days are counted on these."""
    language = negotiate_language(request, lang)
    days = calendar_year(container.catalogue, year)
    body = CalendarYearOut(year=year, items=[CalendarDayOut.of(d, language) for d in days])
    return cached_json(request, body.model_dump(mode="json"), language=language)
