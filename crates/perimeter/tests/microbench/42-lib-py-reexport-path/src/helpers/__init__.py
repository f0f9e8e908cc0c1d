from .files import read_document, read_thumbnail

__all__ = ["read_document", "read_thumbnail"]
