"""Shared pytest configuration."""

from hypothesis import settings

# Property tests judge correctness, never speed (no deadline on a loaded 2-core CI machine),
# and draw the same examples on every run so CI is reproducible.
settings.register_profile("project", deadline=None, derandomize=True)
settings.load_profile("project")
