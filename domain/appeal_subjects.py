"""What appeals are about, and the level of hokimiyat that owns each subject."""

from __future__ import annotations

from domain.errors import InvalidInput

DISTRICT, REGION = "district", "region"
SUBJECTS: dict[str, str] = {
    "application": DISTRICT,  # an application or a decision on it
    "utilities": DISTRICT,
    "housing": DISTRICT,
    "land": DISTRICT,
    "local-roads": DISTRICT,
    "social-support": DISTRICT,
    "education": DISTRICT,
    "healthcare": DISTRICT,
    "public-order": DISTRICT,
    "other": DISTRICT,
    "regional-roads": REGION,
    "public-transport": REGION,
    "environment": REGION,
    "investment": REGION,
}


def subject_level(subject: str) -> str:
    level = SUBJECTS.get(subject)
    if level is None:
        raise InvalidInput(f"subject must be one of {', '.join(sorted(SUBJECTS))}")
    return level
