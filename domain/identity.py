"""Who acts: roles, and the citizen's personal identification number (PINFL)."""

from __future__ import annotations

import re
from datetime import date

from domain.errors import InvalidPinfl

CITIZEN = "citizen"
OFFICER = "officer"
AUDITOR = "auditor"
INTEGRATOR = "integrator"
ADMIN = "admin"
ROLES = (CITIZEN, OFFICER, AUDITOR, INTEGRATOR, ADMIN)

# What an integrator client may do.
FEED_READ = "feed:read"  # the ordered event feed
READ_MODELS_READ = "read-models:read"  # summaries, the payments ledger, the decisions register
PERSONAL_DATA_READ = "personal-data:read"  # unredacted payloads in the feed and webhooks
WEBHOOKS_MANAGE = "webhooks:manage"  # register and remove webhook subscriptions
SCOPES = (FEED_READ, READ_MODELS_READ, PERSONAL_DATA_READ, WEBHOOKS_MANAGE)

_PINFL = re.compile(r"[1-6]\d{13}")
# First digit: century and sex (1/2: 1800s, 3/4: 1900s, 5/6: 2000s; odd male, even female).
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def validate_pinfl(value: str) -> str:
    """Return ``value`` if it is a well-formed PINFL, else raise ``InvalidPinfl``.

    14 digits: the first (1-6) encodes century and sex, digits 2-7 the birth date DDMMYY.
    The message never echoes the value (it is personal data).
    """
    if not isinstance(value, str) or not _PINFL.fullmatch(value):
        raise InvalidPinfl("a PINFL is 14 digits and starts with 1-6")
    day, month, year = int(value[1:3]), int(value[3:5]), int(value[5:7])
    try:
        date(_CENTURY[value[0]] + year, month, day)
    except ValueError:
        raise InvalidPinfl("a PINFL's digits 2-7 must be a valid birth date (DDMMYY)") from None
    return value
