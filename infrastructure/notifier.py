"""Notifier adapters. The default logs each notice (what changed, for whom by pseudonym or
agency code; never a name or PINFL): the outbox table is the record, a real channel (SMS,
e-mail, the portal's inbox) plugs in here."""

from __future__ import annotations

import structlog

from application.ports import Notice

log = structlog.get_logger("yagona.notifications")


class LogNotifier:
    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        log.info(
            "notification.sent",
            notice=notice.id,
            subject_kind=notice.subject_kind,
            number=notice.number,
            status=notice.status,
            recipient_kind=notice.recipient_kind,
            recipient=notice.recipient,
        )
        self.sent.append(notice)
        del self.sent[:-1000]  # keep the last few (tests and debugging), not all
