"""Hostile input gets a 4xx problem document naming what is wrong, never a 500: malformed
JSON and bodies not labelled JSON on every POST, bodies over the limit, out-of-range and
non-numeric page sizes, forged cursors, very long query strings, NUL characters and broken
Unicode, values of the wrong type. Routes are taken from the app itself, so a new endpoint
is covered the day it is added."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routers.guards import SMALL_BODY
from infrastructure.container import Container
from tests.e2e.cases import citizen, service_example, submission
from tests.reliability.hostile_requests import (
    NUL_BODIES,
    RAW_BODY,
    REQUIRED,
    SSRF_URLS,
    WRONG_TYPES,
    assert_problem,
    caller_for,
    credentials,
    fill,
    named,
    query_names,
    required_query,
    routes,
)
from tests.reliability.world import World, bearer, world_client, world_container

__all__ = ["credentials", "world_client", "world_container"]  # fixtures used here


# --- bodies ---------------------------------------------------------------------------


def test_malformed_json_on_every_post_is_a_422_naming_the_body(world_client: TestClient) -> None:
    posts = routes(world_client, "POST")
    assert len(posts) > 20
    for route in posts:
        response = world_client.post(
            fill(route), content=b'{"broken": ', headers={"Content-Type": "application/json"}
        )
        if route.path in RAW_BODY:
            assert_problem(response)
        elif route.body_field is not None:
            body = assert_problem(response, 422)
            assert "JSON" in body["detail"], body
            assert body["errors"][0]["in"] == "body", body
        elif route.path == "/v1/payments/sandbox/{provider_payment_id}":
            assert assert_problem(response, 422)["detail"] == "the body is not JSON"
        else:  # takes no body: the request is judged without it
            assert_problem(response, 401)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"text": "abc', "Unterminated string starting at character 9"),
        (b'{"text": "a\x01"}', "Invalid control character at character 11"),
        (b'{"text" 1}', "Expecting ':' delimiter at character 8"),
    ],
)
def test_a_malformed_json_body_says_why_and_where_once(
    world_client: TestClient, world_container: Container, body: bytes, detail: str
) -> None:
    """json's own reason may end in "at" already: the position is not given "at at"."""
    response = world_client.post(
        "/v1/appeals",
        content=body,
        headers={"Content-Type": "application/json", **bearer(world_container, citizen())},
    )
    problem = assert_problem(response, 422)
    assert problem["detail"] == f"the body is not valid JSON: {detail}"
    assert problem["errors"] == [
        {"name": "body", "in": "body", "detail": f"is not valid JSON: {detail}"}
    ]


def test_a_body_not_labelled_json_is_a_415_on_every_post(world_client: TestClient) -> None:
    for route in routes(world_client, "POST"):
        if route.body_field is None:
            continue
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {"Content-Type": content_type} if content_type else {}
            response = world_client.post(fill(route), content=b"{}", headers=headers)
            if content_type is None:  # httpx sends none: the body is unlabelled
                assert response.request.headers.get("content-type") is None
            body = assert_problem(response, 415)
            assert "application/json" in body["detail"], body


def test_bodies_over_the_limit_are_refused_before_they_are_read(
    world_client: TestClient, world_container: Container
) -> None:
    auth = bearer(world_container, citizen())
    filler = b"x" * (SMALL_BODY + 1)
    big = b'{"territory":"1703202","subject":"utilities","text":"' + filler + b'"}'
    for extra in ({}, {"Idempotency-Key": "oversized-1"}):
        response = world_client.post(
            "/v1/appeals",
            content=big,
            headers={"Content-Type": "application/json", **auth, **extra},
        )
        assert_problem(response, 413)
    # Just under the limit: read, then refused for what it says (the text is too long).
    fits = b'{"territory":"1703202","subject":"utilities","text":"' + b"x" * 20000 + b'"}'
    response = world_client.post(
        "/v1/appeals", content=fits, headers={"Content-Type": "application/json", **auth}
    )
    assert named(assert_problem(response, 422), "body", "text")


