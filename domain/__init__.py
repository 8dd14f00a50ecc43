"""Yagona's domain: aggregates, events, value objects and rules.

Pure by contract (checked by import-linter): the standard library and
``eventsourcing.domain`` only. No I/O; time, actor and ids come in with commands.
"""
