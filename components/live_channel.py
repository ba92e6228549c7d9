"""LiveChannel: MediaLive encoding into MediaPackage v2, HLS and DASH origins for a CDN.

    contributor --RTMP (allow-listed CIDRs)--> MediaLive Input --> MediaLive Channel
        (ABR ladder, two pipelines when STANDARD) --HLS, SigV4-signed PUT--> MediaPackage v2
        Channel (both ingest endpoints) --> origin endpoints HLS (CMAF or TS) + DASH (CMAF)
        with a start-over window --> CloudFront (the edge layer)

Provider notes
- pulumi_aws's MediaLive Channel knows only MediaPackage v1 destinations
  (`media_package_settings` has a channel id, no v2 channel group) and no CMAF-ingest
  output group. So the channel writes an HLS output group with `hls_basic_put` to the two
  v2 ingest endpoints: AWS documents this path ("HLS output group to MediaPackage v2": no
  user credentials, MediaLive signs with its role). The v2 channel's input type is
  therefore HLS; the origin endpoints still repackage to CMAF for HLS and DASH.
- MediaPackage v2 comes from pulumi_aws_native (pulumi_aws has no origin endpoints).
  Ingest is authorised twice, as AWS documents: the MediaLive role may
  `mediapackagev2:PutObject` on this channel, and the channel policy admits that role.

CDN access (how the edge layer fronts this channel)
- AWS documents CloudFront origin access control (OAC) for MediaPackage v2: the
  distribution signs origin requests (SigV4, OAC origin type `mediapackagev2`), and each
  origin endpoint carries an OriginEndpointPolicy allowing the `cloudfront.amazonaws.com`
  service principal `mediapackagev2:GetObject`/`GetHeadObject` only when
  `AWS:SourceArn` is the distribution's ARN. That is what `admit_cdn` creates. (CDN
  authorization headers with a Secrets Manager secret are the older, non-AWS-CDN path;
  they need a shared secret to rotate, so they are not used here.)
- The edge layer runs after the video layer, so the policy cannot be built in this
  constructor. The edge layer reads `ctx.components["live"]`, points an origin at
  `origin_domain` (with `OAC_ORIGIN_TYPE`), routes `path_pattern` (or `hls_path` and
  `dash_path`) to it, and then calls `live.admit_cdn(distribution.arn)`, which creates the
  endpoint policies as children of this LiveChannel. Until it is called no endpoint
  policy exists, and MediaPackage v2 answers unauthenticated egress requests with 403:
  the channel fails closed.
- The MediaLive channel is created stopped (`start_channel=False`): an operator starts it
  for a class, so an idle channel does not bill by the hour.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.labels import child_name, resource_tags
from components.monitoring import MonitoredResource

ChannelClass = Literal["STANDARD", "SINGLE_PIPELINE"]
CHANNEL_CLASSES: tuple[str, ...] = ("STANDARD", "SINGLE_PIPELINE")
InputType = Literal["RTMP_PUSH", "MEDIACONNECT", "URL_PULL"]
INPUT_TYPES: tuple[str, ...] = ("RTMP_PUSH", "MEDIACONNECT", "URL_PULL")
HlsContainer = Literal["CMAF", "TS"]
HLS_CONTAINERS: tuple[str, ...] = ("CMAF", "TS")
INPUT_RESOLUTIONS: tuple[str, ...] = ("SD", "HD", "UHD")
LOG_LEVELS: tuple[str, ...] = ("ERROR", "WARNING", "INFO", "DEBUG", "DISABLED")
PIPELINES = {"STANDARD": 2, "SINGLE_PIPELINE": 1}
# Narrowest networks an allow-list may name; wider ranges are "the internet" in disguise.
MIN_PREFIX_LENGTH = 8
MAX_RENDITIONS = 10
RENDITION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
AUDIO_SELECTOR = "default"
AUDIO_DESCRIPTION = "audio-aac"
DESTINATION_ID = "mediapackage-v2"
MANIFEST_NAME = "index"
OAC_ORIGIN_TYPE = "mediapackagev2"
"""CloudFront OriginAccessControl `origin_access_control_origin_type` for these origins."""
CDN_READ_ACTIONS = ["mediapackagev2:GetObject", "mediapackagev2:GetHeadObject"]
MEDIACONNECT_ACTIONS = ["mediaconnect:ManagedDescribeFlow", "mediaconnect:ManagedAddOutput",
                        "mediaconnect:ManagedRemoveOutput"]


@dataclass(frozen=True, kw_only=True)
class Rendition:
    """One rung of an adaptive-bitrate ladder (shared by LiveChannel and VodPipeline)."""

    name: str
    """Rendition name used in output names, e.g. `720p`; lower case, digits, dashes."""
    width: int
    """Frame width in pixels; even, 160 to 3840."""
    height: int
    """Frame height in pixels; even, 90 to 2160."""
    bitrate: int
    """Video bitrate in bits per second (live: the QVBR ceiling); 100 kb/s to 20 Mb/s."""

    def __post_init__(self) -> None:
        if not RENDITION_NAME.match(self.name):
            raise ValueError(f"ladder: rendition name '{self.name}' is invalid; use lower-case "
                             "letters, digits and dashes, at most 16 characters (e.g. 720p)")
        for dim, value, low, high in (("width", self.width, 160, 3840),
                                      ("height", self.height, 90, 2160)):
            if not low <= value <= high or value % 2:
                raise ValueError(f"ladder: rendition '{self.name}' {dim} {value} is not an even "
                                 f"number from {low} to {high}; pick a standard frame size")
        if not 100_000 <= self.bitrate <= 20_000_000:
            raise ValueError(f"ladder: rendition '{self.name}' bitrate {self.bitrate} is outside "
                             "100000..20000000 bit/s; give bits per second (3.5 Mb/s = 3500000)")
        # Fewer than ~0.02 bits per pixel per frame at 30 fps is unwatchable blockiness;
        # more than ~1 is wasted bandwidth: both are usually a unit mistake.
        bits_per_pixel = self.bitrate / (self.width * self.height * 30)
        if not 0.02 <= bits_per_pixel <= 1.0:
            raise ValueError(f"ladder: rendition '{self.name}' spends {bits_per_pixel:.3f} bits "
                             "per pixel per frame; keep 0.02..1 (e.g. 720p at 1.5-4 Mb/s)")


DEFAULT_LADDER: tuple[Rendition, ...] = (
    Rendition(name="1080p", width=1920, height=1080, bitrate=6_000_000),
    Rendition(name="720p", width=1280, height=720, bitrate=3_500_000),
    Rendition(name="540p", width=960, height=540, bitrate=2_000_000),
)


def validate_ladder(ladder: Sequence[Rendition], field_name: str = "ladder") -> None:
    """At least one rendition, at most MAX_RENDITIONS, unique names and unique sizes."""
    if not ladder:
        raise ValueError(f"{field_name}: empty; give at least one rendition (e.g. 720p)")
    if len(ladder) > MAX_RENDITIONS:
        raise ValueError(f"{field_name}: {len(ladder)} renditions; at most {MAX_RENDITIONS}")
    names = [r.name for r in ladder]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{field_name}: duplicate rendition names {', '.join(duplicates)}; "
                         "name each rendition once")
    sizes = [(r.width, r.height, r.bitrate) for r in ladder]
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"{field_name}: two renditions share size and bitrate; drop one")


@dataclass(frozen=True, kw_only=True)
class SpekeDrm:
    """SPEKE v2 DRM on the origin endpoints: HLS uses CBCS (FairPlay), DASH CENC."""

    url: str
    """SPEKE key server URL (https), usually an API Gateway in front of the DRM vendor."""
    role_arn: str
    """IAM role MediaPackage assumes to call the key server."""
    resource_id: str
    """Content id sent to the key server (one per channel)."""
    key_rotation_interval_seconds: int = 300
    """Key rotation period; 300 s (default) limits what one leaked key decrypts."""

    def __post_init__(self) -> None:
        if not self.url.startswith("https://"):
            raise ValueError(f"drm.url: '{self.url}' is not https; SPEKE must use TLS")
        if not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+", self.role_arn):
            raise ValueError(f"drm.role_arn: '{self.role_arn}' is not an IAM role ARN")
        if not self.resource_id:
            raise ValueError("drm.resource_id: empty; give the content id the key server knows")
        if not 300 <= self.key_rotation_interval_seconds <= 31_536_000:
            raise ValueError("drm.key_rotation_interval_seconds: use 300..31536000")


@dataclass(frozen=True, kw_only=True)
class LiveChannelArgs:
    input_cidrs: list[str] = field(default_factory=list)
    """IPv4 networks allowed to push to an RTMP_PUSH input (the studio's egress range).
    Required for push inputs, refused for the others (they take no input security group);
    0.0.0.0/0 and anything wider than /8 are refused: a world-open input lets anyone
    hijack the stream."""
    input_type: InputType = "RTMP_PUSH"
    """`RTMP_PUSH` (default, an encoder in the studio), `MEDIACONNECT` (flows in
    `mediaconnect_flow_arns`) or `URL_PULL` (HLS sources in `pull_urls`)."""
    mediaconnect_flow_arns: list[str] = field(default_factory=list)
    """MEDIACONNECT only: one flow ARN per pipeline (two for STANDARD)."""
    pull_urls: list[str] = field(default_factory=list)
    """URL_PULL only: one https HLS source URL per pipeline (two for STANDARD)."""
    channel_class: ChannelClass = "STANDARD"
    """`STANDARD` (default) runs two pipelines in two AZs and keeps serving when one fails;
    `SINGLE_PIPELINE` costs half and has no encoder redundancy."""
    ladder: list[Rendition] = field(default_factory=lambda: list(DEFAULT_LADDER))
    """ABR ladder, H.264 QVBR; default 1080p 6 Mb/s, 720p 3.5 Mb/s, 540p 2 Mb/s."""
    framerate: int = 30
    """Output frame rate (frames per second); 30 (default), 25, 50 or 60."""
    audio_bitrate: int = 128_000
    """AAC-LC stereo bitrate muxed into every rendition; 128 kb/s (default)."""
    segment_seconds: int = 6
    """Segment length of the ingest and of the origin endpoints; 6 s (default) is the usual
    latency/efficiency balance."""
    startover_window_seconds: int = 7200
    """How far back viewers can restart the stream; 2 hours (default) covers a class."""
    manifest_window_seconds: int = 60
    """Live window of each manifest; 60 s (default)."""
    hls_container: HlsContainer = "CMAF"
    """HLS endpoint container: `CMAF` (default, shares segments' format with DASH) or `TS`
    (older players)."""
    drm: SpekeDrm | None = None
    """SPEKE v2 encryption of both endpoints; None (default) serves clear streams."""
    channel_group_name: str | None = None
    """MediaPackage v2 channel group name (unique per account and region); default
    `<component name>-<stack>`."""
    input_resolution: Literal["SD", "HD", "UHD"] = "HD"
    """Contribution resolution MediaLive reserves capacity for; HD (default) fits 1080p."""
    log_level: Literal["ERROR", "WARNING", "INFO", "DEBUG", "DISABLED"] = "WARNING"
    """MediaLive channel log level (CloudWatch Logs, `ElementalMediaLive` group)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the MediaLive channel."""

    def __post_init__(self) -> None:
        if self.input_type not in INPUT_TYPES:
            raise ValueError(f"input_type: '{self.input_type}' is unknown; use one of "
                             f"{', '.join(INPUT_TYPES)}")
        if self.channel_class not in CHANNEL_CLASSES:
            raise ValueError(f"channel_class: '{self.channel_class}' is unknown; use one of "
                             f"{', '.join(CHANNEL_CLASSES)}")
        if self.hls_container not in HLS_CONTAINERS:
            raise ValueError(f"hls_container: '{self.hls_container}' is unknown; use one of "
                             f"{', '.join(HLS_CONTAINERS)}")
        if self.input_resolution not in INPUT_RESOLUTIONS:
            raise ValueError(f"input_resolution: '{self.input_resolution}' is unknown; use one "
                             f"of {', '.join(INPUT_RESOLUTIONS)}")
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"log_level: '{self.log_level}' is unknown; use one of "
                             f"{', '.join(LOG_LEVELS)}")
        pipelines = PIPELINES[self.channel_class]
        if self.input_type == "RTMP_PUSH":
            if not self.input_cidrs:
                raise ValueError("input_cidrs: empty; an RTMP_PUSH input needs the contributor's "
                                 "egress CIDRs (e.g. 203.0.113.0/24)")
            for cidr in self.input_cidrs:
                check_input_cidr(cidr)
        elif self.input_cidrs:
            raise ValueError(f"input_cidrs: a {self.input_type} input takes no input security "
                             "group; remove input_cidrs")
        sources = {"MEDIACONNECT": ("mediaconnect_flow_arns", self.mediaconnect_flow_arns),
                   "URL_PULL": ("pull_urls", self.pull_urls)}
        for kind, (field_name, values) in sources.items():
            if self.input_type == kind and len(values) != pipelines:
                raise ValueError(f"{field_name}: {len(values)} given; a {self.channel_class} "
                                 f"channel needs {pipelines} (one per pipeline)")
            if self.input_type != kind and values:
                raise ValueError(f"{field_name}: only used by {kind} inputs; remove it or set "
                                 f"input_type='{kind}'")
        for url in self.pull_urls:
            if not url.startswith("https://"):
                raise ValueError(f"pull_urls: '{url}' is not https; pull sources over TLS")
        for arn in self.mediaconnect_flow_arns:
            if not re.match(r"^arn:aws[a-z-]*:mediaconnect:[a-z0-9-]+:\d{12}:flow:", arn):
                raise ValueError(f"mediaconnect_flow_arns: '{arn}' is not a MediaConnect flow ARN")
        validate_ladder(self.ladder)
        if self.framerate not in (25, 30, 50, 60):
            raise ValueError(f"framerate: {self.framerate}; use 25, 30, 50 or 60")
        if not 64_000 <= self.audio_bitrate <= 320_000:
            raise ValueError(f"audio_bitrate: {self.audio_bitrate}; use 64000..320000 bit/s")
        if not 1 <= self.segment_seconds <= 30:
            raise ValueError(f"segment_seconds: {self.segment_seconds}; use 1..30")
        if not 60 <= self.startover_window_seconds <= 1_209_600:
            raise ValueError(f"startover_window_seconds: {self.startover_window_seconds}; "
                             "MediaPackage v2 allows 60..1209600 (14 days)")
        if not 30 <= self.manifest_window_seconds <= 900:
            raise ValueError(f"manifest_window_seconds: {self.manifest_window_seconds}; use "
                             "30..900")
        if self.manifest_window_seconds < 3 * self.segment_seconds:
            raise ValueError("manifest_window_seconds: shorter than three segments; players "
                             "stall. Raise it or shorten segment_seconds")
        if self.channel_group_name is not None and not NAME_PATTERN.match(self.channel_group_name):
            raise ValueError(f"channel_group_name: '{self.channel_group_name}' must be 1-64 "
                             "letters, digits, '-' or '_'")


def check_input_cidr(cidr: str) -> None:
    """Refuse anything but a narrow IPv4 network (MediaLive allow-lists are IPv4)."""
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise ValueError(f"input_cidrs: '{cidr}' is not a network CIDR ({exc}); write it like "
                         "203.0.113.0/24") from None
    if network.version != 4:
        raise ValueError(f"input_cidrs: '{cidr}' is IPv6; MediaLive input security groups take "
                         "IPv4 CIDRs only")
    if network.prefixlen < MIN_PREFIX_LENGTH:
        raise ValueError(f"input_cidrs: '{cidr}' opens the input to "
                         f"{'the whole internet' if network.prefixlen == 0 else 'too much of it'}"
                         f"; list the contributor's egress networks, /{MIN_PREFIX_LENGTH} or "
                         "narrower")


# ---- pure mapping: ladder -> MediaLive encoder settings ----------------------------------


def video_description_name(rendition: Rendition) -> str:
    return f"video-{rendition.name}"


def encoder_settings(ladder: Sequence[Rendition], *, framerate: int = 30,
                     audio_bitrate: int = 128_000, segment_seconds: int = 6,
                     destination_id: str = DESTINATION_ID) -> dict[str, Any]:
    """`ChannelEncoderSettingsArgs` (as a snake_case dict) for an HLS output group pushing
    every rendition, each with the AAC audio muxed in, to `destination_id`."""
    videos = [{
        "name": video_description_name(r),
        "width": r.width,
        "height": r.height,
        "scaling_behavior": "DEFAULT",
        "respond_to_afd": "NONE",
        "sharpness": 50,
        "codec_settings": {"h264_settings": {
            # QVBR with a ceiling: AWS's recommended OTT rate control.
            "rate_control_mode": "QVBR",
            "max_bitrate": r.bitrate,
            "buf_size": 2 * r.bitrate,
            "profile": "HIGH",
            "level": "H264_LEVEL_AUTO",
            "framerate_control": "SPECIFIED",
            "framerate_numerator": framerate,
            "framerate_denominator": 1,
            "par_control": "SPECIFIED",
            "par_numerator": 1,
            "par_denominator": 1,
            # 2 s closed GOPs: segment boundaries line up across renditions and pipelines.
            "gop_size": 2.0,
            "gop_size_units": "SECONDS",
            "gop_closed_cadence": 1,
            "gop_num_b_frames": 3,
            "adaptive_quantization": "AUTO",
            "scene_change_detect": "ENABLED",
            "look_ahead_rate_control": "HIGH",
        }},
    } for r in ladder]
    audio = {
        "name": AUDIO_DESCRIPTION,
        "audio_selector_name": AUDIO_SELECTOR,
        "audio_type_control": "FOLLOW_INPUT",
        "language_code_control": "FOLLOW_INPUT",
        "codec_settings": {"aac_settings": {
            "bitrate": float(audio_bitrate),
            "coding_mode": "CODING_MODE_2_0",
            "input_type": "NORMAL",
            "profile": "LC",
            "rate_control_mode": "CBR",
            "raw_format": "NONE",
            "sample_rate": 48000.0,
            "spec": "MPEG4",
        }},
    }
    outputs = [{
        "output_name": r.name,
        "video_description_name": video_description_name(r),
        "audio_description_names": [AUDIO_DESCRIPTION],
        "output_settings": {"hls_output_settings": {
            "name_modifier": f"_{r.name}",
            "hls_settings": {"standard_hls_settings": {
                "audio_rendition_sets": "program_audio",
                "m3u8_settings": {
                    "audio_frames_per_pes": 4,
                    "audio_pids": "492-498",
                    "pcr_control": "PCR_EVERY_PES_PACKET",
                    "pmt_pid": "480",
                    "program_num": 1,
                    "scte35_behavior": "PASSTHROUGH",
                    "scte35_pid": "500",
                    "timed_metadata_behavior": "NO_PASSTHROUGH",
                    "video_pid": "481",
                },
            }},
        }},
    } for r in ladder]
    group = {
        "name": "mediapackage-v2",
        "output_group_settings": {"hls_group_settings": {
            "destination": {"destination_ref_id": destination_id},
            # MediaPackage v2 ingest: plain HTTPS PUT, signed by MediaLive with its role.
            "hls_cdn_settings": [{"hls_basic_put_settings": {
                "connection_retry_interval": 1,
                "filecache_duration": 300,
                "num_retries": 10,
                "restart_delay": 15,
            }}],
            "mode": "LIVE",
            "segment_length": segment_seconds,
            "program_date_time": "INCLUDE",
            "program_date_time_period": 1,
            "input_loss_action": "EMIT_OUTPUT",
            "manifest_duration_format": "FLOATING_POINT",
            "ts_file_mode": "SEGMENTED_FILES",
            "codec_specification": "RFC_4281",
            "stream_inf_resolution": "INCLUDE",
            "directory_structure": "SINGLE_DIRECTORY",
            "output_selection": "MANIFESTS_AND_SEGMENTS",
            "client_cache": "ENABLED",
            "redundant_manifest": "DISABLED",
        }},
        "outputs": outputs,
    }
    return {
        "video_descriptions": videos,
        "audio_descriptions": [audio],
        "output_groups": [group],
        "timecode_config": {"source": "SYSTEMCLOCK"},
        "global_configuration": {
            "input_end_action": "NONE",
            "output_locking_mode": "PIPELINE_LOCKING",
            "output_timing_source": "SYSTEM_CLOCK",
            "support_low_framerate_inputs": "DISABLED",
            "input_loss_behavior": {
                "black_frame_msec": 10_000,
                "input_loss_image_type": "COLOR",
                "input_loss_image_color": "333333",
                "repeat_frame_msec": 1_000,
            },
        },
    }


def cdn_endpoint_policy(endpoint_arn: str, distribution_arns: Sequence[str]) -> dict[str, Any]:
    """OriginEndpointPolicy admitting only CloudFront (OAC) on behalf of the given
    distributions, read-only."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowCloudFrontOriginAccessControl",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": list(CDN_READ_ACTIONS),
            "Resource": endpoint_arn,
            "Condition": {"StringEquals": {"AWS:SourceArn": list(distribution_arns)}},
        }],
    }


