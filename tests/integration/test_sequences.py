"""Unique numbers from PostgreSQL sequences, under concurrent first use."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from infrastructure.container import Container
from infrastructure.sequences import PostgresSequences


def test_concurrent_first_use_creates_one_sequence_and_unique_numbers(
    container: Container,
) -> None:
    datastore = container.catalogue_view.datastore
    instances = [PostgresSequences(datastore) for _ in range(8)]  # as many processes would
    start = threading.Barrier(8)

    def take(sequences: PostgresSequences) -> list[int]:
        start.wait()
        return [sequences.next_value("race") for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = [n for batch in pool.map(take, instances) for n in batch]
    assert sorted(numbers) == list(range(1, 201))
