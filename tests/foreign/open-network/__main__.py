"""A dev database reachable from the internet: SSH open to the world, public, unencrypted."""
import pulumi
import pulumi_aws as aws

east = aws.Provider("east", region="us-east-1",
                    default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "dev"}))
opts = pulumi.ResourceOptions(provider=east)
sg = aws.ec2.SecurityGroup("db", vpc_id="vpc-0123", description="db access", opts=opts,
                           ingress=[aws.ec2.SecurityGroupIngressArgs(
                               protocol="tcp", from_port=22, to_port=22,
                               cidr_blocks=["0.0.0.0/0"])])
aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                 username="app", manage_master_user_password=True, publicly_accessible=True,
                 storage_encrypted=False, backup_retention_period=7,
                 vpc_security_group_ids=[sg.id], tags={"data-class": "user-pii"}, opts=opts)
