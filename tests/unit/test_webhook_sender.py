"""The HTTP sender (infrastructure/webhooks.py:HttpSender) against receivers on 127.0.0.1
only: it connects to the address it is given, never to what the URL's name resolves to, with
the URL's host in the Host header and, for https, in SNI and the certificate check; it follows
no redirect and consults no proxy; and what it logs is "timeout", "refused" or
"HTTP <status>", never the remote's own words."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infrastructure.webhooks import HttpSender
from tests.fakes import network

LOOPBACK = ip_address("127.0.0.1")


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records requests and answers ``status`` (with
    ``headers``), optionally over TLS."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"headers": dict(self.headers), "path": self.path, "body": body}
                )
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def post(sender: HttpSender, url: str, address: str = "127.0.0.1") -> Any:
    return sender.post(url, b'{"id":"1"}', {"X-Test": "1"}, address=ip_address(address))


def test_the_connection_goes_to_the_given_address_with_the_urls_host(receiver: Receiver) -> None:
    # The name resolves nowhere: only the address given is connected to.
    url = f"http://receiver.invalid:{receiver.port}/hook?x=1"
    result = post(HttpSender(), url)
    assert (result.status_code, result.error) == (200, None)
    [request] = receiver.received
    assert request["headers"]["Host"] == f"receiver.invalid:{receiver.port}"
    assert request["path"] == "/hook?x=1"
    assert request["body"] == b'{"id":"1"}'
    assert request["headers"]["X-Test"] == "1"
    assert request["headers"]["User-Agent"] == "Yagona-Webhooks/1"


def test_a_proxy_in_the_environment_is_not_used(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # the discard port: nothing there
    result = post(HttpSender(), f"http://receiver.invalid:{receiver.port}/hook")
    assert result.status_code == 200
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    elsewhere = Receiver()
    try:
        receiver.status = 302
        receiver.headers = {"Location": f"http://127.0.0.1:{elsewhere.port}/admin"}
        result = post(HttpSender(), f"http://receiver.invalid:{receiver.port}/hook")
        assert (result.status_code, result.error) == (302, "HTTP 302")
        assert not result.ok
        assert elsewhere.received == []
    finally:
        elsewhere.close()


def test_an_error_status_is_logged_as_the_status(receiver: Receiver) -> None:
    receiver.status = 500
    result = post(HttpSender(), f"http://receiver.invalid:{receiver.port}/hook")
    assert (result.status_code, result.error) == (500, "HTTP 500")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_is_refused() -> None:
    result = post(HttpSender(), f"http://receiver.invalid:{closed_port()}/hook")
    assert (result.status_code, result.error) == (None, "refused")


class RawServer:
    """A TCP listener on 127.0.0.1 that does ``behave(connection)`` with each connection: say
    something that is not HTTP, hang up, or say nothing."""

    def __init__(self, behave: Any) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.behave = behave
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            self.behave(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.connections:
            conn.close()


def hang_up(conn: socket.socket) -> None:
    conn.recv(65536)
    conn.close()


def banner(conn: socket.socket) -> None:  # what a database or SSH port might say
    conn.sendall(b"SSH-2.0-OpenSSH_9.6 secret-internal-banner\r\n")
    conn.close()


def silent(conn: socket.socket) -> None:
    pass  # keeps the connection open and answers nothing


@pytest.mark.parametrize("behave", [hang_up, banner], ids=["hangs up", "not HTTP"])
def test_a_receiver_that_does_not_answer_http_is_refused_without_its_words(behave: Any) -> None:
    server = RawServer(behave)
    try:
        result = post(HttpSender(timeout=5), f"http://receiver.invalid:{server.port}/hook")
    finally:
        server.close()
    assert (result.status_code, result.error) == (None, "refused")


def test_a_receiver_that_says_nothing_times_out() -> None:
    server = RawServer(silent)
    try:
        result = post(HttpSender(timeout=0.3), f"http://receiver.invalid:{server.port}/hook")
    finally:
        server.close()
    assert (result.status_code, result.error) == (None, "timeout")


def certificate(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for ``name`` and a client context
    that trusts it (and nothing else)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    seen: list[str | None] = []
    server.sni_callback = lambda _sock, sni, _ctx: seen.append(sni)  # type: ignore[assignment,func-returns-value]
    client = ssl.create_default_context(cadata=cert_pem.decode())
    client.seen_sni = seen  # type: ignore[attr-defined]
    return server, client


def test_https_verifies_the_certificate_for_the_urls_host_and_sends_it_as_sni(
    tmp_path: Path,
) -> None:
    server_tls, client_tls = certificate(tmp_path, "receiver.example")
    receiver = Receiver(tls=server_tls)
    try:
        sender = HttpSender(timeout=5, tls=client_tls)
        ok = post(sender, f"https://receiver.example:{receiver.port}/hook")
        wrong = post(sender, f"https://other.example:{receiver.port}/hook")
    finally:
        receiver.close()
    assert (ok.status_code, ok.error) == (200, None)
    assert receiver.received[0]["headers"]["Host"] == f"receiver.example:{receiver.port}"
    assert client_tls.seen_sni[0] == "receiver.example"  # type: ignore[attr-defined]
    # The certificate is for receiver.example: another name at the same address is refused.
    assert (wrong.status_code, wrong.error) == (
        None,
        "refused: TLS handshake or certificate failed",
    )
    assert len(receiver.received) == 1


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    server_tls, _ = certificate(tmp_path, "receiver.example")
    receiver = Receiver(tls=server_tls)
    try:
        result = post(HttpSender(timeout=5), f"https://receiver.example:{receiver.port}/hook")
    finally:
        receiver.close()
    assert (result.status_code, result.error) == (
        None,
        "refused: TLS handshake or certificate failed",
    )
    assert receiver.received == []


def test_the_suites_guard_refuses_any_address_outside_loopback() -> None:
    """The test suite's own guard (tests/conftest.py): a public address is refused before a
    packet leaves, so no test can reach one."""
    before = len(network.BLOCKED)
    result = post(HttpSender(), "http://bank.example/hook", address=network.PUBLIC)
    assert (result.status_code, result.error) == (None, "refused")
    assert network.BLOCKED[before:] == [(network.PUBLIC, 80)]
    network.BLOCKED[before:] = []
