"""Registration numbers of agencies' decisions: short, readable, per agency and year.

    IIB-1726269-2026-000001   (an agency's branch: kind's abbreviation, its SOATO code)
    ADL-2026-000042           (a republic-level body)

Each agency numbers its decisions of a calendar year 1, 2, 3... with no gap: the counter
is an aggregate saved in the same transaction as the decision it numbers, so a decision
that is not recorded takes no number, and two concurrent decisions cannot take the same
one (the second save conflicts on the counter's version and is retried).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.ids import natural_id
from domain.quoting import quoted

# The registry abbreviation of each kind of agency (the Uzbek initials of its name).
ABBREVIATIONS: dict[str, str] = {
    "hokimiyat": "HOK",  # hokimlik
    "justice": "ADL",  # adliya
    "public_services": "DXA",  # Davlat xizmatlari agentligi
    "cadastre": "KDA",  # Kadastr agentligi
    "social_protection": "IHMA",  # Ijtimoiy himoya milliy agentligi
    "pension_fund": "BPJ",  # Byudjetdan tashqari Pensiya jamgʻarmasi
    "preschool_school": "MMTV",  # Maktabgacha va maktab taʼlimi vazirligi
    "internal_affairs": "IIB",  # Ichki ishlar boshqarmasi
    "construction": "QUV",  # Qurilish va uy-joy kommunal xoʻjaligi vazirligi
    "tax": "SQ",  # Soliq qoʻmitasi
    "health": "SSV",  # Sogʻliqni saqlash vazirligi
    "ecology": "EKV",  # Ekologiya vazirligi
    "electric_networks": "HET",  # Hududiy elektr tarmoqlari
    "gas_supply": "HGT",  # Hududgaztaʼminot
    "water_supply": "OST",  # Oʻzsuvtaʼminot
    "archive": "OZA",  # Oʻzarxiv
    "higher_education": "OTV",  # Oliy taʼlim, fan va innovatsiyalar vazirligi
    "transport": "TV",  # Transport vazirligi
    "energy": "EV",  # Energetika vazirligi
    "employment": "BKV",  # Bandlik va kambagʻallikni qisqartirish vazirligi
}
REGISTRATION_NUMBER = re.compile(r"[A-Z]{2,5}(-\d{2}|-\d{4}|-\d{7})?-\d{4}-\d{6,}")
_AGENCY_CODE = re.compile(r"([a-z][a-z0-9_]*?)(?:-(\d{2}|\d{4}|\d{7}))?")


def abbreviation(kind: str) -> str:
    """The kind's registry abbreviation; for a kind not in the table, the initials of its
    words (at least two letters)."""
    known = ABBREVIATIONS.get(kind)
    if known is not None:
        return known
    words = [w for w in kind.split("_") if w]
    initials = "".join(w[0] for w in words).upper()
    return initials if len(initials) >= 2 else kind[:3].upper()


def registration_prefix(agency_code: str) -> str:
    """``justice-1703202`` -> ``ADL-1703202``; ``justice`` -> ``ADL``."""
    match = _AGENCY_CODE.fullmatch(agency_code)
    if match is None:
        raise InvalidInput(f"no registration prefix for agency code {quoted(agency_code)}")
    kind, soato = match.groups()
    return f"{abbreviation(kind)}-{soato}" if soato else abbreviation(kind)


class RegistrationCounter(Aggregate):
    """The decisions one agency registered in one year, numbered without gaps."""

    class Started(Aggregate.Created):
        agency_code: str
        year: int
        prefix: str

    class NumberIssued(Aggregate.Event):
        number: int
        registration_number: str
        meta: dict[str, str]

    @staticmethod
    def create_id(agency_code: str, year: int, **_: Any) -> UUID:
        return natural_id("registration-counters", f"{agency_code}:{year}")

    @classmethod
    def start(cls, agency_code: str, year: int) -> RegistrationCounter:
        if not 2000 <= year <= 9999:
            raise InvalidInput(f"a registration year has four digits, not {quoted(year)}")
        return cls(agency_code=agency_code, year=year, prefix=registration_prefix(agency_code))

    @event(Started)
    def __init__(self, agency_code: str, year: int, prefix: str) -> None:
        self.agency_code = agency_code
        self.year = year
        self.prefix = prefix
        self.last = 0

    def issue(self, *, meta: dict[str, str]) -> str:
        """The next number of the year, e.g. ``IIB-1726269-2026-000001``."""
        number = self.last + 1
        registration_number = f"{self.prefix}-{self.year}-{number:06d}"
        self._number_issued(number=number, registration_number=registration_number, meta=meta)
        return registration_number

    @event(NumberIssued)
    def _number_issued(self, number: int, registration_number: str, meta: dict[str, str]) -> None:
        self.last = number
