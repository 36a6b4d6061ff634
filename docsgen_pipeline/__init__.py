"""DocsGen: a Dagster pipeline that turns a project brief into a validated documentation set."""

__version__ = "0.1.0"