def test_a_body_that_is_not_utf8_is_a_400(world_client: TestClient) -> None:
    response = world_client.post(
        "/v1/appeals", content=b'{"text": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)


@pytest.mark.parametrize("value", ["[]", "null", '"text"', "12", "true"])
def test_a_body_that_is_not_an_object_is_a_422(
    world_client: TestClient, credentials: dict[str, dict[str, str]], value: str
) -> None:
    for route in routes(world_client, "POST"):
        if route.body_field is None:
            continue
        path = fill(route)
        headers = {"Content-Type": "application/json", **caller_for(path, credentials)}
        response = world_client.post(path, content=value.encode(), headers=headers)
        if value == "null" and not route.body_field.field_info.is_required():
            assert response.status_code < 500, (route.path, response.text[:300])
            continue  # an optional body may be null
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["in"] == "body", (route.path, problem)
    # Without credentials, authentication is judged first.
    response = world_client.post(
        "/v1/appeals", content=value.encode(), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 401)


@pytest.mark.parametrize(("path", "body", "fields"), WRONG_TYPES)
def test_values_of_the_wrong_type_are_422s_naming_each_field(
    world_client: TestClient,
    credentials: dict[str, dict[str, str]],
    path: str,
    body: dict[str, Any],
    fields: set[str],
) -> None:
    response = world_client.post(path, json=body, headers=caller_for(path, credentials))
    problem = assert_problem(response, 422)
    for name in fields:
        assert named(problem, "body", name), problem


def test_a_huge_value_in_any_body_field_gets_a_small_answer(
    world_client: TestClient, credentials: dict[str, dict[str, str]]
) -> None:
    """Every field of every POST body (and of a form) a 2 MB text: a problem under 4 KiB."""
    huge, service = "Z" * (2 * 1024 * 1024), "birth-registration"
    for route in routes(world_client, "POST"):
        if route.body_field is None or route.path in RAW_BODY:
            continue
        model = route.body_field.field_info.annotation
        fields = getattr(model, "model_fields", {}) or {"x": None}
        path = fill(route)
        bodies = [dict.fromkeys(fields, huge)]
        if "form" in fields:
            bodies.append(submission(form=dict.fromkeys(service_example(service), huge)))
        for body in bodies:
            response = world_client.post(path, json=body, headers=caller_for(path, credentials))
            assert_problem(response)
            assert len(response.content) < 4096, (path, response.content[:300])
            assert "Z" * 100 not in response.text, path


# --- query strings ----------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["-1", "0", "1000000000000", "ten", "1.5", ""])
def test_page_sizes_out_of_range_are_422s_naming_limit(
    world_client: TestClient, credentials: dict[str, dict[str, str]], limit: str
) -> None:
    paged = [r for r in routes(world_client, "GET") if "limit" in query_names(r)]
    assert len(paged) > 10
    for route in paged:
        path = fill(route)
        response = world_client.get(
            path,
            params={**required_query(route), "limit": limit},
            headers=caller_for(path, credentials),
        )
        assert named(assert_problem(response, 422), "query", "limit"), route.path


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "eyJhIjoxfQ",  # base64 of {"a":1}: a cursor of no endpoint
        "eyJvZmZzZXQiOi0xfQ",  # {"offset":-1}
        "A" * 2000,
    ],
)
def test_forged_cursors_are_422s_naming_cursor(
    world_client: TestClient,
    world_container: Container,
    credentials: dict[str, dict[str, str]],
    cursor: str,
) -> None:
    world = World(world_container, world_client)
    subscription = world.webhook(credentials["/v1/webhooks"])["id"]
    paged = [r for r in routes(world_client, "GET") if "cursor" in query_names(r)]
    assert len(paged) > 10
    for route in paged:
        path = fill(route, subscription if route.path.startswith("/v1/webhooks/") else None)
        if route.path.startswith("/v1/audit/actors"):
            path = fill(route, "officer-17")
        response = world_client.get(
            path,
            params={**required_query(route), "cursor": cursor},
            headers=caller_for(path, credentials),
        )
        assert named(assert_problem(response, 422), "query", "cursor"), route.path


