"""The video layer of a regional stack: the live channel and the VOD pipeline.

Runs before the edge layer, which fronts both: it routes the live channel's
`path_pattern` to `origin_domain` through OAC and calls `live.admit_cdn(distribution_arn)`,
and serves `vod.output_store` on `/vod/*` (the pipeline writes under `vod/`).
"""

from __future__ import annotations

from components.live_channel import LiveChannel, LiveChannelArgs, Rendition, SpekeDrm
from components.object_store import LogBucket
from components.vod_pipeline import VodPipeline, VodPipelineArgs
from environments.sections.video import RenditionProfile
from stacks.context import RegionalContext, profile_args


def _ladder(rungs: list[RenditionProfile]) -> list[Rendition]:
    return [Rendition(name=r.name, width=r.width, height=r.height, bitrate=r.bitrate)
            for r in rungs]


def build(ctx: RegionalContext) -> None:
    """Build the video components the profile turns on into `ctx`."""
    profile = ctx.spec.profile
    live_profile = profile.live_video
    if live_profile.enabled:
        drm = None
        if live_profile.drm is not None:
            drm = SpekeDrm(url=live_profile.drm.url, role_arn=live_profile.drm.role_arn,
                           resource_id=live_profile.drm.resource_id)
        live = LiveChannel("live", profile_args(ctx.spec, "live_video", lambda: LiveChannelArgs(
            input_cidrs=list(live_profile.input_cidrs),
            channel_class=live_profile.channel_class,
            ladder=_ladder(live_profile.ladder),
            startover_window_seconds=live_profile.startover_window_seconds,
            drm=drm,
        )), opts=ctx.providers.opts())
        ctx.add("live", live)
        ctx.export("liveChannelId", live.channel_id)
        ctx.export("liveInputId", live.input_id)
        ctx.export("liveOriginHlsUrl", live.hls_url)
        ctx.export("liveOriginDashUrl", live.dash_url)

    vod_profile = profile.vod
    if vod_profile.enabled:
        # The storage layer's S3 access-log bucket, when there is one, takes our buckets' logs.
        access_logs = ctx.components.get("storage-access-logs")
        vod = VodPipeline("vod", profile_args(ctx.spec, "vod", lambda: VodPipelineArgs(
            renditions=_ladder(vod_profile.renditions),
            output_transition_days=vod_profile.output_transition_days,
            reserved_concurrency=vod_profile.reserved_concurrency,
            log_retention_days=profile.log_retention_days,
            protect=profile.protect_stateful,
            access_log_bucket=(access_logs.bucket_name if isinstance(access_logs, LogBucket)
                               else None),
            # CloudFront reads the renditions through OAC; the edge layer admits it.
            output_cdn_origin=profile.cdn.enabled and profile.cdn.kind == "cloudfront",
        )), opts=ctx.providers.opts())
        ctx.add("vod", vod)
        ctx.export("vodUploadBucket", vod.upload_bucket_name)
        ctx.export("vodOutputBucket", vod.output_bucket_name)
        ctx.export("vodNotificationsTopicArn", vod.notifications_topic_arn)
