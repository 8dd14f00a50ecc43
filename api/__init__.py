"""The thin HTTP layer (FastAPI) and the ``yagona`` command line."""
