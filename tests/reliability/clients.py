"""Client threads of the fault-tolerance tests, writing over HTTP to the ``yagona``
processes of support.py: each write retried with its ``Idempotency-Key`` until
acknowledged, and every exchange and acknowledgement kept in a ledger.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from application.principal import Principal
from tests.documents import attachments
from tests.e2e.cases import DISTRICT, service_example
from tests.reliability.support import CITIZENS, FREE, OFFICER, PAID, PROBLEM_JSON, System


@dataclass(frozen=True)
class Seen:
    """One HTTP exchange as a client saw it (no body: bodies may carry personal data)."""

    at: float
    method: str
    route: str
    status: int | None  # None: no response (connection refused or reset, timeout)
    content_type: str
    problem_status: int | None
    elapsed: float


@dataclass
class Ledger:
    """What the clients were told: every acknowledged write, and every exchange."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    submission_keys: dict[str, str] = field(default_factory=dict)  # key -> citizen
    keys: Counter[str] = field(default_factory=Counter)  # idempotency keys used, per route
    unacknowledged: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def ack(self, kind: str, ident: str) -> None:
        with self.lock:
            self.acknowledged.setdefault(kind, []).append(ident)

    def count(self, kind: str) -> int:
        with self.lock:
            return len(self.acknowledged.get(kind, []))

    def total(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acknowledged.values())

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def since(self, start: float) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.at >= start]


RETRYABLE = {502, 503, 504}


