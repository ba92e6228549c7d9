"""LiveChannel: validation, the ladder -> encoder settings mapping, and the planned graph."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pulumi
import pulumi_aws.medialive._inputs as medialive_inputs
import pytest

from components.live_channel import (
    DEFAULT_LADDER,
    LiveChannel,
    LiveChannelArgs,
    Rendition,
    SpekeDrm,
    encoder_settings,
)
from platformctl.fixtures import NewResource, resource_outputs
from tests.plans import PlanView, in_region, run_offline

DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E1PDK09ESKHJWT"
STUDIO = ["203.0.113.0/24"]
ENDPOINT = "aws-native:mediapackagev2:OriginEndpoint"
ENDPOINT_POLICY = "aws-native:mediapackagev2:OriginEndpointPolicy"


def plan_live(args: LiveChannelArgs, *, admit: bool = True) -> tuple[PlanView, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def build(opts: pulumi.ResourceOptions) -> None:
        live = LiveChannel("live", args, opts=opts)
        seen["live"] = live
        if admit:
            live.admit_cdn(DISTRIBUTION_ARN)

    return run_offline(in_region("us-east-1", build)), seen


def policy(doc: Any) -> dict[str, Any]:
    return json.loads(doc) if isinstance(doc, str) else doc


def actions(document: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for statement in document["Statement"]:
        value = statement["Action"]
        out.extend([value] if isinstance(value, str) else value)
    return out


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("cidrs", "message"), [
    ([], "input_cidrs: empty"),
    (["0.0.0.0/0"], "whole internet"),
    (["203.0.113.0/24", "0.0.0.0/0"], "whole internet"),
    (["0.0.0.0/4"], "too much of it"),
    (["::/0"], "IPv6"),
    (["2001:db8::/32"], "IPv6"),
    (["203.0.113.7/24"], "not a network CIDR"),
    (["studio"], "not a network CIDR"),
])
def test_input_allow_list_refuses_the_world_and_nonsense(cidrs: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        LiveChannelArgs(input_cidrs=cidrs)
    assert str(error.value).startswith("input_cidrs: ")


def test_mediaconnect_needs_a_flow_per_pipeline_and_no_cidrs() -> None:
    flow = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-abc:studio"
    with pytest.raises(ValueError, match="mediaconnect_flow_arns: 1 given; a STANDARD channel "
                                         "needs 2"):
        LiveChannelArgs(input_type="MEDIACONNECT", mediaconnect_flow_arns=[flow])
    with pytest.raises(ValueError, match="input_cidrs: a MEDIACONNECT input takes no input "
                                         "security group"):
        LiveChannelArgs(input_type="MEDIACONNECT", input_cidrs=STUDIO,
                        mediaconnect_flow_arns=[flow, flow.replace("abc", "def")])
    LiveChannelArgs(input_type="MEDIACONNECT", channel_class="SINGLE_PIPELINE",
                    mediaconnect_flow_arns=[flow])


def test_pull_urls_only_for_url_pull_and_only_https() -> None:
    with pytest.raises(ValueError, match="pull_urls: only used by URL_PULL"):
        LiveChannelArgs(input_cidrs=STUDIO, pull_urls=["https://a/x.m3u8"])
    with pytest.raises(ValueError, match="not https"):
        LiveChannelArgs(input_type="URL_PULL", channel_class="SINGLE_PIPELINE",
                        pull_urls=["http://a/x.m3u8"])


@pytest.mark.parametrize(("ladder", "message"), [
    ([], "ladder: empty"),
    ([Rendition(name="720p", width=1280, height=720, bitrate=3_000_000),
      Rendition(name="720p", width=1280, height=720, bitrate=2_000_000)], "duplicate rendition"),
])
def test_ladder_validation(ladder: list[Rendition], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LiveChannelArgs(input_cidrs=STUDIO, ladder=ladder)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "720P!", "width": 1280, "height": 720, "bitrate": 3_000_000}, "name '720P!'"),
    ({"name": "odd", "width": 1281, "height": 720, "bitrate": 3_000_000}, "width 1281"),
    ({"name": "huge", "width": 7680, "height": 4320, "bitrate": 20_000_000}, "width 7680"),
    ({"name": "kbps", "width": 1280, "height": 720, "bitrate": 3500}, "bitrate 3500"),
    ({"name": "starved", "width": 1920, "height": 1080, "bitrate": 200_000}, "bits per pixel"),
])
def test_rendition_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rendition(**kwargs)


def test_other_validation_messages_name_the_field() -> None:
    for kwargs, message in [({"channel_class": "DOUBLE"}, "channel_class: 'DOUBLE'"),
                            ({"startover_window_seconds": 30}, "startover_window_seconds"),
                            ({"segment_seconds": 20, "manifest_window_seconds": 40},
                             "manifest_window_seconds: shorter than three segments"),
                            ({"hls_container": "MP4"}, "hls_container"),
                            ({"channel_group_name": "has space"}, "channel_group_name")]:
        with pytest.raises(ValueError, match=message):
            LiveChannelArgs(input_cidrs=STUDIO, **kwargs)
    with pytest.raises(ValueError, match="drm.url"):
        SpekeDrm(url="http://keys", role_arn="arn:aws:iam::123456789012:role/speke",
                 resource_id="c")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"input_resolution": "4K"},
     "input_resolution: '4K' is unknown; use one of SD, HD, UHD"),
    ({"log_level": "VERBOSE"},
     "log_level: 'VERBOSE' is unknown; use one of ERROR, WARNING, INFO, DEBUG, DISABLED"),
])
def test_literal_fields_are_checked_at_runtime(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        LiveChannelArgs(input_cidrs=STUDIO, **kwargs)


# ---- the ladder -> encoder settings mapping --------------------------------------------------


def test_encoder_settings_encode_every_rendition_into_the_mediapackage_group() -> None:
    ladder = list(DEFAULT_LADDER)
    settings = encoder_settings(ladder, segment_seconds=4, destination_id="dest")
    videos = {v["name"]: v for v in settings["video_descriptions"]}
    assert set(videos) == {"video-1080p", "video-720p", "video-540p"}
    h264 = videos["video-720p"]["codec_settings"]["h264_settings"]
    assert (videos["video-720p"]["width"], videos["video-720p"]["height"]) == (1280, 720)
    assert h264["rate_control_mode"] == "QVBR" and h264["max_bitrate"] == 3_500_000
    [group] = settings["output_groups"]
    hls = group["output_group_settings"]["hls_group_settings"]
    assert hls["destination"] == {"destination_ref_id": "dest"}
    assert hls["segment_length"] == 4
    assert "hls_basic_put_settings" in hls["hls_cdn_settings"][0]
    audio_names = {a["name"] for a in settings["audio_descriptions"]}
    for output, rendition in zip(group["outputs"], ladder, strict=True):
        assert output["video_description_name"] == f"video-{rendition.name}"
        assert set(output["audio_description_names"]) <= audio_names
    names = [o["output_settings"]["hls_output_settings"]["name_modifier"]
             for o in group["outputs"]]
    assert len(set(names)) == len(names)


def _build_args(cls: type, value: dict[str, Any]) -> Any:
    """Construct pulumi_aws's typed args from the dict: every key must be a real argument."""
    parameters = inspect.signature(cls.__init__).parameters
    kwargs: dict[str, Any] = {}
    for key, item in value.items():
        assert key in parameters, f"{cls.__name__} has no argument '{key}'"
        nested = re.search(r"(Channel\w+Args)", str(parameters[key].annotation))
        if nested and isinstance(item, dict):
            item = _build_args(getattr(medialive_inputs, nested.group(1)), item)
        elif nested and isinstance(item, list):
            item = [_build_args(getattr(medialive_inputs, nested.group(1)), i)
                    if isinstance(i, dict) else i for i in item]
        kwargs[key] = item
    return cls(**kwargs)


