"""marshmallow schemas: the one validation source for API JSON and HTML forms."""
