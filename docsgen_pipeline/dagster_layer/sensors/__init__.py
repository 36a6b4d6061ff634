"""Sensors: one module per sensor, assembled in ``dagster_layer.automation``."""