def test_encoder_settings_use_only_real_pulumi_aws_arguments() -> None:
    args = _build_args(medialive_inputs.ChannelEncoderSettingsArgs,
                       encoder_settings(list(DEFAULT_LADDER)))
    assert len(args.video_descriptions) == 3


def test_the_argument_check_catches_a_misspelt_key() -> None:
    settings = encoder_settings(list(DEFAULT_LADDER))
    settings["video_descriptions"][0]["codec_settings"]["h264_settings"]["max_bitrates"] = 1
    with pytest.raises(AssertionError, match="max_bitrates"):
        _build_args(medialive_inputs.ChannelEncoderSettingsArgs, settings)


# ---- the planned graph -----------------------------------------------------------------------


def test_input_admits_only_the_allow_list() -> None:
    plan, _ = plan_live(LiveChannelArgs(input_cidrs=["203.0.113.0/24", "198.51.100.0/24"]))
    isg = plan.one("aws:medialive/inputSecurityGroup:InputSecurityGroup")
    assert [r["cidr"] for r in isg["props"]["whitelistRules"]] == ["203.0.113.0/24",
                                                                    "198.51.100.0/24"]
    medialive_input = plan.one("aws:medialive/input:Input")
    assert medialive_input["props"]["type"] == "RTMP_PUSH"
    # The id the offline fixtures give this InputSecurityGroup, computed independently.
    isg_id, _ = resource_outputs(NewResource(type=isg["type"], name=isg["name"], urn=isg["urn"],
                                             inputs=isg["props"], region=isg["region"]))
    assert medialive_input["props"]["inputSecurityGroups"] == [isg_id]
    assert len(medialive_input["props"]["destinations"]) == 2


