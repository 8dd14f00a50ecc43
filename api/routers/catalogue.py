"""The public catalogue: services, agencies and territories (no token needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.dependencies import CATALOGUE_CAUGHT_UP, CatalogueReadDep, ClockDep
from api.negotiation import LangParam, cached_json, negotiate_language
from api.problems import Problem, ProblemException
from api.routers.guards import GUARDS, SMALL_BODY, body_limit, document
from api.schemas.catalogue import (
    AgencyOut,
    AgencyPage,
    ServiceDetail,
    ServicePage,
    ServiceSummary,
    TerritoryOut,
    TerritoryPage,
    agency_tree,
    localise_schema,
    territory_tree,
)
from api.schemas.legal_source import BhmRateOut, BhmRatesOut
from api.schemas.vocabularies import AgencyLevel, Jurisdiction, ServiceStatus, TerritoryLevel
from application.pagination import InvalidQuery
from application.read_models.catalogue import ServiceFilter
from domain.quoting import quoted

router = APIRouter(
    prefix="/v1",
    tags=["catalogue"],
    dependencies=[*GUARDS, CATALOGUE_CAUGHT_UP],
    route_class=body_limit(SMALL_BODY),
)

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {
        "model": Problem,
        "description": "Not found",
        "content": {"application/problem+json": {}},
    },
    422: {
        "model": Problem,
        "description": "Invalid parameter",
        "content": {"application/problem+json": {}},
    },
}
SOATO = r"^\d{2}(\d{2}(\d{3})?)?$"
Cursor = Annotated[str | None, Query(max_length=512, description="`next` of the previous page")]
Soato = Annotated[str | None, Query(pattern=SOATO, description="SOATO code", examples=["1703202"])]
Version = Annotated[
    int | None, Query(ge=1, le=100000, description="a past version of the terms; current if absent")
]


def respond(request: Request, model: BaseModel, language: str) -> Response:
    """``model`` as JSON with an ETag (fields never set, like a flat list's children, left out)."""
    return cached_json(
        request, model.model_dump(mode="json", exclude_unset=True), language=language
    )


@router.get("/services", response_model=ServicePage, responses=ERRORS, summary="Find services")
def list_services(
    request: Request,
    view: CatalogueReadDep,
    clock: ClockDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="up to 10 words to find in names and descriptions, any language or "
            "script, misspellings tolerated",
            examples=["litsenziya"],
        ),
    ] = None,
    agency: Annotated[str | None, Query(max_length=100, description="agency code or id")] = None,
    form: Annotated[
        list[Annotated[int, Field(ge=1, le=4)]],
        Query(description="form(s) of interactive service, 1-4 (repeatable)"),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    jurisdiction: Jurisdiction | None = None,
    territory: Soato = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        list[ServiceStatus],
        Query(description="statuses to include (repeatable); default active and suspended"),
    ] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
    lang: LangParam = None,
) -> Response:
    """Services in the catalogue, ordered by code. Search matches every word of `q` in any
    of the four languages (case, Uzbek apostrophes and ё/е are ignored; Cyrillic and Latin
    spellings meet); a word the catalogue does not hold matches its words spelled like it.
    Search results come best match first, then by code. `territory` keeps the services a
    resident of that territory can apply for."""
    language = negotiate_language(request, lang)
    page = view.list_services(
        ServiceFilter(
            text=q,
            agency=agency,
            forms=tuple(form),
            jurisdiction=jurisdiction,
            territory=territory,
            category=category,
            statuses=tuple(status) or ("active", "suspended"),
        ),
        cursor=cursor,
        limit=limit,
    )
    today, rates = clock.today(), view.bhm_rates()
    body = ServicePage(
        items=[ServiceSummary.of(row, language, today, rates) for row in page.items],
        next=page.next,
    )
    return respond(request, body, language)


