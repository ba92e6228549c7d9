"""The same kind of program done right: private, KMS-encrypted, in region, protected."""
import base64
import json

import pulumi
import pulumi_aws as aws

eu = aws.Provider("eu", region="eu-central-1",
                  default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "prod",
                                                                 "owner": "learning"}))
opts = pulumi.ResourceOptions(provider=eu)
key = aws.kms.Key("data", enable_key_rotation=True, opts=opts)
uploads = aws.s3.Bucket("uploads", tags={"data-class": "user-content"}, opts=opts)
aws.s3.BucketPublicAccessBlock("uploads-pab", bucket=uploads.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "uploads-sse", bucket=uploads.id, opts=opts,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.
        BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=key.arn),
        bucket_key_enabled=True)])
aws.dynamodb.Table("profiles", billing_mode="PAY_PER_REQUEST", hash_key="id",
                   attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                   deletion_protection_enabled=True,
                   point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                   replicas=[aws.dynamodb.TableReplicaArgs(region_name="eu-west-1")],
                   stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
                   tags={"data-class": "user-pii"}, opts=opts)
aws.iam.Policy("reader", opts=opts, policy=uploads.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})))

# The same web pieces done right: HTTPS with TLS 1.2+, HTTP only redirects, IMDSv2,
# encrypted messages, a private image repository, secrets by reference.
alb = aws.lb.LoadBalancer("web", load_balancer_type="application", drop_invalid_header_fields=True,
                          subnets=["subnet-0a", "subnet-0b"], opts=opts)
group = aws.lb.TargetGroup("web", port=8080, protocol="HTTPS", vpc_id="vpc-0123", opts=opts)
aws.lb.Listener("web-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS",
                ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificate_arn="arn:aws:acm:eu-central-1:123456789012:certificate/abc",
                default_actions=[aws.lb.ListenerDefaultActionArgs(
                    type="forward", target_group_arn=group.arn)], opts=opts)
aws.lb.Listener("web-http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", opts=opts,
                default_actions=[aws.lb.ListenerDefaultActionArgs(
                    type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"))])
script = ("#!/bin/bash\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value "
          "--secret-id db --query SecretString --output text)\n")
aws.ec2.LaunchTemplate("workers", image_id="ami-0123", instance_type="t3.small",
                       user_data=base64.b64encode(script.encode()).decode(),
                       metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                           http_endpoint="enabled", http_tokens="required"), opts=opts)
aws.sqs.Queue("jobs", kms_master_key_id=key.arn, tags={"data-class": "user-content"},
              opts=opts)
aws.sns.Topic("alarms", kms_master_key_id=key.arn, tags={"data-class": "telemetry"},
              opts=opts)
repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE", opts=opts)
aws.ecr.RepositoryPolicy("app", repository=repo.name, opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                   "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]}]}))
role = aws.iam.Role("api", opts=opts, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}]}))
aws.lambda_.Function("api", role=role.arn, runtime="python3.12", handler="app.handler",
                     code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("x = 1\n")}),
                     environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                         "STAGE": "prod", "PAYMENTS_API_TOKEN_SECRET_ARN":
                         "arn:aws:secretsmanager:eu-central-1:123456789012:secret:pay-AbCd"}),
                     opts=opts)
