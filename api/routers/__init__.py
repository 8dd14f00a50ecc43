"""Thin routers: parse the request, call a use case or a read model, map the result."""
