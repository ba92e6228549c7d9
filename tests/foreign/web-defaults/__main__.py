"""A web app built the way tutorials build it: an HTTP-only ALB, IMDSv1 workers with the
database password in their user data, a public image repository, an unencrypted alarm
topic, a plain-HTTP CloudFront origin and an API token in a Lambda environment."""
import base64
import json

import pulumi
import pulumi_aws as aws

east = aws.Provider("east", region="us-east-1",
                    default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "dev"}))
opts = pulumi.ResourceOptions(provider=east)

alb = aws.lb.LoadBalancer("web", load_balancer_type="application",
                          subnets=["subnet-0a", "subnet-0b"], opts=opts)
group = aws.lb.TargetGroup("web", port=8080, protocol="HTTP", vpc_id="vpc-0123", opts=opts)
aws.lb.Listener("web", load_balancer_arn=alb.arn, port=80, opts=opts,
                default_actions=[aws.lb.ListenerDefaultActionArgs(
                    type="forward", target_group_arn=group.arn)])

script = "#!/bin/bash\nexport DB_HOST=db.internal\nexport DB_PASSWORD=Sup3rS3cret\n"
aws.ec2.LaunchTemplate("workers", image_id="ami-0123", instance_type="t3.small",
                       user_data=base64.b64encode(script.encode()).decode(), opts=opts)

repo = aws.ecr.Repository("app", opts=opts)
aws.ecr.RepositoryPolicy("app", repository=repo.name, opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*",
                   "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]}]}))

aws.sns.Topic("alarms", tags={"data-class": "telemetry"}, opts=opts)

aws.cloudfront.Distribution(
    "site", enabled=True, opts=opts,
    origins=[aws.cloudfront.DistributionOriginArgs(
        domain_name="app.example.com", origin_id="app",
        custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
            http_port=80, https_port=443, origin_protocol_policy="http-only",
            origin_ssl_protocols=["TLSv1.2"]))],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="app", allowed_methods=["GET", "HEAD"], cached_methods=["GET", "HEAD"],
        viewer_protocol_policy="redirect-to-https"),
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
            restriction_type="none")),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"))

role = aws.iam.Role("api", opts=opts, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}]}))
aws.lambda_.Function("api", role=role.arn, runtime="python3.12", handler="app.handler",
                     code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("x = 1\n")}),
                     environment=aws.lambda_.FunctionEnvironmentArgs(
                         variables={"STAGE": "dev", "PAYMENTS_API_TOKEN": "tok_live_12345"}),
                     opts=opts)
