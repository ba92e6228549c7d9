"""A small web stack that deploys cleanly, plus the one deploy-time defect this stack's
`check-cases:defect` config names (none for the clean stacks)."""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

config = pulumi.Config()
defect = config.get("defect") or "none"
stack = pulumi.get_stack()

# Clean baseline: names scoped by stack, auto-named buckets, a certificate validated by
# its own Route 53 record, and a chart's custom resource that waits for the chart.
zone = aws.route53.Zone("zone", name="example.com")
bucket = aws.s3.Bucket("assets")
aws.iam.Role("app-role", name=f"{stack}-app",
             assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
aws.sqs.Queue("jobs", name=f"{stack}-jobs")
aws.cloudfront.OriginAccessControl("oac", name=f"{stack}-oac",
                                   origin_access_control_origin_type="s3",
                                   signing_behavior="always", signing_protocol="sigv4")
cert = aws.acm.Certificate("cert", domain_name=f"{stack}.example.com", validation_method="DNS")
option = cert.domain_validation_options[0]
record = aws.route53.Record("cert-record", zone_id=zone.zone_id,
                            name=option.resource_record_name, type=option.resource_record_type,
                            records=[option.resource_record_value], ttl=60)
aws.acm.CertificateValidation("cert-validation", certificate_arn=cert.arn,
                              validation_record_fqdns=[record.fqdn])
karpenter = k8s.helm.v3.Release("karpenter", chart="oci://public.ecr.aws/karpenter/karpenter",
                                version="1.5.1", namespace="kube-system")
k8s.apiextensions.CustomResource(
    "node-pool", api_version="karpenter.sh/v1", kind="NodePool",
    metadata={"name": "default"}, spec={"template": {"spec": {}}},
    opts=pulumi.ResourceOptions(depends_on=[karpenter]))

if defect == "service-not-in-region":
    # Device Farm has one regional endpoint (us-west-2); the stack is in us-east-1.
    aws.devicefarm.Project("tests", name=f"{stack}-tests")
elif defect == "name-collision":
    aws.iam.Role("other-role", name=f"{stack}-app",
                 assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
elif defect == "account-singleton":
    # Two detectors in one account and region: the second CreateDetector fails.
    aws.guardduty.Detector("detector", enable=True)
    aws.guardduty.Detector("detector-again", enable=True)
elif defect == "name-invalid":
    aws.sqs.Queue("long-queue", name="q" * 81)
elif defect == "shared-name":
    # Unique within the stack; collides with any other stack sharing the account.
    aws.cloudfront.OriginAccessControl("fixed-oac", name="site-oac",
                                       origin_access_control_origin_type="s3",
                                       signing_behavior="always", signing_protocol="sigv4")
elif defect == "helm-chart-unresolvable":
    k8s.helm.v3.Release("broken-chart", chart="karpenter", version="1.5.1",
                        repository_opts={"repo": "oci://public.ecr.aws/karpenter"})
elif defect == "crd-order":
    k8s.apiextensions.CustomResource(
        "node-class", api_version="karpenter.k8s.aws/v1", kind="EC2NodeClass",
        metadata={"name": "default"}, spec={"role": "nodes"})
elif defect == "certificate-never-validated":
    api_cert = aws.acm.Certificate("api-cert", domain_name=f"api.{stack}.example.com",
                                   validation_method="DNS")
    aws.acm.CertificateValidation("api-cert-validation", certificate_arn=api_cert.arn)
elif defect == "opt-in-region":
    cape_town = aws.Provider("cape-town", region="af-south-1")
    aws.s3.Bucket("archive", opts=pulumi.ResourceOptions(provider=cape_town))