def egress_path_pattern(channel_group_name: str, component: str) -> str:
    """The CDN path pattern of a LiveChannel named `component` in `channel_group_name`: the
    same in every region when the channel group name is (a DR copy behind an origin group)."""
    return f"/out/v1/{channel_group_name}/{component}-channel/*"


def _native_tags(name: str, extra: dict[str, str] | None = None) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in resource_tags(name, extra=extra).items()]


class LiveChannel(pulumi.ComponentResource):
    """MediaLive input, channel and role; MediaPackage v2 channel group, channel and HLS +
    DASH origin endpoints; `admit_cdn` adds the CDN-only endpoint policies."""

    channel_id: pulumi.Output[str]
    """The MediaLive channel id (start it with `aws medialive start-channel`)."""
    input_id: pulumi.Output[str]
    """The MediaLive input id; its RTMP URLs are on the input in the console/API."""
    channel_group_name: str
    """MediaPackage v2 channel group name."""
    channel_name: str
    """MediaPackage v2 channel name."""
    origin_domain: pulumi.Output[str]
    """Egress domain of the channel group: the CDN origin's domain name."""
    path_pattern: str
    """Cache-behaviour path pattern covering both endpoints (`/out/v1/<group>/<channel>/*`)."""
    hls_path: str
    """Path of the HLS multivariant playlist on `origin_domain`."""
    dash_path: str
    """Path of the DASH manifest on `origin_domain`."""
    hls_url: pulumi.Output[str]
    """Full HLS URL at the origin (for tests and debugging; viewers use the CDN)."""
    dash_url: pulumi.Output[str]
    """Full DASH URL at the origin."""
    hls_endpoint_arn: pulumi.Output[str]
    """ARN of the HLS origin endpoint."""
    dash_endpoint_arn: pulumi.Output[str]
    """ARN of the DASH origin endpoint."""
    medialive_role_arn: pulumi.Output[str]
    """Role the MediaLive channel runs as."""
    oac_origin_type: str
    """`mediapackagev2`: the CloudFront OAC origin type to sign requests to `origin_domain`."""
    monitored: list[MonitoredResource]
    """MediaLive pipelines and the two origin endpoints."""

    def __init__(self, name: str, args: LiveChannelArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:live_channel:LiveChannel", name, None, opts)
        self._name = name
        self.args = args
        self.monitored = []
        self._cdn_policies: list[aws_native.mediapackagev2.OriginEndpointPolicy] = []
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)
        pipelines = PIPELINES[args.channel_class]

        # -- MediaPackage v2: channel group, channel, endpoints ---------------------------
        self.channel_group_name = args.channel_group_name or re.sub(
            r"[^A-Za-z0-9_-]", "-", f"{name}-{pulumi.get_stack()}")[:64]
        self.channel_name = f"{name}-channel"
        group = aws_native.mediapackagev2.ChannelGroup(
            child_name(name, "channel-group"),
            channel_group_name=self.channel_group_name,
            description=f"{name}: live classes",
            tags=_native_tags(child_name(name, "channel-group")),
            opts=child)
        mp_channel = aws_native.mediapackagev2.Channel(
            child_name(name, "mp-channel"),
            channel_group_name=group.channel_group_name,
            channel_name=self.channel_name,
            # HLS ingest: pulumi_aws's MediaLive has no CMAF-ingest output group (see module doc).
            input_type=aws_native.mediapackagev2.ChannelInputType.HLS,
            description=f"{name}: ingest from MediaLive",
            tags=_native_tags(child_name(name, "mp-channel")),
            opts=child)
        self._endpoints = {
            "hls": self._endpoint(mp_channel, "hls", args.hls_container),
            "dash": self._endpoint(mp_channel, "dash", "CMAF"),
        }
        self.origin_domain = group.egress_domain
        self.path_pattern = egress_path_pattern(self.channel_group_name, name)
        base = self.path_pattern.removesuffix("/*")
        self.hls_path = f"{base}/{self._endpoint_name('hls')}/{MANIFEST_NAME}.m3u8"
        self.dash_path = f"{base}/{self._endpoint_name('dash')}/{MANIFEST_NAME}.mpd"
        self.hls_url = pulumi.Output.concat("https://", group.egress_domain, self.hls_path)
        self.dash_url = pulumi.Output.concat("https://", group.egress_domain, self.dash_path)
        self.hls_endpoint_arn = self._endpoints["hls"].arn
        # Names an edge layer of another stack needs to write the endpoints' policies.
        self.endpoint_names = {kind: self._endpoint_name(kind) for kind in self._endpoints}
        self.dash_endpoint_arn = self._endpoints["dash"].arn
        self.oac_origin_type = OAC_ORIGIN_TYPE

        # -- MediaLive role: ingest into this channel, write its own logs -----------------
        role = self._medialive_role(ctx, mp_channel)
        self.medialive_role_arn = role.arn
        channel_policy = aws_native.mediapackagev2.ChannelPolicy(
            child_name(name, "mp-channel-policy"),
            channel_group_name=group.channel_group_name,
            channel_name=mp_channel.channel_name,
            policy=pulumi.Output.all(role.arn, mp_channel.arn).apply(lambda a: {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "AllowMediaLiveRoleToIngest",
                    "Effect": "Allow",
                    "Principal": {"AWS": a[0]},
                    "Action": "mediapackagev2:PutObject",
                    "Resource": a[1],
                }],
            }),
            opts=child)

        # -- MediaLive input and channel --------------------------------------------------
        medialive_input = self._input(role, pipelines)
        self.input_id = medialive_input.id
        destination_urls = mp_channel.ingest_endpoint_urls.apply(
            lambda urls: [{"url": url} for url in (urls or [])[:pipelines]])
        channel = aws.medialive.Channel(
            child_name(name, "channel"),
            name=child_name(name, "channel"),
            channel_class=args.channel_class,
            role_arn=role.arn,
            log_level=args.log_level,
            start_channel=False,
            input_specification={
                "codec": "AVC",
                "input_resolution": args.input_resolution,
                "maximum_bitrate": "MAX_20_MBPS",
            },
            input_attachments=[{
                "input_attachment_name": child_name(name, "input"),
                "input_id": medialive_input.id,
                "input_settings": {
                    "audio_selectors": [{"name": AUDIO_SELECTOR}],
                    "source_end_behavior": "CONTINUE",
                },
            }],
            destinations=[{"id": DESTINATION_ID, "settings": destination_urls}],
            encoder_settings=encoder_settings(
                args.ladder, framerate=args.framerate, audio_bitrate=args.audio_bitrate,
                segment_seconds=args.segment_seconds),
            tags=resource_tags(child_name(name, "channel"), extra=args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel_policy]))
        self.channel_id = channel.channel_id
        for pipeline in range(pipelines):
            self.monitored.append(MonitoredResource(
                kind="medialive", name=child_name(name, f"channel-pipeline-{pipeline}"),
                dimensions={"ChannelId": channel.channel_id, "Pipeline": str(pipeline)}))
        for kind in ("hls", "dash"):
            self.monitored.append(MonitoredResource(
                kind="mediapackage", name=child_name(name, f"{kind}-endpoint"),
                dimensions={"ChannelGroup": self.channel_group_name,
                            "Channel": self.channel_name,
                            "OriginEndpoint": self._endpoint_name(kind)}))

        self.register_outputs({
            "channelId": self.channel_id,
            "inputId": self.input_id,
            "channelGroupName": self.channel_group_name,
            "channelName": self.channel_name,
            "originDomain": self.origin_domain,
            "pathPattern": self.path_pattern,
            "hlsPath": self.hls_path,
            "dashPath": self.dash_path,
            "hlsUrl": self.hls_url,
            "dashUrl": self.dash_url,
            "hlsEndpointArn": self.hls_endpoint_arn,
            "dashEndpointArn": self.dash_endpoint_arn,
            "medialiveRoleArn": self.medialive_role_arn,
            "oacOriginType": self.oac_origin_type,
        })

    # -- the CDN hook (called by the edge layer) -------------------------------------------

    def admit_cdn(self, *distribution_arns: pulumi.Input[str]
                  ) -> list[aws_native.mediapackagev2.OriginEndpointPolicy]:
        """Allow only these CloudFront distributions (OAC, `cloudfront.amazonaws.com` with
        `AWS:SourceArn`) to read the HLS and DASH endpoints. Call once, after the
        distribution exists; the policies are children of this LiveChannel."""
        if self._cdn_policies:
            raise ValueError(f"admit_cdn: already called on {self._name}; pass every "
                             "distribution ARN in one call (one policy per endpoint)")
        if not distribution_arns:
            raise ValueError("distribution_arns: empty; give the CloudFront distribution ARN")
        for kind, endpoint in self._endpoints.items():
            policy = pulumi.Output.all(endpoint.arn, *distribution_arns).apply(
                lambda a: cdn_endpoint_policy(a[0], a[1:]))
            self._cdn_policies.append(aws_native.mediapackagev2.OriginEndpointPolicy(
                child_name(self._name, f"{kind}-endpoint-policy"),
                channel_group_name=endpoint.channel_group_name,
                channel_name=endpoint.channel_name,
                origin_endpoint_name=endpoint.origin_endpoint_name,
                policy=policy,
                opts=pulumi.ResourceOptions(parent=self)))
        return list(self._cdn_policies)

    # -- children ---------------------------------------------------------------------------

    def _endpoint_name(self, kind: str) -> str:
        return f"{self._name}-{kind}"

    def _endpoint(self, mp_channel: aws_native.mediapackagev2.Channel, kind: str,
                  container: str) -> aws_native.mediapackagev2.OriginEndpoint:
        args = self.args
        segment: dict[str, Any] = {
            "segment_duration_seconds": args.segment_seconds,
            "segment_name": "segment",
            "include_iframe_only_streams": False,
        }
        if args.drm is not None:
            segment["encryption"] = self._encryption(kind, container)
        manifests: dict[str, Any] = {}
        if kind == "hls":
            manifests["hls_manifests"] = [{
                "manifest_name": MANIFEST_NAME,
                "child_manifest_name": MANIFEST_NAME,
                "manifest_window_seconds": args.manifest_window_seconds,
                "program_date_time_interval_seconds": 60,
            }]
        else:
            manifests["dash_manifests"] = [{
                "manifest_name": MANIFEST_NAME,
                "manifest_window_seconds": args.manifest_window_seconds,
                "min_buffer_time_seconds": 2 * args.segment_seconds,
                "min_update_period_seconds": args.segment_seconds,
                "suggested_presentation_delay_seconds": 3 * args.segment_seconds,
                "segment_template_format": "NUMBER_WITH_TIMELINE",
                "period_triggers": ["AVAILS", "SOURCE_CHANGES"],
                **({"drm_signaling": "INDIVIDUAL"} if args.drm is not None else {}),
            }]
        return aws_native.mediapackagev2.OriginEndpoint(
            child_name(self._name, f"{kind}-endpoint"),
            channel_group_name=mp_channel.channel_group_name,
            channel_name=mp_channel.channel_name,
            origin_endpoint_name=self._endpoint_name(kind),
            container_type=container,
            description=f"{self._name}: {kind.upper()} ({container}) for the CDN",
            segment=segment,
            startover_window_seconds=args.startover_window_seconds,
            tags=_native_tags(child_name(self._name, f"{kind}-endpoint")),
            opts=pulumi.ResourceOptions(parent=self),
            **manifests)

    def _encryption(self, kind: str, container: str) -> dict[str, Any]:
        drm = self.args.drm
        assert drm is not None
        if container == "TS":
            method, systems = {"ts_encryption_method": "SAMPLE_AES"}, ["FAIRPLAY"]
        elif kind == "hls":
            method, systems = {"cmaf_encryption_method": "CBCS"}, ["FAIRPLAY"]
        else:
            method, systems = {"cmaf_encryption_method": "CENC"}, ["WIDEVINE", "PLAYREADY"]
        return {
            "encryption_method": method,
            "key_rotation_interval_seconds": drm.key_rotation_interval_seconds,
            "speke_key_provider": {
                "url": drm.url,
                "role_arn": drm.role_arn,
                "resource_id": drm.resource_id,
                "drm_systems": systems,
                "encryption_contract_configuration": {
                    "preset_speke20_audio": "PRESET_AUDIO_1",
                    "preset_speke20_video": "PRESET_VIDEO_1",
                },
            },
        }

    def _medialive_role(self, ctx: AwsContext,
                        mp_channel: aws_native.mediapackagev2.Channel) -> aws.iam.Role:
        name = self._name
        flows = list(self.args.mediaconnect_flow_arns)

        def document(a: list[str]) -> str:
            partition, region, account, channel_arn = a
            log_group = f"arn:{partition}:logs:{region}:{account}:log-group:ElementalMediaLive"
            statements: list[dict[str, Any]] = [
                {"Sid": "IngestIntoOwnChannel", "Effect": "Allow",
                 "Action": "mediapackagev2:PutObject", "Resource": channel_arn},
                {"Sid": "ChannelLogs", "Effect": "Allow",
                 "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                            "logs:DescribeLogStreams"],
                 "Resource": [log_group, f"{log_group}:*"]},
            ]
            if flows:
                statements.append({"Sid": "OwnMediaConnectFlows", "Effect": "Allow",
                                   "Action": list(MEDIACONNECT_ACTIONS), "Resource": flows})
            return policy_document(statements)

        return service_role(
            name, "medialive-role", services="medialive.amazonaws.com", parent=self,
            aws_context=ctx,
            description=f"{name}: MediaLive channel pushing to its MediaPackage v2 channel",
            inline_policies={"medialive-policy": pulumi.Output.all(
                ctx.partition, ctx.region, ctx.account_id, mp_channel.arn).apply(document)})

    def _input(self, role: aws.iam.Role, pipelines: int) -> aws.medialive.Input:
        name = self._name
        args = self.args
        child = pulumi.ResourceOptions(parent=self)
        input_name = child_name(name, "input")
        extra: dict[str, Any] = {}
        if args.input_type == "RTMP_PUSH":
            isg_name = child_name(name, "input-sg")
            isg = aws.medialive.InputSecurityGroup(
                isg_name,
                whitelist_rules=[{"cidr": cidr} for cidr in args.input_cidrs],
                tags=resource_tags(isg_name), opts=child)
            extra["input_security_groups"] = [isg.id]
            extra["destinations"] = [{"stream_name": f"{name}/{leg}"}
                                     for leg in ("primary", "backup")[:pipelines]]
        elif args.input_type == "MEDIACONNECT":
            extra["media_connect_flows"] = [{"flow_arn": arn}
                                            for arn in args.mediaconnect_flow_arns]
            extra["role_arn"] = role.arn
        else:
            extra["sources"] = [{"url": url} for url in args.pull_urls]
        return aws.medialive.Input(
            input_name, name=input_name, type=args.input_type,
            tags=resource_tags(input_name), opts=child, **extra)
