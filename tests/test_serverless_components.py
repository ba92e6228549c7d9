"""LambdaFunction, HttpApi and UserPool refuse bad arguments with one line naming the knob,
before anything is created."""

from __future__ import annotations

from typing import Any

import pytest

from components.http_api import HttpApiArgs, HttpRoute
from components.lambda_function import LambdaFunctionArgs
from components.user_pool import UserPoolSettings
from stacks.blueprints.upload_api import HANDLERS_DIR


def _function(**changes: Any) -> LambdaFunctionArgs:
    return LambdaFunctionArgs(**{"source_dir": HANDLERS_DIR, "handler": "handlers.upload",
                                 **changes})


def test_a_function_of_the_handlers_folder_is_accepted() -> None:
    assert _function(subnet_ids=["subnet-1"], vpc_id="vpc-1",
                     egress_cidr_blocks=["10.0.0.0/16"]).handler == "handlers.upload"


@pytest.mark.parametrize(("changes", "words"), [
    ({"handler": "missing.upload"}, "handler: 'missing.upload' names no module"),
    ({"runtime": "python2.7"}, "runtime: 'python2.7' is not supported"),
    ({"memory_mb": 64}, "memory_mb: 64 is outside"),
    ({"timeout_seconds": 901}, "timeout_seconds: 901 is outside"),
    ({"reserved_concurrency": 0}, "reserved_concurrency: 0 would stop the function"),
    ({"subnet_ids": ["subnet-1"]}, "subnet_ids: give subnet_ids and vpc_id together"),
    ({"vpc_id": "vpc-1"}, "subnet_ids: give subnet_ids and vpc_id together"),
    ({"subnet_ids": ["subnet-1"], "vpc_id": "vpc-1"}, "egress_cidr_blocks: a function in a "
     "VPC reaches nothing"),
])
def test_bad_function_arguments_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        _function(**changes)


ROUTE = HttpRoute("GET /video/{id}", "fn", "arn:invoke")


def test_routes_must_be_method_and_path() -> None:
    for key in ("GET video", "FETCH /video", "GET /video?x=1"):
        with pytest.raises(ValueError, match="is not 'METHOD /path'"):
            HttpRoute(key, "fn", "arn:invoke")


@pytest.mark.parametrize(("changes", "words"), [
    ({"routes": []}, "routes: empty"),
    ({"routes": [ROUTE, ROUTE]}, "routes: a route key appears twice"),
    ({"jwt_audiences": []}, "jwt_audiences: empty"),
    ({"throttling_rate_limit": 0}, "throttling: rate and burst must be positive"),
])
def test_bad_api_arguments_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        HttpApiArgs(**{"routes": [ROUTE], "jwt_issuer": "https://issuer",
                       "jwt_audiences": ["client"], **changes})


@pytest.mark.parametrize(("changes", "words"), [
    ({"mfa": "SOMETIMES"}, "mfa: 'SOMETIMES' is unknown"),
    ({"access_token_minutes": 2}, "access_token_minutes: 2 is outside"),
    ({"refresh_token_days": 0}, "refresh_token_days: 0 is outside"),
])
def test_bad_user_pool_settings_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        UserPoolSettings(**changes)