class Client:
    """One citizen's (and the officer's) writes from a thread. Each write carries an
    ``Idempotency-Key`` and is retried with it, as a careful client would, after a
    connection error, a 503 or an "in progress" 409, until it is answered or
    ``retry_for`` seconds pass."""

    def __init__(
        self,
        system: System,
        ledger: Ledger,
        citizen: str,
        *,
        request_timeout: float = 15.0,
        retry_for: float = 60.0,
    ) -> None:
        self.system = system
        self.ledger = ledger
        self.citizen = citizen
        self.request_timeout = request_timeout
        self.retry_for = retry_for
        self.session = requests.Session()
        tokens = system.container.tokens
        self.auth = {
            "citizen": f"Bearer {tokens.mint(Principal(citizen, 'citizen'), ttl_seconds=7200)}",
            "officer": f"Bearer {tokens.mint(OFFICER, ttl_seconds=7200)}",
        }

    def once(
        self, method: str, path: str, route: str, as_: str | None, **kwargs: Any
    ) -> requests.Response | None:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = self.auth[as_]
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.system.base_url + path,
                headers=headers,
                timeout=self.request_timeout,
                **kwargs,
            )
        except requests.RequestException:
            self.session.close()  # drop pooled connections to a dead server
            self.ledger.record(
                Seen(started, method, route, None, "", None, time.monotonic() - started)
            )
            return None
        content_type = response.headers.get("content-type", "")
        problem = None
        if content_type.startswith(PROBLEM_JSON):
            try:
                problem = int(response.json().get("status"))
            except (ValueError, TypeError, AttributeError):
                problem = -1
        self.ledger.record(
            Seen(
                started,
                method,
                route,
                response.status_code,
                content_type,
                problem,
                time.monotonic() - started,
            )
        )
        return response

    def write(
        self, path: str, route: str, as_: str, body: dict[str, Any] | None = None
    ) -> requests.Response | None:
        """POST until answered (anything but no answer, a 5xx or an in-progress 409)."""
        key = uuid.uuid4().hex
        with self.ledger.lock:
            self.ledger.keys[route] += 1
            if route == "submit":
                self.ledger.submission_keys[key] = self.citizen
        deadline = time.monotonic() + self.retry_for
        while time.monotonic() < deadline:
            response = self.once(
                "POST", path, route, as_, json=body or {}, headers={"Idempotency-Key": key}
            )
            if response is not None and not _retry(response):
                return response
            time.sleep(0.1 + random.random() * 0.2)  # noqa: S311 - jitter
        with self.ledger.lock:
            self.ledger.unacknowledged[route] += 1
        return None

    def read(self, path: str, route: str, as_: str | None) -> requests.Response | None:
        return self.once("GET", path, route, as_)

    # --- the scenario of one round ------------------------------------------------------

    def submit(self, code: str) -> str | None:
        body: dict[str, Any] = {
            "service_code": code,
            "territory": DISTRICT,
            "form": service_example(code),
            "language": "ru",
            "attachments": attachments(code),
        }
        response = self.write("/v1/applications", "submit", "citizen", body)
        if response is None or response.status_code != 201:
            self._unexpected("submit", response)
            return None
        key = str(response.json()["id"])
        self.ledger.ack("application", key)
        return key

    def decide(self, key: str) -> None:
        accepted = self.write(f"/v1/applications/{key}/acceptance", "accept", "officer")
        if accepted is None:
            return
        # A 409 here can be a retry whose first attempt was accepted before a crash.
        if accepted.status_code not in (200, 409):
            self._unexpected("accept", accepted)
            return
        decided = self.write(
            f"/v1/applications/{key}/decision",
            "decide",
            "officer",
            {"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"},
        )
        if decided is not None and decided.status_code == 201:
            self.ledger.ack("decision", key)
        elif decided is not None and decided.status_code != 409:
            self._unexpected("decide", decided)

    def pay(self, key: str) -> None:
        started = self.write(f"/v1/applications/{key}/payments", "pay", "citizen")
        if started is None or started.status_code != 200:
            self._unexpected("pay", started)
            return
        payment = started.json()
        self.ledger.ack("payment", str(payment["id"]))
        page = "/" + payment["confirmation_url"].split("/", 3)[3]
        paid = self.write(page, "sandbox", "citizen", {"outcome": "succeeded"})
        if paid is not None and paid.status_code == 200:
            self.ledger.ack("payment_succeeded", str(payment["id"]))
        elif paid is not None and paid.status_code != 409:
            self._unexpected("sandbox", paid)

    def appeal(self) -> None:
        body = {"territory": DISTRICT, "subject": "utilities", "text": "No water since Monday."}
        filed = self.write("/v1/appeals", "appeal", "citizen", body)
        if filed is not None and filed.status_code == 201:
            self.ledger.ack("appeal", str(filed.json()["id"]))
        else:
            self._unexpected("appeal", filed)

    def round(self, n: int) -> None:
        free = self.submit(FREE)
        if free is not None:
            self.decide(free)
        if n % 2 == 0:
            paid = self.submit(PAID)
            if paid is not None:
                self.pay(paid)
        if n % 3 == 0:
            self.appeal()
        self.read("/v1/applications", "list", "citizen")

    def _unexpected(self, route: str, response: requests.Response | None) -> None:
        if response is not None:
            with self.ledger.lock:
                self.ledger.unacknowledged[f"{route}:{response.status_code}"] += 1


def _retry(response: requests.Response) -> bool:
    if response.status_code in RETRYABLE:
        return True
    if response.status_code == 409 and response.headers.get("content-type", "").startswith(
        PROBLEM_JSON
    ):
        return str(response.json().get("type", "")).endswith("idempotency-key-in-progress")
    return False


class Load:
    """``threads`` clients running rounds until stopped."""

    def __init__(self, system: System, threads: int = 4, **client: Any) -> None:
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.rounds = 0
        self.clients = [
            Client(system, self.ledger, CITIZENS[i % len(CITIZENS)], **client)
            for i in range(threads)
        ]
        self.threads = [
            threading.Thread(target=self._run, args=(c,), name=f"client-{i}", daemon=True)
            for i, c in enumerate(self.clients)
        ]

    def _run(self, client: Client) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                client.round(n)
                n += 1
                with self.ledger.lock:
                    self.rounds += 1
        except BaseException as error:  # reported by the test
            self.ledger.errors.append(error)

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def finish(self, timeout: float = 120) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"
        assert not self.ledger.errors, self.ledger.errors

    def __enter__(self) -> Load:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)
