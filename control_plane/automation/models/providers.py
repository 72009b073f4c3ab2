"""The providers an integration may name, per type, and the keys of their configuration:
which are required, which are optional, and which are secrets (encrypted at rest in
automation_integrations.secrets, never returned: the API shows `<key>_configured`).

| type | provider | required | optional | secret |
| --- | --- | --- | --- | --- |
| email | smtp | host, from_email | port, username, security, from_name, reply_to | password |
| email | sendgrid, mailgun, ses | api_key, from_email | from_name, reply_to, region | api_key |
| messaging | slack, teams, discord | webhook_url | default_channel, bot_name | webhook_url, token |
| storage | s3, gcs, azure | bucket, secret_key | region, endpoint, access_key_id | secret_key |
| database | postgresql | dsn | | dsn |
| payment | stripe, paypal | api_key | default_currency success_url cancel_url | api_key |
| analytics | google_analytics, mixpanel | | property_id, project_id | api_key, token |

Any provider may also hold a `webhook_secret` (the key of its calls back to the platform).
The executors use smtp (send_email), slack/teams/discord (webhook) and postgresql
(database_query); the others are kept, tested for their shape, and used by nothing yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from control_plane.automation.models.common import IntegrationType

WEBHOOK_SECRET = "webhook_secret"
MAX_VALUE_LENGTH = 4096


@dataclass(frozen=True)
class Provider:
    type: IntegrationType
    required: frozenset[str]
    optional: frozenset[str]
    secrets: frozenset[str]

    @property
    def keys(self) -> frozenset[str]:
        return self.required | self.optional | self.secrets | {WEBHOOK_SECRET}


def _provider(
    type_: IntegrationType, required: str = "", optional: str = "", secrets: str = ""
) -> Provider:
    return Provider(
        type_,
        frozenset(required.split()),
        frozenset(optional.split()),
        frozenset(secrets.split()),
    )


_EMAIL_API = _provider(
    IntegrationType.EMAIL, "api_key from_email", "from_name reply_to region", "api_key"
)
_CHAT = _provider(
    IntegrationType.MESSAGING, "webhook_url", "default_channel bot_name", "webhook_url token"
)
_STORAGE = _provider(
    IntegrationType.STORAGE,
    "bucket secret_key",
    "region endpoint access_key_id",
    "secret_key",
)
_PAYMENT = _provider(
    IntegrationType.PAYMENT,
    "api_key",
    "default_currency success_url cancel_url",
    "api_key",
)
_ANALYTICS = _provider(IntegrationType.ANALYTICS, "", "property_id project_id", "api_key token")

PROVIDERS: Mapping[str, Provider] = {
    "smtp": _provider(
        IntegrationType.EMAIL,
        "host from_email",
        "port username security from_name reply_to",
        "password",
    ),
    "sendgrid": _EMAIL_API,
    "mailgun": _EMAIL_API,
    "ses": _EMAIL_API,
    "slack": _CHAT,
    "teams": _CHAT,
    "discord": _CHAT,
    "s3": _STORAGE,
    "gcs": _STORAGE,
    "azure": _STORAGE,
    "postgresql": _provider(IntegrationType.DATABASE, "dsn", "", "dsn"),
    "stripe": _PAYMENT,
    "paypal": _PAYMENT,
    "google_analytics": _ANALYTICS,
    "mixpanel": _ANALYTICS,
}

SMTP_SECURITY = ("starttls", "ssl", "none")


def problems(
    type_: IntegrationType, provider_name: str, configuration: Mapping[str, Any], *, partial: bool
) -> dict[str, str]:
    """What is wrong with a configuration, by key path (empty: nothing). `partial`: an
    update, whose missing keys keep their stored values."""
    provider = PROVIDERS.get(provider_name)
    if provider is None:
        return {"provider": f"Unknown provider; one of {', '.join(sorted(PROVIDERS))}."}
    if provider.type is not type_:
        return {"provider": f"{provider_name} is a provider of type {provider.type}."}
    found: dict[str, str] = {}
    for key, value in configuration.items():
        path = f"configuration.{key}"
        if key not in provider.keys:
            found[path] = f"Not a key of {provider_name}: {', '.join(sorted(provider.keys))}."
        elif not _scalar(value):
            found[path] = f"A string, number or boolean of at most {MAX_VALUE_LENGTH} characters."
    if not partial:
        for key in sorted(provider.required - set(configuration)):
            found[f"configuration.{key}"] = "Required."
    if "security" in configuration and configuration["security"] not in SMTP_SECURITY:
        found["configuration.security"] = f"One of {', '.join(SMTP_SECURITY)}."
    if "port" in configuration and not _port(configuration["port"]):
        found["configuration.port"] = "A port number, 1 to 65535."
    return found


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= MAX_VALUE_LENGTH and "\x00" not in value
    return isinstance(value, bool | int | float)


def _port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def split(
    provider_name: str, configuration: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings shown as they are, secrets), the configuration split by the provider's
    secret keys."""
    secret_keys = PROVIDERS[provider_name].secrets | {WEBHOOK_SECRET}
    shown = {k: v for k, v in configuration.items() if k not in secret_keys}
    secrets = {k: v for k, v in configuration.items() if k in secret_keys}
    return shown, secrets
