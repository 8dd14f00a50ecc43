"""Read models. One package or module per read model: it owns its tables, its event
handlers and its queries, and writes each row change with its tracking position in one
transaction, so a crash never double-applies or loses an event."""
