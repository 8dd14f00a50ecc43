"""Adapters and wiring: settings, PostgreSQL (external or embedded), logging, tokens,
reference data, and the composition root (``infrastructure.container``)."""
