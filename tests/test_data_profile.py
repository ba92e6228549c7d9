"""Data-tier profile knobs: production defaults and one-line refusals of bad combinations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from environments.sections.data import AuroraProfile, DynamoDbProfile, RedisProfile


def test_production_defaults() -> None:
    aurora = AuroraProfile()
    assert aurora.instance_count >= 2 and aurora.global_role == "none"
    assert RedisProfile().replicas >= 1
    assert DynamoDbProfile().replica_regions == []
    assert set(DynamoDbProfile().tables["user-data"].attributes) == {"pk", "sk"}


@pytest.mark.parametrize(("values", "message"), [
    ({"global_role": "secondary", "global_cluster_identifier": "course-platform-prod-us"},
     "global_primary_region is missing for global_role secondary; set it to the primary "
     "stack's region"),
    ({"global_role": "primary"},
     "global_cluster_identifier None is not usable for global_role primary"),
    ({"global_role": "primary", "global_cluster_identifier": "bad--name"},
     "global_cluster_identifier 'bad--name' is not usable"),
    ({"serverless_min_acu": 8, "serverless_max_acu": 4},
     "serverless_min_acu 8.0 exceeds serverless_max_acu 4.0"),
])
def test_aurora_profile_refusals(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AuroraProfile.model_validate(values)


def test_unknown_region_key_is_refused() -> None:
    with pytest.raises(ValidationError,
                       match=r"\breplica_region\n\s+Extra inputs are not permitted"):
        DynamoDbProfile.model_validate({"replica_region": ["us-west-2"]})
