"""Late-bound obligations: wiring a blueprint must finish after a later part exists.

A bucket built as a CloudFront origin cannot write its ONE policy until the distribution
exists; if the blueprint never routes it, the bucket would ship without its TLS-only
policy. The blueprint records each such store here when it builds it, and `settle_all()`
at the end of the blueprint fails the plan, naming every obligation left open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.object_store import ObjectStore


@dataclass(frozen=True)
class BucketPolicyOwed:
    """`store`'s bucket policy waits for `owed_to` (e.g. the CDN) to admit it."""

    name: str
    """The store's logical name (how the report names it)."""
    store: ObjectStore
    owed_to: str

    @property
    def settled(self) -> bool:
        return not self.store.policy_pending

    def describe(self) -> str:
        return (f"bucket '{self.name}' waits for {self.owed_to} to write its policy; "
                f"route it through {self.owed_to} (CdnOrigin.for_store) or build it with "
                "cloudfront_origin=False")


@dataclass
class Obligations:
    open: list[BucketPolicyOwed] = field(default_factory=list)

    def bucket_policy(self, name: str, store: ObjectStore, owed_to: str) -> ObjectStore:
        """Record that `owed_to` must write the policy of `store` (logical `name`); returns
        the store."""
        self.open.append(BucketPolicyOwed(name, store, owed_to))
        return store

    def settle_all(self) -> None:
        """Fail the plan (one line per obligation) if any is still open."""
        unsettled = [o.describe() for o in self.open if not o.settled]
        if unsettled:
            raise pulumi.RunError("blueprint left obligations unsettled: " + "; ".join(unsettled))
