"""HTTP tests on the in-memory composition root: no PostgreSQL."""
