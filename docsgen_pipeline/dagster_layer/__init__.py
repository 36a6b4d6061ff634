"""The thin Dagster layer: assets, checks, jobs and resources built from the pure modules."""