def test_standard_channel_pushes_the_ladder_to_both_ingest_endpoints() -> None:
    plan, _ = plan_live(LiveChannelArgs(input_cidrs=STUDIO))
    channel = plan.one("aws:medialive/channel:Channel")["props"]
    assert channel["channelClass"] == "STANDARD"
    assert channel["startChannel"] is False
    assert len(channel["encoderSettings"]["videoDescriptions"]) >= 3
    ingest = plan.one("aws-native:mediapackagev2:Channel")
    [destination] = channel["destinations"]
    urls = [s["url"] for s in destination["settings"]]
    assert len(urls) == 2 and len(set(urls)) == 2
    assert all(".ingest." in u and "mediapackagev2" in u for u in urls)
    assert ingest["props"]["inputType"] == "HLS"
    group = channel["encoderSettings"]["outputGroups"][0]["outputGroupSettings"]
    assert group["hlsGroupSettings"]["destination"]["destinationRefId"] == destination["id"]


def test_single_pipeline_uses_one_ingest_endpoint() -> None:
    plan, live = plan_live(LiveChannelArgs(input_cidrs=STUDIO, channel_class="SINGLE_PIPELINE"))
    channel = plan.one("aws:medialive/channel:Channel")["props"]
    assert channel["channelClass"] == "SINGLE_PIPELINE"
    assert len(channel["destinations"][0]["settings"]) == 1
    assert len(plan.one("aws:medialive/input:Input")["props"]["destinations"]) == 1
    assert [m.dimensions["Pipeline"] for m in live["live"].monitored
            if m.kind == "medialive"] == ["0"]


def test_hls_and_dash_endpoints_with_a_startover_window() -> None:
    plan, live = plan_live(LiveChannelArgs(input_cidrs=STUDIO, startover_window_seconds=3600))
    endpoints = {e["props"]["originEndpointName"]: e["props"] for e in plan.of_type(ENDPOINT)}
    assert set(endpoints) == {"live-hls", "live-dash"}
    hls, dash = endpoints["live-hls"], endpoints["live-dash"]
    assert hls["hlsManifests"] and "dashManifests" not in hls
    assert dash["dashManifests"] and dash["containerType"] == "CMAF"
    for endpoint in (hls, dash):
        assert endpoint["startoverWindowSeconds"] == 3600
        assert endpoint["segment"]["segmentDurationSeconds"] == 6
        assert "encryption" not in endpoint["segment"]
    component = live["live"]
    assert component.hls_path == "/out/v1/live-test/live-channel/live-hls/index.m3u8"
    assert component.dash_path == "/out/v1/live-test/live-channel/live-dash/index.mpd"
    assert component.path_pattern == "/out/v1/live-test/live-channel/*"
    assert {m.kind for m in component.monitored} == {"medialive", "mediapackage"}


