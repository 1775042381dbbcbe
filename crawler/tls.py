"""What is wrong with a portal's TLS certificate, recorded with the capture (`captures.tls_error`).

Many county portals serve expired, self-signed or mismatched certificates. The crawl archives them anyway
(Scrapy's default TLS context does not verify, and a report behind a bad certificate is still the
report), and says what was wrong so that researchers can judge the capture: expired, not yet valid,
self-signed, or issued for another host. The chain up to a trusted root is not checked: the response
carries only the leaf certificate.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID


def _names(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) the certificate is for: its SANs, else its common name."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return [n.lower() for n in san.get_values_for_type(x509.DNSName)], [
            str(ip) for ip in san.get_values_for_type(x509.IPAddress)
        ]
    except x509.ExtensionNotFound:
        cn = [str(a.value).lower() for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        return cn, []


def _host_matches(host: str, dns: list[str], ips: list[str]) -> bool:
    try:
        return str(ipaddress.ip_address(host)) in ips
    except ValueError:
        pass
    host = host.lower().rstrip(".")
    for name in dns:
        if name == host:
            return True
        if name.startswith("*.") and host.count(".") == name.count(".") and host.endswith(name[1:]):
            return True  # a wildcard covers exactly one label
    return False


def certificate_problem(cert: x509.Certificate, host: str, now: datetime | None = None) -> str | None:
    """What is wrong with `cert` for `host`, or None."""
    now = now or datetime.now(UTC)
    problems = []
    if cert.not_valid_after_utc < now:
        problems.append(f"expired {cert.not_valid_after_utc:%Y-%m-%d}")
    if cert.not_valid_before_utc > now:
        problems.append(f"not valid before {cert.not_valid_before_utc:%Y-%m-%d}")
    if cert.issuer == cert.subject:
        problems.append("self-signed")
    dns, ips = _names(cert)
    if not _host_matches(host, dns, ips):
        problems.append(f"issued for {', '.join(dns + ips) or 'no name'}, not {host}")
    return "; ".join(problems) or None


def response_certificate_problem(certificate: Any, host: str) -> str | None:
    """For a Scrapy response's `certificate` (Twisted's Certificate over a pyOpenSSL X509)."""
    if certificate is None:
        return None
    try:
        return certificate_problem(certificate.original.to_cryptography(), host)
    except Exception as e:  # a certificate we cannot read is itself a finding; the page is kept
        return f"unreadable certificate: {type(e).__name__}"
