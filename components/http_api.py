"""HttpApi: an API Gateway v2 HTTP API whose every route is a Lambda proxy behind one JWT
authorizer, throttled, with JSON access logs in a KMS-encrypted log group.

No route is public: `routes` and `proxy_routes` cannot opt out of the authorizer; the one
exception is `health_route` (GET only), which DNS health checks call without a token. The
`$default` stage deploys automatically; its default route settings carry the throttling
(steady rate and burst). Routes are Lambda proxies (`routes`) or forwarded to an https
service (`proxy_routes`, HTTP_PROXY). With `domain_name`, the API also answers on a regional
custom domain (its own DNS-validated certificate), e.g. the name of a failover record.

WAF: AWS WAF cannot be associated with an HTTP API (only REST APIs, ALBs, CloudFront,
AppSync, Cognito, App Runner, Verified Access). Protection here is the authorizer, the
stage throttling and the account-level API Gateway quotas; a stack that needs WAF rules puts
CloudFront with a web ACL in front (see the README section of the upload-api blueprint).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.kms import customer_key
from components.labels import child_name, physical_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource

_ROUTE_KEY = re.compile(r"^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[A-Za-z0-9._~{}+/-]*)$")
# HTTP API access-log variables (API Gateway developer guide, "HTTP API logging variables").
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "routeKey": "$context.routeKey",
    "status": "$context.status", "responseLength": "$context.responseLength",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error", "sub": "$context.authorizer.claims.sub",
})


@dataclass(frozen=True)
class HttpRoute:
    route_key: str
    """`METHOD /path`, e.g. `GET /video/{id}`."""
    function_name: pulumi.Input[str]
    """The Lambda function answering it (name, for the invoke permission)."""
    invoke_arn: pulumi.Input[str]
    """The function's invoke ARN (the integration's URI)."""

    def __post_init__(self) -> None:
        if not _ROUTE_KEY.match(self.route_key):
            raise ValueError(f"routes: '{self.route_key}' is not 'METHOD /path'; write it like "
                             "'GET /video/{id}'")


@dataclass(frozen=True)
class HttpProxyRoute:
    route_key: str
    """`METHOD /path`, e.g. `ANY /{proxy+}`."""
    url: pulumi.Input[str]
    """The https URL requests are forwarded to (HTTP_PROXY), e.g.
    `https://services.example.com/{proxy}`."""

    def __post_init__(self) -> None:
        if not _ROUTE_KEY.match(self.route_key):
            raise ValueError(f"proxy_routes: '{self.route_key}' is not 'METHOD /path'; write "
                             "it like 'ANY /{proxy+}'")
        if isinstance(self.url, str) and not self.url.startswith("https://"):
            raise ValueError(f"proxy_routes: '{self.url}' is not an https URL; the API forwards "
                             "over TLS only")


@dataclass(frozen=True, kw_only=True)
class HttpApiSettings:
    throttling_rate_limit: float = 100.0
    """Steady requests per second over all routes of the stage."""
    throttling_burst_limit: int = 200
    """Requests admitted in a burst above the steady rate."""

    def __post_init__(self) -> None:
        if self.throttling_rate_limit <= 0 or self.throttling_burst_limit <= 0:
            raise ValueError("throttling: rate and burst must be positive (0 would refuse every "
                             "request)")


@dataclass(frozen=True, kw_only=True)
class HttpApiArgs(HttpApiSettings):
    routes: Sequence[HttpRoute] = ()
    """Lambda routes of the API; each goes through the JWT authorizer."""
    proxy_routes: Sequence[HttpProxyRoute] = ()
    """Routes forwarded to an https service (HTTP_PROXY); each goes through the authorizer."""
    health_route: HttpProxyRoute | None = None
    """The one route without the authorizer (GET only, no data: a health answer) that DNS
    health checks call; None (default) = none."""
    domain_name: str | None = None
    """Regional custom domain of the API (e.g. the name a failover record serves in two
    regions); needs `route53_zone_id` for its certificate's validation."""
    route53_zone_id: str | None = None
    """Route 53 zone the custom domain's certificate is validated in."""
    jwt_issuer: pulumi.Input[str]
    """Issuer URL of the tokens (a Cognito user pool: https://cognito-idp.<region>.
    amazonaws.com/<pool id>)."""
    jwt_audiences: Sequence[pulumi.Input[str]]
    """Accepted `aud` / `client_id` values (the app client ids)."""
    cors_allowed_origins: Sequence[str] = ()
    """Browser origins allowed to call the API (none = no CORS)."""
    log_retention_days: int = 365
    """Retention of the access-log group."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the API."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.routes and not self.proxy_routes:
            raise ValueError("routes: empty; an API needs at least one route")
        if self.health_route is not None and not self.health_route.route_key.startswith("GET "):
            raise ValueError(f"health_route: '{self.health_route.route_key}' is not a GET route; "
                             "the unauthenticated route may only read a health answer")
        if (self.domain_name is None) != (self.route53_zone_id is None):
            raise ValueError("domain_name: needs route53_zone_id (and the other way round) to "
                             "validate its certificate; set both or neither")
        keys = [r.route_key for r in [*self.routes, *self.proxy_routes,
                                      *([self.health_route] if self.health_route else [])]]
        if len(set(keys)) != len(keys):
            raise ValueError("routes: a route key appears twice; list each once")
        if not self.jwt_audiences:
            raise ValueError("jwt_audiences: empty; give the app client id(s) tokens are for")
        check_log_retention("log_retention_days", self.log_retention_days)


def _route_slug(route_key: str) -> str:
    method, path = route_key.split(" ", 1)
    words = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return f"{method.lower()}-{words or 'root'}"


class HttpApi(pulumi.ComponentResource):
    """HTTP API + JWT authorizer + one Lambda proxy integration per route + `$default`
    stage (throttling, access logs)."""

    api_id: pulumi.Output[str]
    api_endpoint: pulumi.Output[str]
    """`https://<id>.execute-api.<region>.amazonaws.com` (the `$default` stage's URL)."""
    domain_target: pulumi.Output[str] | None
    """The custom domain's regional target (for a Route 53 alias); None without a domain."""
    domain_zone_id: pulumi.Output[str] | None
    """The hosted zone of `domain_target` (the alias's zone id); None without a domain."""
    monitored: list[MonitoredResource]
    """The API (kind `http-api`: 5xx rate)."""

    def __init__(self, name: str, args: HttpApiArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:http_api:HttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)
        api = aws.apigatewayv2.Api(
            child_name(name, "api"), name=physical_name(name, "api", limit=128),
            protocol_type="HTTP",
            cors_configuration=aws.apigatewayv2.ApiCorsConfigurationArgs(
                allow_origins=list(args.cors_allowed_origins),
                allow_methods=sorted({r.route_key.split(" ")[0] for r in args.routes}),
                allow_headers=["authorization", "content-type"], max_age=3600)
            if args.cors_allowed_origins else None,
            tags=resource_tags(child_name(name, "api"), extra=args.tags), opts=child)
        authorizer = aws.apigatewayv2.Authorizer(
            child_name(name, "jwt"), api_id=api.id, authorizer_type="JWT",
            name=child_name(name, "jwt"), identity_sources=["$request.header.Authorization"],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                issuer=args.jwt_issuer, audiences=list(args.jwt_audiences)), opts=child)
        for route in args.routes:
            slug = _route_slug(route.route_key)
            integration = aws.apigatewayv2.Integration(
                child_name(name, f"{slug}-integration"), api_id=api.id,
                integration_type="AWS_PROXY", integration_uri=route.invoke_arn,
                integration_method="POST", payload_format_version="2.0",
                timeout_milliseconds=10_000, opts=child)
            aws.apigatewayv2.Route(
                child_name(name, f"{slug}-route"), api_id=api.id, route_key=route.route_key,
                authorization_type="JWT", authorizer_id=authorizer.id,
                target=pulumi.Output.concat("integrations/", integration.id), opts=child)
            method, path = route.route_key.split(" ", 1)
            # Only this route of this API may invoke the function.
            aws.lambda_.Permission(
                child_name(name, f"{slug}-invoke"), action="lambda:InvokeFunction",
                function=route.function_name, principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(api.execution_arn, f"/*/{method}{path}"),
                opts=child)
        for route in args.proxy_routes:
            self._proxy_route(name, api, route, authorizer)
        if args.health_route is not None:
            self._proxy_route(name, api, args.health_route, None)
        key = customer_key(name, "logs-key", description=f"{name}: access logs", parent=self,
                           services=[LOGS_SERVICE], aws_context=ctx)
        logs = encrypted_log_group(child_name(name, "access-logs"),
                                   retention_days=args.log_retention_days, kms_key_arn=key.arn,
                                   parent=self)
        stage = aws.apigatewayv2.Stage(
            child_name(name, "stage"), api_id=api.id, name="$default", auto_deploy=True,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=logs.arn, format=ACCESS_LOG_FORMAT),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=args.throttling_rate_limit,
                throttling_burst_limit=args.throttling_burst_limit,
                detailed_metrics_enabled=True),
            tags=resource_tags(child_name(name, "stage")), opts=child)
        self.api_id = api.id
        self.api_endpoint = api.api_endpoint
        self.domain_target = self.domain_zone_id = None
        if args.domain_name is not None:
            self._custom_domain(name, args, api, stage)
        self.monitored = [MonitoredResource(kind="http-api", name=name,
                                            dimensions={"ApiId": api.id})]
        self.register_outputs({"apiId": self.api_id, "apiEndpoint": self.api_endpoint})

    def _proxy_route(self, name: str, api: aws.apigatewayv2.Api, route: HttpProxyRoute,
                     authorizer: aws.apigatewayv2.Authorizer | None) -> None:
        child = pulumi.ResourceOptions(parent=self)
        slug = _route_slug(route.route_key)
        integration = aws.apigatewayv2.Integration(
            child_name(name, f"{slug}-integration"), api_id=api.id,
            integration_type="HTTP_PROXY", integration_uri=route.url,
            integration_method=route.route_key.split(" ")[0], timeout_milliseconds=10_000,
            opts=child)
        aws.apigatewayv2.Route(
            child_name(name, f"{slug}-route"), api_id=api.id, route_key=route.route_key,
            authorization_type="JWT" if authorizer is not None else "NONE",
            authorizer_id=authorizer.id if authorizer is not None else None,
            target=pulumi.Output.concat("integrations/", integration.id), opts=child)

    def _custom_domain(self, name: str, args: HttpApiArgs, api: aws.apigatewayv2.Api,
                       stage: aws.apigatewayv2.Stage) -> None:
        """A regional custom domain with a DNS-validated certificate of this region."""
        child = pulumi.ResourceOptions(parent=self)
        certificate = aws.acm.Certificate(
            child_name(name, "certificate"), domain_name=args.domain_name,
            validation_method="DNS", tags=resource_tags(child_name(name, "certificate")),
            opts=child)
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            child_name(name, "certificate-validation-record"), zone_id=args.route53_zone_id,
            name=option.resource_record_name, type=option.resource_record_type,
            records=[option.resource_record_value], ttl=300, allow_overwrite=True, opts=child)
        validation = aws.acm.CertificateValidation(
            child_name(name, "certificate-validation"), certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn], opts=child)
        domain = aws.apigatewayv2.DomainName(
            child_name(name, "domain"), domain_name=args.domain_name,
            domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
                certificate_arn=validation.certificate_arn, endpoint_type="REGIONAL",
                security_policy="TLS_1_2"),
            tags=resource_tags(child_name(name, "domain")), opts=child)
        aws.apigatewayv2.ApiMapping(
            child_name(name, "mapping"), api_id=api.id, domain_name=domain.id,
            stage=stage.id, opts=child)
        config = domain.domain_name_configuration
        self.domain_target = config.target_domain_name
        self.domain_zone_id = config.hosted_zone_id
