"""Markdown parsing shared by the generator and the gate (one parser, one slug function)."""
