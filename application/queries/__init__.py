"""Query services: every read the clients serve, each taking the caller's ``Principal``,
asking ``application.authorization`` who may see what, and reading through a read-model
port (``application.read_models``) that a projection implements."""
