"""Response and request models: the API's documented, stable shapes."""
