"""Where outgoing mail goes: the SMTP server of SMTP_HOST, or, with none configured (the
embedded default), nowhere: it is kept in the outbox and read with `nocode mail`.

Its own settings class, so that a job worker (`nocode worker`) reads them without the
server's (JWT_SECRET and the rest).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset or empty, mail is kept in the outbox"
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "nocode <no-reply@localhost>"

    @property
    def uses_smtp(self) -> bool:
        return bool(self.smtp_host)

    def describe(self) -> str:
        """One line for the start-up output: where mail goes."""
        if self.uses_smtp:
            return f"mail: sent through SMTP at {self.smtp_host}:{self.smtp_port}"
        return "mail: no SMTP_HOST, so emails are kept in the outbox: read them with `nocode mail`"


@lru_cache
def mail_settings() -> MailSettings:
    return MailSettings()
