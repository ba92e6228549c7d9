"""ContainerRegistry: the ECR repositories of a system's images, scanned on push, and (for
the stack that owns the account's registry settings) their replication to a DR region.

Repositories: immutable tags, scan on push, KMS with a customer key kept like the images,
untagged images expired after 7 days and the last `keep_images` kept. Names are prefixed
with the stack, so two stacks of one account and region never collide.

Replication (`replication_regions`): `aws.ecr.ReplicationConfiguration` is ONE per account
and region (the registry's), so only one stack may own it: the primary region's. It copies
the images of this stack's repositories (by prefix) into the DR region, where ECR creates
the repositories itself; `ReplicaRegistry` (the DR stack's) is the repository creation
template ECR applies to them there: a customer key of that region, immutable tags, the same
lifecycle (without it they would be AES256-encrypted and mutable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.stateful import stateful_options

_REPOSITORY = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def lifecycle_policy(keep_images: int) -> str:
    """Untagged images expire after 7 days; the last `keep_images` images are kept."""
    return json.dumps({"rules": [
        {"rulePriority": 1, "description": "Expire untagged images after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 7},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"Keep the last {keep_images}",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                       "countNumber": keep_images},
         "action": {"type": "expire"}}]})


@dataclass(frozen=True, kw_only=True)
class ContainerRegistrySettings:
    repositories: Sequence[str] = ()
    """Repository names (one per microservice image), lower case; the stack name prefixes
    them (`<stack>/<name>`)."""
    keep_images: int = 30
    """Tagged images kept per repository (older ones expire)."""

    def __post_init__(self) -> None:
        if not self.repositories:
            raise ValueError("repositories: empty; list the images the system builds")
        for repository in self.repositories:
            if not _REPOSITORY.match(repository):
                raise ValueError(f"repositories: '{repository}' is not an ECR name; use lower "
                                 "case letters, digits and . _ -")
        if len(set(self.repositories)) != len(self.repositories):
            raise ValueError("repositories: a name repeats; list each once")
        if self.keep_images < 1:
            raise ValueError("keep_images: must be at least 1")


@dataclass(frozen=True, kw_only=True)
class ContainerRegistryArgs(ContainerRegistrySettings):
    prefix: str
    """Namespace of the repositories (the stack name)."""
    replication_regions: Sequence[str] = ()
    """Regions to replicate the images to; non-empty only in the stack owning the account's
    registry replication (see the module docstring)."""
    region: str = ""
    """The stack's region (plain): replicating into it is refused."""
    allowed_regions: Sequence[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction: every replication region must be one."""
    protect: bool = True
    """Protect and retain the repositories and their key."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for region in self.replication_regions:
            if region == self.region:
                raise ValueError(f"replication_regions: '{region}' is the stack's own region; "
                                 "replicate to the DR region")
            if self.allowed_regions and region not in self.allowed_regions:
                raise ValueError(f"replication_regions: '{region}' is outside the jurisdiction "
                                 f"({', '.join(self.allowed_regions)}); pick one of those")


class ContainerRegistry(pulumi.ComponentResource):
    """ECR repositories (scan on push, immutable, KMS) and optional registry replication."""

    repository_urls: dict[str, pulumi.Output[str]]
    """Repository name (as given) -> its URL."""

    def __init__(self, name: str, args: ContainerRegistryArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:container_registry:ContainerRegistry", name, None, opts)
        keep = stateful_options(args.protect, self)
        # The key is kept like the repositories: retained images are unreadable without it.
        key = customer_key(name, "key", description=f"{args.prefix} container images",
                           parent=self, opts=keep)
        self.repository_urls = {}
        for repository in args.repositories:
            resource = child_name(name, repository)
            repo = aws.ecr.Repository(
                resource, name=f"{args.prefix}/{repository}",
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                    scan_on_push=True),
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=key.arn)],
                force_delete=not args.protect, tags=resource_tags(resource), opts=keep)
            aws.ecr.LifecyclePolicy(
                child_name(name, f"{repository}-lifecycle"), repository=repo.name,
                policy=lifecycle_policy(args.keep_images),
                opts=pulumi.ResourceOptions(parent=self))
            self.repository_urls[repository] = repo.repository_url
        if args.replication_regions:
            registry_id = aws.get_caller_identity_output(
                opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            aws.ecr.ReplicationConfiguration(
                child_name(name, "replication"),
                replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                    rules=[aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                        destinations=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                region=region, registry_id=registry_id)
                            for region in args.replication_regions],
                        repository_filters=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                filter=f"{args.prefix}/", filter_type="PREFIX_MATCH")])]),
                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"repositoryUrls": self.repository_urls})


@dataclass(frozen=True, kw_only=True)
class ReplicaRegistryArgs:
    prefix: str
    """Namespace of the replicated repositories (the primary stack's `prefix`)."""
    keep_images: int = 30
    """Tagged images kept per replicated repository."""
    protect: bool = True
    """Protect and retain the key of the replicated images."""


class ReplicaRegistry(pulumi.ComponentResource):
    """The DR side of registry replication: how ECR creates the replicated repositories."""

    template_prefix: pulumi.Output[str]
    """The prefix the creation template applies to."""

    def __init__(self, name: str, args: ReplicaRegistryArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:container_registry:ReplicaRegistry", name, None, opts)
        ctx = AwsContext.of(self)
        key = customer_key(name, "key", description=f"{args.prefix} replicated images",
                           parent=self, aws_context=ctx,
                           opts=stateful_options(args.protect, self))
        # ECR creates replicated repositories with this role: KMS needs a custom role.
        role = service_role(
            name, "template-role", services="ecr.amazonaws.com", parent=self,
            aws_context=ctx, description=f"ECR creates {args.prefix}/* replicas",
            inline_policies={"template-policy": key.arn.apply(lambda arn: policy_document([
                {"Effect": "Allow", "Resource": "*",
                 "Action": ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"]},
                {"Effect": "Allow", "Resource": arn,
                 "Action": ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]}]))})
        template = aws.ecr.RepositoryCreationTemplate(
            child_name(name, "template"), prefix=args.prefix, applied_fors=["REPLICATION"],
            description=f"Replicas of {args.prefix}/*", custom_role_arn=role.arn,
            image_tag_mutability="IMMUTABLE",
            encryption_configurations=[
                aws.ecr.RepositoryCreationTemplateEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=key.arn)],
            lifecycle_policy=lifecycle_policy(args.keep_images),
            opts=pulumi.ResourceOptions(parent=self))
        self.template_prefix = template.prefix
        self.register_outputs({"templatePrefix": self.template_prefix})
