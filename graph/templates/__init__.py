"""Jinja template, JavaScript and CSS of the HTML network view (inlined at render time)."""