def test_very_long_query_values_are_refused_or_harmless(
    world_client: TestClient, credentials: dict[str, dict[str, str]]
) -> None:
    long = "ж" * 8000  # 16 kB in UTF-8, 48 kB percent-encoded
    for route in routes(world_client, "GET"):
        path = fill(route)
        for name in query_names(route) - set(REQUIRED):
            response = world_client.get(
                path,
                params={**required_query(route), name: long},
                headers=caller_for(path, credentials),
            )
            if response.status_code == 422:
                assert named(assert_problem(response), "query", name), (route.path, name)
            else:  # refused for another reason, or a free-text filter that found nothing
                assert response.status_code < 500, (route.path, name, response.text[:300])
        unknown = world_client.get(
            path,
            params={**required_query(route), "x" * 100: long},
            headers=caller_for(path, credentials),
        )
        assert unknown.status_code < 500, (route.path, unknown.text[:300])


# --- NUL characters and Unicode ---------------------------------------------------------


def test_nul_in_any_path_parameter_is_a_422_naming_it(
    world_client: TestClient, credentials: dict[str, dict[str, str]]
) -> None:
    for method in ("GET", "POST", "DELETE"):
        for route in routes(world_client, method):
            if not route.dependant.path_params:
                continue
            path = fill(route, "a%00b")
            response = world_client.request(method, path, headers=caller_for(path, credentials))
            problem = assert_problem(response, 422)
            assert problem["errors"][0]["in"] == "path", (route.path, problem)


def test_nul_in_any_query_parameter_is_a_422_naming_it(
    world_client: TestClient, credentials: dict[str, dict[str, str]]
) -> None:
    for route in routes(world_client, "GET"):
        path = fill(route)
        for name in query_names(route):
            response = world_client.get(
                path,
                params={**required_query(route), name: "a\x00b"},
                headers=caller_for(path, credentials),
            )
            assert named(assert_problem(response, 422), "query", name), (route.path, name)


def test_undecodable_bytes_in_any_query_parameter_are_a_422_naming_it(
    world_client: TestClient, credentials: dict[str, dict[str, str]]
) -> None:
    """Percent-encoded bytes that are not UTF-8 would reach the route as U+FFFD: a search
    for them found the whole catalogue."""
    for route in routes(world_client, "GET"):
        path = fill(route)
        headers = caller_for(path, credentials)
        required = "&".join(f"{k}={v}" for k, v in required_query(route).items())
        for name in query_names(route):
            for raw in ("%ff%fe", "abc%c3", "%e2%82"):  # not UTF-8; a truncated sequence
                query = "&".join(filter(None, (required, f"{name}={raw}")))
                response = world_client.get(f"{path}?{query}", headers=headers)
                problem = assert_problem(response, 422)
                assert named(problem, "query", name), (route.path, name, problem)
        # An undecodable name is refused too (it cannot be named: shown escaped).
        response = world_client.get(f"{path}?%ff=1", headers=headers)
        assert "UTF-8" in assert_problem(response, 422)["detail"], route.path
    # Valid UTF-8 is not refused: лицензия, percent-encoded.
    found = world_client.get("/v1/services?q=%D0%BB%D0%B8%D1%86%D0%B5%D0%BD%D0%B7%D0%B8%D1%8F")
    assert found.status_code == 200, found.text


