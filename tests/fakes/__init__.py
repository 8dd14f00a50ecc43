"""In-memory stand-ins for the adapters and read models, for tests that need no PostgreSQL."""
