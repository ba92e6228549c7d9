"""Reusable Pulumi component resources of the platform, one module per building block."""
