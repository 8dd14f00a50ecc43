"""The public catalogue over HTTP, browsed: filters, a service's detail and form, ETags,
errors, territories and agencies, and their pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.seeding import ReferenceData, expand_agencies
from tests.conftest import TEST_NOW
from tests.e2e.catalogue_pages import all_pages


@pytest.mark.parametrize("form", [1, 2, 3, 4])
def test_filter_by_form(client: TestClient, reference: ReferenceData, form: int) -> None:
    items = all_pages(client, "/v1/services", form=form, limit=100)
    expected = sorted(s.code for s in reference.services if s.terms["form"] == form)
    assert [i["code"] for i in items] == expected
    assert expected, f"the catalogue has no form-{form} service"


def test_filter_by_jurisdiction_and_category(client: TestClient, reference: ReferenceData) -> None:
    spec = reference.services[0]
    items = all_pages(
        client,
        "/v1/services",
        jurisdiction=spec.terms["jurisdiction"],
        category=spec.terms["category"],
        limit=100,
    )
    expected = sorted(
        s.code
        for s in reference.services
        if s.terms["jurisdiction"] == spec.terms["jurisdiction"]
        and s.terms["category"] == spec.terms["category"]
    )
    assert [i["code"] for i in items] == expected


def test_filter_by_agency(client: TestClient, reference: ReferenceData) -> None:
    regional = next(s for s in reference.services if s.terms["jurisdiction"] == "region")
    agency = f"{regional.terms['agency_kind']}-1703"
    items = all_pages(client, "/v1/services", agency=agency, limit=100)
    expected = sorted(
        s.code
        for s in reference.services
        if s.terms["agency_kind"] == regional.terms["agency_kind"]
        and s.terms["jurisdiction"] == "region"
    )
    assert [i["code"] for i in items] == expected


def test_filter_by_territory_keeps_what_its_residents_can_apply_for(
    client: TestClient, reference: ReferenceData
) -> None:
    agencies = expand_agencies(reference.agency_kinds, reference.territories)
    district = "1703202"
    serving = {(a.kind, a.level) for a in agencies if a.territory in ("17", "1703", district)}
    items = all_pages(client, "/v1/services", territory=district, limit=100)
    expected = sorted(
        s.code
        for s in reference.services
        if (s.terms["agency_kind"], s.terms["jurisdiction"]) in serving
    )
    assert [i["code"] for i in items] == expected
    assert len(expected) == len(reference.services)  # every service reaches every district


def test_service_detail_has_todays_fee_and_history(
    client: TestClient, reference: ReferenceData
) -> None:
    paid = next(s for s in reference.services if s.terms["fee"]["kind"] == "bhm_multiple")
    body = client.get(f"/v1/services/{paid.code}").json()
    rates = json.loads(
        resources.files("infrastructure.reference_data").joinpath("bhm_rates.json").read_text()
    )["rates"]
    in_force = max(
        (r for r in rates if date.fromisoformat(r["effective_from"]) <= TEST_NOW.date()),
        key=lambda r: r["effective_from"],
    )
    expected = int(
        (Decimal(paid.terms["fee"]["multiple"]) * in_force["amount"]).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )
    assert body["fee"] == {
        "kind": "bhm_multiple",
        "amount": expected,
        "currency": "UZS",
        "multiple": paid.terms["fee"]["multiple"],
        "as_of": TEST_NOW.date().isoformat(),
        "source": body["fee"]["source"],  # its act (tests/e2e/test_fee_sources_http.py)
        "parts": [
            {
                "code": "duty",
                "multiple": paid.terms["fee"]["multiple"],
                "amount": expected,
                "source": body["fee"]["source"],
            }
        ],
        "by_field": None,
    }
    assert body["version"] == 1
    assert [h["change"] for h in body["history"]] == ["published"]
    assert body["deadline_working_days"] == paid.terms["deadline_working_days"]
    assert len(body["required_documents"]) == len(paid.terms["required_documents"])


def test_the_bhm_schedule_shows_each_rate_with_its_source(client: TestClient) -> None:
    shipped = json.loads(
        resources.files("infrastructure.reference_data").joinpath("bhm_rates.json").read_text()
    )["rates"]
    items = client.get("/v1/bhm-rates").json()["items"]
    assert [(i["effective_from"], i["amount"]) for i in items] == [
        (r["effective_from"], r["amount"]) for r in shipped
    ]
    assert [i["source"] for i in items] == [r["source"] for r in shipped]
    assert all(i["currency"] == "UZS" for i in items)


def test_form_schema_is_served_with_titles_in_the_language(
    client: TestClient, reference: ReferenceData
) -> None:
    spec = reference.services[0]
    schema = client.get(f"/v1/services/{spec.code}/form", params={"lang": "ru"}).json()
    original = spec.terms["form_schema"]
    assert schema["examples"] == original["examples"]
    assert schema["required"] == original.get("required", schema.get("required"))
    field, definition = next(iter(original["properties"].items()))
    assert schema["properties"][field]["title"] == definition["x-titles"]["ru"]


def test_etag_revalidation(client: TestClient) -> None:
    first = client.get("/v1/services", params={"form": 4})
    etag = first.headers["etag"]
    again = client.get("/v1/services", params={"form": 4}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other_language = client.get(
        "/v1/services", params={"form": 4, "lang": "ru"}, headers={"If-None-Match": etag}
    )
    assert other_language.status_code == 200
    assert other_language.headers["etag"] != etag
    for path in ("/v1/territories", "/v1/agencies?flat=true", "/v1/territories/1703"):
        tag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": f'W/{tag}, "x"'}).status_code == 304


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:yagona:problem:")
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return dict(body)


def test_unknown_service_is_a_404_problem(client: TestClient) -> None:
    body = problem(client.get("/v1/services/no-such-service"), 404)
    assert body["type"] == "urn:yagona:problem:service-not-found"
    assert "no-such-service" in body["detail"]
    problem(client.get("/v1/services/no-such-service/form"), 404)
    problem(client.get("/v1/territories/99"), 404)
    problem(client.get("/v1/agencies/no-such-agency"), 404)


def test_unknown_version_is_a_404_problem(client: TestClient, reference: ReferenceData) -> None:
    code = reference.services[0].code
    problem(client.get(f"/v1/services/{code}", params={"version": 9}), 404)


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/v1/services", {"limit": 0}, "limit"),
        ("/v1/services", {"limit": 101}, "limit"),
        ("/v1/services", {"form": 7}, "form.0"),
        ("/v1/services", {"lang": "de"}, "lang"),
        ("/v1/services", {"jurisdiction": "village"}, "jurisdiction"),
        ("/v1/services", {"territory": "abc"}, "territory"),
        ("/v1/services", {"territory": "1799"}, "territory"),
        ("/v1/services", {"agency": "no-such-agency"}, "agency"),
        ("/v1/services", {"cursor": "not-a-cursor"}, "cursor"),
        ("/v1/services", {"status": "dormant"}, "status.0"),
        ("/v1/territories", {"level": "region"}, "level"),
        ("/v1/territories", {"flat": "true", "root": "1703"}, "root"),
        ("/v1/territories", {"root": "1799"}, "root"),
        ("/v1/territories", {"flat": "maybe"}, "flat"),
        ("/v1/agencies", {"level": "village"}, "level"),
        ("/v1/agencies", {"flat": "true", "cursor": "eyJ4IjoxfQ"}, "cursor"),
    ],
)
def test_bad_parameters_are_422_problems_naming_the_parameter(
    client: TestClient, path: str, params: dict[str, Any], name: str
) -> None:
    body = problem(client.get(path, params=params), 422)
    assert name in [error["name"] for error in body["errors"]]
    assert name.split(".", maxsplit=1)[0] in body["detail"]


def test_unknown_route_and_wrong_method_are_problems(client: TestClient) -> None:
    problem(client.get("/v1/nowhere"), 404)
    problem(client.post("/v1/services"), 405)


def test_territory_tree_and_flat_list(client: TestClient, reference: ReferenceData) -> None:
    tree = client.get("/v1/territories").json()
    assert tree["next"] is None
    (republic,) = tree["items"]
    assert republic["code"] == "17"
    assert len(republic["children"]) == 14
    andijan = next(c for c in republic["children"] if c["code"] == "1703")
    assert all(d["code"].startswith("1703") for d in andijan["children"])
    flat = client.get("/v1/territories", params={"flat": "true"}).json()
    assert len(flat["items"]) == len(reference.territories)
    assert "children" not in flat["items"][0]
    regions = all_pages(client, "/v1/territories", flat="true", level="region", limit=5)
    assert sorted(r["code"] for r in regions) == sorted(
        t.code for t in reference.territories if t.level == "region"
    )
    subtree = client.get("/v1/territories", params={"root": "1735", "lang": "en"}).json()
    assert subtree["items"][0]["name"] == "Republic of Karakalpakstan"


def test_one_territory_with_its_children(client: TestClient) -> None:
    body = client.get("/v1/territories/1726", params={"lang": "ru"}).json()
    assert body["level"] == "region"
    assert body["name"] == "город Ташкент"
    assert body["children"]
    assert all(child["parent"] == "1726" for child in body["children"])


def test_agencies_serving_a_district(client: TestClient) -> None:
    body = client.get("/v1/agencies", params={"territory": "1703202", "flat": "true"}).json()
    codes = {a["code"] for a in body["items"]}
    assert {"hokimiyat", "hokimiyat-1703", "hokimiyat-1703202"} <= codes
    assert all(a["territory"] in ("17", "1703", "1703202") for a in body["items"])


def test_agency_tree_nests_branches(client: TestClient) -> None:
    body = client.get("/v1/agencies", params={"kind": "hokimiyat", "lang": "en"}).json()
    (cabinet,) = body["items"]
    assert cabinet["code"] == "hokimiyat"
    assert cabinet["parent"] is None
    assert len(cabinet["children"]) == 14
    andijan = next(c for c in cabinet["children"] if c["code"] == "hokimiyat-1703")
    assert all(d["parent"] == "hokimiyat-1703" for d in andijan["children"])
    within = client.get("/v1/agencies", params={"within": "1703", "kind": "hokimiyat"}).json()
    (root,) = within["items"]
    assert root["code"] == "hokimiyat-1703"
    assert root["parent"] == "hokimiyat"


def test_one_agency_by_code_and_by_id(client: TestClient) -> None:
    by_code = client.get("/v1/agencies/hokimiyat-1703").json()
    by_id = client.get(f"/v1/agencies/{by_code['id']}").json()
    assert by_code == by_id
    assert by_code["parent"] == "hokimiyat"
    assert {child["code"] for child in by_code["children"]} >= {"hokimiyat-1703202"}


def test_pagination_covers_every_agency_once(client: TestClient, reference: ReferenceData) -> None:
    items = all_pages(client, "/v1/agencies", flat="true", limit=250)
    expected = expand_agencies(reference.agency_kinds, reference.territories)
    assert sorted(a["code"] for a in items) == sorted(a.code for a in expected)


@pytest.mark.parametrize("query", ["Boʻz", "Бўз", "Boʻston", "Бўстон", "Бустанский", "Buston"])
def test_a_renamed_district_is_found_by_its_old_and_new_names(
    client: TestClient, query: str
) -> None:
    body = client.get("/v1/territories", params={"q": query, "lang": "uz-Latn"}).json()
    assert body["next"] is None
    found = {t["code"]: t for t in body["items"]}
    boston = found["1703209"]
    assert boston["name"] == "Boʻston tumani"
    assert [(f["name"], f["until"]) for f in boston["former_names"]] == [
        ("Boʻz tumani", "2024-01-01")
    ]
    assert "children" not in boston


def test_a_search_by_q_ranks_current_names_first_and_filters_by_level(
    client: TestClient,
) -> None:
    body = client.get("/v1/territories", params={"q": "Sergeli"}).json()
    assert body["items"][0]["code"] == "1726283"
    old = client.get("/v1/territories", params={"q": "Sirgʻali", "level": "district"}).json()
    assert [t["code"] for t in old["items"]] == ["1726283"]
    cities = client.get("/v1/territories", params={"q": "Sirgʻali", "level": "city"}).json()
    assert cities["items"] == []
    nothing = client.get("/v1/territories", params={"q": "Qwertyuiop"}).json()
    assert nothing["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "..."}, "q"),
        ({"q": "Boz", "root": "1703"}, "root"),
        ({"q": "Boz", "parent": "17"}, "parent"),
    ],
)
def test_a_search_by_q_refuses_what_does_not_apply(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/v1/territories", params=params)
    assert response.status_code == 422
    assert field in response.text


def test_namangan_city_districts_are_districts(client: TestClient) -> None:
    for code in ("1714410", "1714415"):
        body = client.get(f"/v1/territories/{code}").json()
        assert body["level"] == "district"
        assert body["names"]["uz-Latn"].endswith(" tumani")


def test_yangi_toshkent_and_its_agencies(client: TestClient, reference: ReferenceData) -> None:
    body = client.get("/v1/territories/1726295", params={"lang": "uz-Cyrl"}).json()
    assert (body["level"], body["parent"], body["name"]) == (
        "district",
        "1726",
        "Янги Тошкент тумани",
    )
    agencies = client.get(
        "/v1/agencies", params={"within": "1726295", "flat": "true", "lang": "uz-Latn"}
    ).json()["items"]
    with_districts = {k.kind for k in reference.agency_kinds if k.branches.get("district")}
    assert {a["kind"] for a in agencies} == with_districts
    hokimiyat = next(a for a in agencies if a["kind"] == "hokimiyat")
    assert hokimiyat["name"] == "Yangi Toshkent tumani hokimligi"
    assert hokimiyat["parent"] == "hokimiyat-1726"


def test_a_renamed_districts_agencies_carry_the_new_name(client: TestClient) -> None:
    body = client.get("/v1/agencies/hokimiyat-1703209", params={"lang": "uz-Cyrl"}).json()
    assert body["name"] == "Бўстон тумани ҳокимлиги"


def test_the_hokimiyat_root_is_the_cabinet_of_ministers(client: TestClient) -> None:
    body = client.get("/v1/agencies/hokimiyat", params={"lang": "en"}).json()
    assert body["name"] == "Cabinet of Ministers of the Republic of Uzbekistan"
    assert body["parent"] is None
