"""Data-tier knobs of an environment profile: Aurora, DocumentDB, Redis, DynamoDB."""

from __future__ import annotations

from pydantic import Field

from environments.sections.base import StrictModel


class AuroraProfile(StrictModel):
    enabled: bool = Field(False, description="Build the Aurora PostgreSQL cluster.")


class DocumentDbProfile(StrictModel):
    enabled: bool = Field(False, description="Build the DocumentDB cluster.")


class RedisProfile(StrictModel):
    enabled: bool = Field(False, description="Build the ElastiCache Redis replication group.")


class DynamoDbProfile(StrictModel):
    enabled: bool = Field(False, description="Build the DynamoDB tables.")
