"""Reading briefs written as prose: headings by meaning, named items, relations from sentences.

Deterministic and model-free.  :func:`read_prose` turns a Markdown body into brief fields (the same
keys as a structured brief) plus an account of what it did not understand.
"""

from docsgen_pipeline.prose.reader import ProseReading, read_prose

__all__ = ["ProseReading", "read_prose"]
