"""certificate-never-validated: a DNS-validated ACM certificate that something in the
program waits on (a CertificateValidation, a listener, a distribution), while no DNS
record the program creates answers its validation. ACM then never issues it and the
apply hangs until the validation times out, or fails on the unissued certificate."""

from __future__ import annotations

from platformctl.checks import Report
from platformctl.checks.plan_view import StackPlan, is_opaque

ID = "certificate-never-validated"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
# DNS record types a program can answer ACM's CNAME with.
DNS_RECORD_TYPES = ("aws:route53/record:Record", "cloudflare:index/record:Record",
                    "cloudflare:index/dnsRecord:DnsRecord")


def run(plans: list[StackPlan], report: Report) -> None:
    for view in plans:
        records = view.of_type(*DNS_RECORD_TYPES)
        record_urns = {r["urn"] for r in records}
        answered = {urn for record in records for urn in view.waits_for(record["urn"])}
        # A validation that waits on a record of the program is answered by it, also when
        # the record was built from plain values (inside an apply) and names no certificate.
        answered |= {urn for v in view.of_type(VALIDATION) if view.waits_for(v["urn"]) &
                     record_urns for urn in v.get("dependencies") or []}
        waiting: dict[str, list[dict]] = {}
        for resource in view.plan["resources"]:
            for urn in resource.get("dependencies") or []:
                waiting.setdefault(urn, []).append(resource)
        for cert in view.of_type(CERTIFICATE):
            method = (cert.get("props") or {}).get("validationMethod")
            if is_opaque(method):
                report.skip(ID, cert["urn"], f"{view.label(cert)}: validationMethod unknown "
                            "until apply")
                continue
            if method != "DNS" or cert["urn"] in answered:
                continue
            waiters = waiting.get(cert["urn"], [])
            if not waiters:
                continue  # nothing in this program waits: records may be created elsewhere
            validation = next((w for w in waiters if w["type"] == VALIDATION), waiters[0])
            report.add(ID, cert["urn"], f"{view.label(cert)}: {validation['name']} waits for "
                       "it but no DNS record in this program answers its validation, so ACM "
                       "never issues it; create the records from domain_validation_options "
                       "(route53.Record or your DNS provider's) and pass their FQDNs as "
                       "validation_record_fqdns")
