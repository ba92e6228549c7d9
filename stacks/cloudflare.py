"""Cloudflare settings of a regional stack, read from stack config (platform namespace).

- `platform:cloudflareAccountId` (R2), `platform:cloudflareZoneId` (CDN): ids, not secrets;
  the stack file may hold them.
- `platform:cloudflareApiToken` (secret, optional): the provider's token; without it the
  provider reads CLOUDFLARE_API_TOKEN from the environment at deploy time. Never in files.
- `platform:cloudflareVideoTokenSecret` (secret, optional): the HMAC key of token-protected
  video paths; without it the edge layer generates one.

Each layer that needs Cloudflare creates its own explicit provider (`cloudflare-<layer>`):
the same credentials, and every Cloudflare resource's provider stays visible in the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

if TYPE_CHECKING:
    import pulumi_cloudflare as cloudflare

CONFIG_NAMESPACE = "platform"


def _config() -> pulumi.Config:
    return pulumi.Config(CONFIG_NAMESPACE)


def provider(layer: str) -> cloudflare.Provider:
    """An explicit Cloudflare provider for `layer`; token from secret config or the env."""
    # Imported here: only stacks that use Cloudflare pay for loading its SDK (~1.5 s).
    import pulumi_cloudflare as cloudflare

    return cloudflare.Provider(f"cloudflare-{layer}",
                               api_token=_config().get_secret("cloudflareApiToken"))


def require(key: str, purpose: str) -> str:
    """A required config value; missing, it is one line naming the stack file and the key."""
    value = _config().get(key)
    if not value:
        raise pulumi.RunError(f"environments/stacks/Pulumi.{pulumi.get_stack()}.yaml: config "
                              f"platform:{key}: missing; {purpose} needs it "
                              f"(pulumi config set platform:{key} <value>)")
    return value