@router.get(
    "/services/{code}", response_model=ServiceDetail, responses=ERRORS, summary="One service"
)
def get_service(
    request: Request,
    view: CatalogueReadDep,
    clock: ClockDep,
    code: Annotated[str, Path(max_length=64, examples=["birth-registration"])],
    version: Version = None,
    lang: LangParam = None,
) -> Response:
    """A service's current terms (or a past `version`), its fee at today's base calculation
    amount, and the history of its versions."""
    language = negotiate_language(request, lang)
    row = view.get_service(code)
    if row is None:
        raise ProblemException(404, f"no service has code {quoted(code)}", code="service-not-found")
    terms, shown = row.terms, row.version
    if version is not None and version != row.version:
        past = view.service_terms_version(row.id, version)
        if past is None:
            raise ProblemException(
                404, f"service {code} has no version {version}", code="service-version-not-found"
            )
        terms, shown = past, version
    detail = ServiceDetail.build(
        row,
        terms,
        shown,
        view.service_history(row.id),
        language,
        clock.today(),
        view.bhm_rates(),
    )
    return respond(request, detail, language)


@router.get(
    "/services/{code}/form",
    responses={
        **ERRORS,
        200: {
            "description": "JSON Schema (draft 2020-12) of the form",
            "content": {"application/json": {}},
        },
    },
    summary="A service's electronic form",
)
def get_service_form(
    request: Request,
    view: CatalogueReadDep,
    code: Annotated[str, Path(max_length=64)],
    version: Version = None,
    lang: LangParam = None,
) -> Response:
    """The JSON Schema of the service's form (titles in the response language); its
    `examples` hold valid filled-in instances."""
    language = negotiate_language(request, lang)
    row = view.get_service(code)
    if row is None:
        raise ProblemException(404, f"no service has code {quoted(code)}", code="service-not-found")
    terms = row.terms
    if version is not None and version != row.version:
        past = view.service_terms_version(row.id, version)
        if past is None:
            raise ProblemException(
                404, f"service {code} has no version {version}", code="service-version-not-found"
            )
        terms = past
    return cached_json(request, localise_schema(terms["form_schema"], language), language=language)


