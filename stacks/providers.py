"""The explicit providers of a regional stack: created once, passed down through `opts`.

Nothing relies on the ambient default provider, so every resource's region is visible in
the graph (and to the policy pack).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components.labels import stack_tags
from environments import StackSpec


@dataclass(frozen=True)
class RegionalProviders:
    aws: aws.Provider
    aws_native: aws_native.Provider
    default_tags: dict[str, str]

    @classmethod
    def create(cls, spec: StackSpec) -> RegionalProviders:
        tags = {**stack_tags(spec.environment, spec.region, spec.jurisdiction_name),
                "blueprint": spec.blueprint}
        return cls(
            aws=aws.Provider(
                f"aws-{spec.region}",
                region=spec.region,
                default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
            ),
            aws_native=aws_native.Provider(
                f"aws-native-{spec.region}",
                region=spec.region,
                default_tags=aws_native.ProviderDefaultTagsArgs(tags=tags),
            ),
            default_tags=tags,
        )

    def opts(self) -> pulumi.ResourceOptions:
        """Options for a top-level component: both AWS providers reach every child."""
        return pulumi.ResourceOptions(providers=[self.aws, self.aws_native])
