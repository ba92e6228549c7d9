"""Data-tier knobs of an environment profile: Aurora, DocumentDB, Redis, DynamoDB.

Defaults are the production choice; `protect_stateful`, `backup_retention_days` and
`availability` of the profile apply to every store (stacks/data.py wires them).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from environments.sections.base import DataClass, StrictModel

GlobalRole = Literal["none", "primary", "secondary"]
_GLOBAL_ID = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$")


class AuroraProfile(StrictModel):
    enabled: bool = Field(False, description="Build the Aurora PostgreSQL cluster.")
    engine_version: str = Field(
        "16.6", pattern=r"^\d+(\.\d+)?$",
        description="Aurora PostgreSQL version; its major picks the parameter family.")
    instance_class: str = Field(
        "db.r6g.large", pattern=r"^db\.",
        description="Class of every instance; `db.serverless` makes the cluster Serverless v2 "
        "(capacity between serverless_min_acu and serverless_max_acu).")
    instance_count: int = Field(
        2, ge=1, le=16,
        description="Writer plus readers, placed round-robin over the AZs; multi-az "
        "profiles need at least 2.")
    serverless_min_acu: float = Field(
        0.5, ge=0, le=256,
        description="Serverless v2 minimum ACU (0 lets the cluster auto-pause when idle).")
    serverless_max_acu: float = Field(16, ge=0.5, le=256,
                                      description="Serverless v2 maximum ACU.")
    database_name: str = Field("app", pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$",
                               description="Initial database name.")
    performance_insights_retention_days: int = Field(
        7, description="Performance Insights retention: 7 (free) or a multiple of 31 to 731.")
    global_role: GlobalRole = Field(
        "none",
        description="Aurora global database role: `primary` creates the global cluster, "
        "`secondary` joins it from another region of the same jurisdiction.")
    global_cluster_identifier: str | None = Field(
        None,
        description="Name of the global cluster; the primary and secondary stack files set "
        "the same value (required unless global_role is none).")
    global_primary_region: str | None = Field(
        None, description="Region of the primary stack (required for a secondary).")
    data_class: DataClass = Field("user-pii", description="`data-class` tag of the cluster.")

    @model_validator(mode="after")
    def _global(self) -> AuroraProfile:
        if self.serverless_min_acu > self.serverless_max_acu:
            raise ValueError(f"serverless_min_acu {self.serverless_min_acu} exceeds "
                             f"serverless_max_acu {self.serverless_max_acu}; lower the minimum "
                             "or raise the maximum")
        if self.global_role == "none":
            return self
        if not self.global_cluster_identifier or not _GLOBAL_ID.match(
                self.global_cluster_identifier):
            raise ValueError(f"global_cluster_identifier {self.global_cluster_identifier!r} is "
                             f"not usable for global_role {self.global_role}; set it to the "
                             "shared name, e.g. course-platform-prod-us")
        if self.global_role == "secondary" and not self.global_primary_region:
            raise ValueError("global_primary_region is missing for global_role secondary; set "
                             "it to the primary stack's region")
        return self


class DocumentDbProfile(StrictModel):
    enabled: bool = Field(False, description="Build the DocumentDB cluster.")
    engine_version: str = Field("5.0.0", pattern=r"^\d+\.\d+\.\d+$",
                                description="DocumentDB engine version.")
    instance_class: str = Field("db.r6g.large", pattern=r"^db\.",
                                description="Class of every instance.")
    instance_count: int = Field(
        2, ge=1, le=16,
        description="Primary plus replicas over the AZs; multi-az profiles need at least 2.")
    data_class: DataClass = Field("user-pii", description="`data-class` tag of the cluster.")


class RedisProfile(StrictModel):
    enabled: bool = Field(False, description="Build the ElastiCache Redis replication group.")
    engine: Literal["redis", "valkey"] = Field("redis", description="Cache engine.")
    engine_version: str = Field("7.1", pattern=r"^\d+\.\d+$",
                                description="Engine version as major.minor.")
    node_type: str = Field("cache.r7g.large", pattern=r"^cache\.",
                           description="Node type of the primary and the replicas.")
    replicas: int = Field(
        2, ge=0, le=5,
        description="Read replicas besides the primary; at least 1 gives Multi-AZ automatic "
        "failover (multi-az profiles need it).")
    data_class: DataClass = Field("user-pii", description="`data-class` tag of the group.")


class DynamoTableProfile(StrictModel):
    hash_key: str = Field("pk", description="Partition key attribute.")
    range_key: str | None = Field("sk", description="Sort key attribute (null for none).")
    attributes: dict[str, Literal["S", "N", "B"]] = Field(
        default_factory=lambda: {"pk": "S", "sk": "S"},
        description="Key attributes and their types (S, N, B).")
    ttl_attribute: str | None = Field(None, description="Expiry attribute; enables TTL.")
    data_class: DataClass = Field("user-pii", description="`data-class` tag of the table.")


class DynamoDbProfile(StrictModel):
    enabled: bool = Field(False, description="Build the DynamoDB tables.")
    tables: dict[str, DynamoTableProfile] = Field(
        default_factory=lambda: {"user-data": DynamoTableProfile()},
        description="Table name -> keys; default one single-table-design table `user-data`.")
    replica_regions: list[str] = Field(
        default_factory=list,
        description="Regions every table replicates to (global tables); each must be in the "
        "stack's jurisdiction (checked when the stack is built).")