@router.get("/territories", response_model=TerritoryPage, responses=ERRORS, summary="Territories")
def list_territories(
    request: Request,
    view: CatalogueReadDep,
    flat: Annotated[bool, Query(description="a flat list instead of a tree")] = False,
    level: Annotated[
        TerritoryLevel | None,
        Query(description="flat lists only"),
    ] = None,
    parent: Annotated[
        str | None, Query(pattern=SOATO, description="children of this code (flat lists only)")
    ] = None,
    root: Annotated[
        str | None, Query(pattern=SOATO, description="subtree under this code (trees only)")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="words of a name to find, current or former (a renamed district is "
            "found by its old name too), in any language or script; a flat list, best first",
            examples=["Boʻz"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Cursor = None,
    lang: LangParam = None,
) -> Response:
    """The republic, its 14 regions (Karakalpakstan and Tashkent city included) and every
    district and city, with SOATO codes. A tree by default; `flat=true` lists them; `q`
    finds them by name."""
    language = negotiate_language(request, lang)
    if q is not None:
        for name, value in (("root", root), ("parent", parent), ("cursor", cursor)):
            if value is not None:
                raise InvalidQuery(name, "does not apply to a search by q")
        found = view.search_territories(q, level=level, limit=limit)
        body = TerritoryPage(items=[TerritoryOut.of(row, language) for row in found], next=None)
        return respond(request, body, language)
    if flat:
        if root is not None:
            raise InvalidQuery("root", "applies to trees; drop it or use flat=false")
        page = view.list_territories(level=level, parent=parent, cursor=cursor, limit=limit)
        body = TerritoryPage(
            items=[TerritoryOut.of(row, language) for row in page.items], next=page.next
        )
        return respond(request, body, language)
    for name, value in (("level", level), ("parent", parent), ("cursor", cursor)):
        if value is not None:
            raise InvalidQuery(name, "applies to flat lists; add flat=true")
    rows = view.all_territories()
    roots = territory_tree(rows, language, root)
    body = TerritoryPage(items=roots, next=None)
    return respond(request, body, language)


@router.get(
    "/territories/{code}", response_model=TerritoryOut, responses=ERRORS, summary="One territory"
)
def get_territory(
    request: Request,
    view: CatalogueReadDep,
    code: Annotated[str, Path(max_length=16, examples=["1703"])],
    lang: LangParam = None,
) -> Response:
    """A territory with its immediate sub-territories."""
    language = negotiate_language(request, lang)
    row = view.get_territory(code)
    if row is None:
        raise ProblemException(
            404, f"no territory has SOATO code {quoted(code)}", code="territory-not-found"
        )
    children = view.list_territories(parent=code, limit=1000).items
    out = TerritoryOut.of(row, language)
    out.children = [TerritoryOut.of(child, language) for child in children]
    return respond(request, out, language)


@router.get("/agencies", response_model=AgencyPage, responses=ERRORS, summary="Agencies")
def list_agencies(
    request: Request,
    view: CatalogueReadDep,
    flat: Annotated[bool, Query(description="a flat list instead of a tree")] = False,
    kind: Annotated[str | None, Query(max_length=48, examples=["justice"])] = None,
    level: AgencyLevel | None = None,
    territory: Annotated[
        str | None,
        Query(pattern=SOATO, description="agencies serving this territory (it or an ancestor)"),
    ] = None,
    within: Annotated[
        str | None, Query(pattern=SOATO, description="agencies located inside this territory")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
    lang: LangParam = None,
) -> Response:
    """Ministries, agencies, hokimiyats and their branches. As a tree (the default) the
    roots are the matching agencies whose parent does not match, paginated by `limit`."""
    language = negotiate_language(request, lang)
    filters: dict[str, Any] = {"kind": kind, "level": level, "serving": territory, "within": within}
    if flat:
        page = view.find_agencies(**filters, cursor=cursor, limit=limit)
        parents = view.agencies_by_id([r.parent_id for r in page.items if r.parent_id])
        items = [
            AgencyOut.of(r, language, parents[r.parent_id].code if r.parent_id in parents else None)
            for r in page.items
        ]
        body = AgencyPage(items=items, next=page.next)
    else:
        rows = view.find_agencies(**filters).items
        outside = view.agencies_by_id(
            [r.parent_id for r in rows if r.parent_id and r.parent_id not in {x.id for x in rows}]
        )
        body = agency_tree(rows, outside, language, cursor, limit)
    return respond(request, body, language)


@router.get("/agencies/{key}", response_model=AgencyOut, responses=ERRORS, summary="One agency")
def get_agency(
    request: Request,
    view: CatalogueReadDep,
    key: Annotated[str, Path(max_length=64, description="agency code or id")],
    lang: LangParam = None,
) -> Response:
    """An agency (by code or id) with the agencies directly under it."""
    language = negotiate_language(request, lang)
    row = view.get_agency(key)
    if row is None:
        raise ProblemException(
            404, f"no agency has code or id {quoted(key)}", code="agency-not-found"
        )
    parent = view.agencies_by_id([row.parent_id]).get(row.parent_id) if row.parent_id else None
    out = AgencyOut.of(row, language, parent.code if parent else None)
    out.children = [
        AgencyOut.of(child, language, row.code) for child in view.agency_children(row.id)
    ]
    return respond(request, out, language)


@router.get(
    "/bhm-rates",
    response_model=BhmRatesOut,
    responses=ERRORS,
    summary="The base calculation amount by date",
)
def bhm_rates(request: Request, view: CatalogueReadDep) -> Response:
    """Every base calculation amount (BHM) by the date it took effect, with the act that set
    it (null where it could not be verified). Fees in BHM multiples are computed from these."""
    body = BhmRatesOut(items=[BhmRateOut.of(row) for row in view.bhm_rate_rows()])
    return cached_json(request, body.model_dump(mode="json"), language=None)


document(router)