def test_endpoint_policies_admit_only_the_cdn_distribution() -> None:
    plan, _ = plan_live(LiveChannelArgs(input_cidrs=STUDIO))
    endpoints = {e["props"]["originEndpointName"] for e in plan.of_type(ENDPOINT)}
    policies = plan.of_type(ENDPOINT_POLICY)
    assert {p["props"]["originEndpointName"] for p in policies} == endpoints
    for resource in policies:
        document = policy(resource["props"]["policy"])
        [statement] = document["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert sorted(actions(document)) == ["mediapackagev2:GetHeadObject",
                                             "mediapackagev2:GetObject"]
        assert statement["Resource"].endswith(
            f"/originEndpoint/{resource['props']['originEndpointName']}")
        assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": [DISTRIBUTION_ARN]}}


def test_no_endpoint_policy_until_the_cdn_is_admitted_and_only_once() -> None:
    plan, live = plan_live(LiveChannelArgs(input_cidrs=STUDIO), admit=False)
    assert plan.of_type(ENDPOINT_POLICY) == []

    def build(opts: pulumi.ResourceOptions) -> None:
        component = LiveChannel("live", LiveChannelArgs(input_cidrs=STUDIO), opts=opts)
        component.admit_cdn(DISTRIBUTION_ARN)
        message = ("admit_cdn: already called on live; pass every distribution ARN in one "
                   "call (one policy per endpoint)")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            component.admit_cdn(DISTRIBUTION_ARN)

    run_offline(in_region("us-east-1", build))


def test_medialive_role_is_least_privilege() -> None:
    plan, _ = plan_live(LiveChannelArgs(input_cidrs=STUDIO))
    role = plan.one("aws:iam/role:Role")
    trust = policy(role["props"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "medialive.amazonaws.com"}
    document = policy(plan.one("aws:iam/rolePolicy:RolePolicy")["props"]["policy"])
    assert all("*" not in a for a in actions(document))
    ingest = [s for s in document["Statement"] if s["Action"] == "mediapackagev2:PutObject"]
    mp_channel = plan.one("aws-native:mediapackagev2:Channel")
    assert [s["Resource"] for s in ingest] == [
        "arn:aws:mediapackagev2:us-east-1:123456789012:channelGroup/live-test/channel/live-channel"]
    assert mp_channel["props"]["channelName"] == "live-channel"
    for statement in document["Statement"]:
        resources = statement["Resource"]
        assert resources != "*" and "*" not in ([resources] if isinstance(resources, str)
                                                else resources)
    channel_policy = policy(plan.one("aws-native:mediapackagev2:ChannelPolicy")["props"]["policy"])
    [statement] = channel_policy["Statement"]
    assert statement["Principal"]["AWS"].startswith("arn:aws:iam::123456789012:role/live-medialive")
    assert statement["Action"] == "mediapackagev2:PutObject"


def test_drm_encrypts_both_endpoints_through_speke() -> None:
    drm = SpekeDrm(url="https://keys.example.com/speke/v2",
                   role_arn="arn:aws:iam::123456789012:role/speke", resource_id="live-1")
    plan, _ = plan_live(LiveChannelArgs(input_cidrs=STUDIO, drm=drm))
    methods = {}
    for endpoint in plan.of_type(ENDPOINT):
        encryption = endpoint["props"]["segment"]["encryption"]
        assert encryption["spekeKeyProvider"]["url"] == drm.url
        assert encryption["spekeKeyProvider"]["roleArn"] == drm.role_arn
        methods[endpoint["props"]["originEndpointName"]] = encryption["encryptionMethod"]
    assert methods == {"live-hls": {"cmafEncryptionMethod": "CBCS"},
                       "live-dash": {"cmafEncryptionMethod": "CENC"}}
