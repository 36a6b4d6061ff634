"""Jinja templates of the template agent, one per file kind (shipped as package data)."""
