"""Compute knobs of an environment profile: EKS and ECS Fargate."""

from __future__ import annotations

from pydantic import Field

from environments.sections.base import StrictModel


class EksProfile(StrictModel):
    enabled: bool = Field(False, description="Build the EKS cluster in this environment.")


class EcsProfile(StrictModel):
    enabled: bool = Field(False, description="Build the ECS Fargate web service.")
