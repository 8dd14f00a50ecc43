"""What the read models hold and how the application asks them: the rows, filters and
vocabularies of each read model, and the port (a Protocol) its projection implements.
Query services (``application.queries``) read through these ports only, so they can be
given an in-memory stand-in in tests, and ``api`` never imports a projection."""
