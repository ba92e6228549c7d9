"""Observability knobs of an environment profile."""

from __future__ import annotations

from pydantic import Field

from environments.sections.base import StrictModel


class ObservabilityProfile(StrictModel):
    enabled: bool = Field(True, description="Alarms, dashboard and audit trail.")
