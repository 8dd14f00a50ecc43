"""The cache of agency codes officers' tokens name: found codes remembered for a while and
within a bound, unknown ones asked again every time."""

from __future__ import annotations

from api.known_agencies import KnownAgencies


class Directory:
    def __init__(self, *codes: str) -> None:
        self.codes = set(codes)
        self.asked: list[str] = []

    def exists(self, code: str) -> bool:
        self.asked.append(code)
        return code in self.codes


def test_a_found_code_is_remembered_until_it_expires() -> None:
    now = [0.0]
    directory = Directory("justice-1703202")
    known = KnownAgencies(directory.exists, ttl=60, clock=lambda: now[0])
    assert "justice-1703202" in known
    assert "justice-1703202" in known
    assert directory.asked == ["justice-1703202"]
    now[0] = 61.0
    assert "justice-1703202" in known
    assert directory.asked == ["justice-1703202"] * 2


def test_an_unknown_code_is_asked_every_time_and_counts_once_registered() -> None:
    directory = Directory()
    known = KnownAgencies(directory.exists)
    assert "tax-1703" not in known
    assert "tax-1703" not in known
    directory.codes.add("tax-1703")
    assert "tax-1703" in known
    assert directory.asked == ["tax-1703"] * 3


def test_at_most_size_codes_are_remembered_least_recently_used_first_out() -> None:
    directory = Directory("a", "b", "c")
    known = KnownAgencies(directory.exists, size=2)
    assert all(code in known for code in ("a", "b"))
    assert "a" in known  # b is now the least recently used
    assert "c" in known  # b goes
    directory.asked.clear()
    assert "a" in known
    assert "c" in known
    assert "b" in known
    assert directory.asked == ["b"]
