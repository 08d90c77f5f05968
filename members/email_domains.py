"""A programme's trainee email domains: "nhs.net, nhs.uk" means an address at either, or at a
subdomain of either (a trust's `gstt.nhs.uk`). Empty means any address."""

import re

from django.core.exceptions import ValidationError

DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def parse_domains(text: str) -> list[str]:
    """The domains in a comma- or space-separated list, lower-cased, without a leading @."""
    return [part.lstrip("@").lower() for part in re.split(r"[\s,;]+", text or "") if part.strip()]


def validate_domain_list(text: str) -> None:
    """Raise ValidationError naming the first entry that is not a domain."""
    for domain in parse_domains(text):
        if not DOMAIN.fullmatch(domain):
            raise ValidationError(
                f"“{domain}” is not a domain. Enter domains such as nhs.net, separated by commas.",
                code="invalid_domain",
            )


def address_in_domains(email: str, domains: list[str]) -> bool:
    """Whether `email` is at one of `domains` or a subdomain of one; True if there are none."""
    if not domains:
        return True
    domain = email.rpartition("@")[2].strip().lower()
    return any(domain == allowed or domain.endswith(f".{allowed}") for allowed in domains)
