"""Use cases as eventsourcing applications, process policies and ports.

Imports the domain, never the infrastructure: adapters arrive through the ports in
``application.ports``, wired by the composition root in ``infrastructure.container``.
"""