@pytest.mark.parametrize(("url", "detail"), SSRF_URLS)
def test_webhook_receivers_inside_the_network_are_422s_saying_why(
    world_client: TestClient, credentials: dict[str, dict[str, str]], url: str, detail: str
) -> None:
    body = {"url": url, "event_types": ["*"]}
    response = world_client.post("/v1/webhooks", json=body, headers=credentials["/v1/webhooks"])
    assert detail in assert_problem(response, 422)["detail"]


@pytest.mark.parametrize(("path", "body", "pointer"), NUL_BODIES)
def test_nul_in_a_json_body_is_a_422_naming_the_field(
    world_client: TestClient,
    credentials: dict[str, dict[str, str]],
    path: str,
    body: dict[str, Any],
    pointer: str,
) -> None:
    response = world_client.post(path, json=body, headers=caller_for(path, credentials))
    problem = assert_problem(response, 422)
    assert named(problem, "body", pointer), problem


def test_text_in_any_script_round_trips_and_broken_unicode_is_refused(
    world_client: TestClient, world_container: Container
) -> None:
    auth = bearer(world_container, citizen())
    text = "Suv yoʻq — Воды нет 🚱 \u200fلا يوجد ماء\u200f e\u0301 \u200b\t\n“quoted” <b>&amp;</b>"
    body = {"territory": "1703202", "subject": "utilities", "text": text}
    filed = world_client.post("/v1/appeals", json=body, headers=auth)
    assert filed.status_code == 201, filed.text
    read = world_client.get(f"/v1/appeals/{filed.json()['number']}", headers=auth)
    assert read.json()["text"] == text
    lone_surrogate = b'{"territory":"1703202","subject":"utilities","text":"a\\ud800b"}'
    response = world_client.post(
        "/v1/appeals", content=lone_surrogate, headers={"Content-Type": "application/json", **auth}
    )
    assert named(assert_problem(response, 422), "body", "text")
    # Percent-encoded bytes that are not UTF-8, in a path and in a query.
    assert world_client.get("/v1/services/%ff%fe").status_code == 404
    problem = assert_problem(world_client.get("/v1/services?q=%ff%fe"), 422)
    assert named(problem, "query", "q"), problem
    assert problem["detail"].startswith("query parameter 'q' is not valid UTF-8"), problem


def test_a_malformed_idempotency_key_is_a_422_naming_the_header(
    world_client: TestClient, world_container: Container
) -> None:
    auth = bearer(world_container, citizen())
    for key in ("k" * 256, "spaces are not visible ascii", ""):
        response = world_client.post(
            "/v1/appeals",
            json={"territory": "1703202", "subject": "utilities", "text": "x"},
            headers={**auth, "Idempotency-Key": key},
        )
        assert named(assert_problem(response, 422), "header", "Idempotency-Key"), key


def test_an_unsupported_method_is_a_405_listing_every_method_of_the_path(
    world_client: TestClient,
) -> None:
    for path, methods in (
        ("/v1/appeals", {"GET", "POST"}),
        ("/v1/webhooks/" + str(uuid.uuid4()), {"GET", "DELETE"}),
        ("/v1/payments/sandbox/x", {"GET", "POST"}),
    ):
        response = world_client.request("PATCH", path)
        assert_problem(response, 405)
        assert set(response.headers["allow"].split(", ")) - {"HEAD"} == methods, path


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/v1/payments/reconciliation", "date", "0"),
        ("/v1/payments/reconciliation", "date", "1732700000"),
        ("/v1/read-models/payments", "to", "0"),
        ("/v1/read-models/applications-summary", "from", "20261127"),
        ("/v1/audit/applications/AR-2026-0000001/state", "at", "0"),
    ],
)
def test_numbers_are_not_dates(
    world_client: TestClient,
    credentials: dict[str, dict[str, str]],
    path: str,
    name: str,
    value: str,
) -> None:
    """Pydantic would read a number as seconds since 1970: `date=0` is not 1970-01-01."""
    response = world_client.get(path, params={name: value}, headers=caller_for(path, credentials))
    assert named(assert_problem(response, 422), "query", name)
