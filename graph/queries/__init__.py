"""Saved SPARQL queries shipped with labourgraph (``labourgraph query --list``)."""
