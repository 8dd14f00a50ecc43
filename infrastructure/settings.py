"""Settings from the environment (prefix ``YAGONA_``), with development defaults."""

from __future__ import annotations

import base64
import binascii
import re
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from application.rate_limits import LIMITS, Budget, InvalidBudget, Policy, parse_budget

DEVELOPMENT_JWT_SECRET = "yagona-development-secret-do-not-use-in-production"  # noqa: S105


class Settings(BaseSettings):
    """Every setting is documented in README.md's configuration table."""

    # An empty ``YAGONA_X=`` (an env file's unfilled line) counts as unset.
    model_config = SettingsConfigDict(env_prefix="YAGONA_", extra="ignore", env_ignore_empty=True)

    env: Literal["development", "production"] = Field(
        "development", description="development or production (production refuses unsafe defaults)"
    )
    database_url: str | None = Field(
        None, description="PostgreSQL URL; unset means the embedded server under data_dir"
    )
    data_dir: Path = Field(Path("var"), description="local state: the embedded PostgreSQL data")
    db_schema: str = Field("public", description="PostgreSQL schema holding Yagona's tables")
    db_pool_size: int = Field(2, ge=1, le=100, description="connections kept per pool")
    db_max_overflow: int = Field(10, ge=0, le=200, description="extra connections under load")
    host: str = Field("127.0.0.1", description="address `yagona serve` binds")
    port: int = Field(8000, ge=1, le=65535, description="port `yagona serve` binds")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["auto", "console", "json"] = Field(
        "auto", description="auto: console in development, JSON in production"
    )
    jwt_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_JWT_SECRET), description="HS256 key for bearer tokens"
    )
    jwt_issuer: str = Field("yagona", description="issuer claim of tokens")
    token_ttl_seconds: int = Field(
        3600, ge=60, description="lifetime of minted tokens (capped at their role's maximum)"
    )
    token_max_lifetime_staff_seconds: int = Field(
        12 * 3600,
        ge=60,
        description="longest lifetime (exp - iat) of an officer's, auditor's, admin's or "
        "integrator's token, whoever minted it; longer ones are refused",
    )
    token_max_lifetime_citizen_seconds: int = Field(
        3600,
        ge=60,
        description="longest lifetime (exp - iat) of a citizen's token, whoever minted it",
    )
    jwt_jwks_url: str | None = Field(
        None,
        description="JWKS of an external identity provider (e.g. OneID); RS256 tokens are "
        "verified against it (https://, http:// or file://)",
    )
    jwt_audience: str | None = Field(None, description="audience claim required, if set")
    allow_local_tokens: bool = Field(
        False,
        description="with an identity provider configured, still accept tokens signed with "
        "YAGONA_JWT_SECRET (their role claims trusted); development only: production refuses "
        "to start with it set",
    )
    cipher_key: SecretStr | None = Field(
        None,
        description="base64 AES key (16, 24 or 32 bytes) encrypting personal data in events and "
        "the files in DATA_DIR/blobs; "
        "development creates DATA_DIR/cipher.key when unset, production refuses to start",
    )
    export_signing_key: SecretStr | None = Field(
        None,
        description="base64 Ed25519 seed (32 bytes) signing case exports; unset: derived "
        "from the cipher key; set a new one to rotate (manifests name the key id)",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="public address, used in verification links; unset: follows host and port",
    )
    deadline_check_seconds: float = Field(
        300, gt=0, description="how often the worker checks legal terms"
    )
    payment_provider: Literal["sandbox", "stripe"] = Field(
        "sandbox", description="sandbox (offline; development only) or stripe"
    )
    stripe_api_key: SecretStr | None = Field(None, description="Stripe secret key (sk_…)")
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="signing secret of the Stripe webhook endpoint (whsec_…)"
    )
    stripe_api_base: str | None = Field(
        None, description="another Stripe API address (e.g. a localstripe server)"
    )
    payment_expiry_minutes: int = Field(
        60, ge=1, description="an unpaid payment expires (and its application is cancelled)"
    )
    audit_seal_seconds: float = Field(
        300, gt=0, description="how often the worker seals the heads of the audit chains"
    )
    webhooks_allow_loopback: bool = Field(
        False,
        description="deliver webhooks to loopback receivers (127.0.0.1, ::1, localhost) too; "
        "development and tests only: production refuses to start with it set",
    )
    idempotency_ttl_hours: int = Field(
        48, ge=24, description="how long Idempotency-Key responses are kept"
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="bearer token /metrics requires (compared in constant time); production "
        "needs it or metrics_allow",
    )
    metrics_allow: str | None = Field(
        None,
        description="comma-separated addresses or networks (10.0.0.0/8, ::1) allowed to read "
        "/metrics; production needs it or metrics_token",
    )

    # Rate limits (application/rate_limits.py): COUNT/SECONDS, or 0 or off.
    rate_limit_verification_per_address: str = Field(
        "30/60", description="public verifications per client address (COUNT/SECONDS or off)"
    )
    rate_limit_verification_per_subject: str = Field(
        "10/60", description="public verifications of one registration number, from anywhere"
    )
    rate_limit_submission_per_address: str = Field(
        "60/60", description="submissions (POST /v1/applications) per client address"
    )
    rate_limit_submission_per_subject: str = Field(
        "10/60", description="submissions per caller (a citizen's PINFL)"
    )
    rate_limit_sign_in_per_address: str = Field(
        "20/60", description="portal sign-in attempts per client address (issue 16)"
    )
    rate_limit_sign_in_per_subject: str = Field(
        "5/300", description="portal sign-in attempts per account"
    )

    @field_validator("db_schema")
    @classmethod
    def _schema_is_identifier(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise ValueError("must be a lowercase SQL identifier")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("metrics_token")
    @classmethod
    def _token_is_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("export_signing_key")
    @classmethod
    def _seed_is_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                raw = base64.b64decode(value.get_secret_value().strip(), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("must be base64 (of a 32-byte Ed25519 seed)") from None
            if len(raw) != 32:
                raise ValueError(f"must decode to 32 bytes (an Ed25519 seed), not {len(raw)}")
        return value

    @field_validator("metrics_allow")
    @classmethod
    def _networks_parse(cls, value: str | None) -> str | None:
        if value is not None:
            parse_networks(value)
        return value

    @field_validator(
        *(f"rate_limit_{name}_per_{scope}" for name in LIMITS for scope in ("address", "subject"))
    )
    @classmethod
    def _budget_parses(cls, value: str, info: ValidationInfo) -> str:
        try:
            parse_budget(value)
        except InvalidBudget as error:
            raise ValueError(f"YAGONA_{str(info.field_name).upper()}: {error}") from None
        return value

    @model_validator(mode="after")
    def _public_address_follows_the_bound_one(self) -> Settings:
        if "public_base_url" not in self.model_fields_set:  # derived, so still "not set"
            self.__dict__["public_base_url"] = local_base_url(self.host, self.port)
        return self

    def bound_to(self, host: str, port: int) -> Settings:
        """These settings for a server bound to ``host:port``: the public address follows
        unless it was set."""
        update: dict[str, object] = {"host": host, "port": port}
        if "public_base_url" not in self.model_fields_set:
            update["public_base_url"] = local_base_url(host, port)
        bound = self.model_copy(update=update)
        bound.__pydantic_fields_set__ = set(self.model_fields_set)  # still "not set"
        return bound

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @cached_property
    def uses_default_jwt_secret(self) -> bool:
        return self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET

    @cached_property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The addresses allowed to read /metrics; empty: no allow-list."""
        return parse_networks(self.metrics_allow or "")

    @cached_property
    def rate_limit_policies(self) -> dict[str, Policy]:
        """Each named rate limit's budgets (``None``: off)."""
        return {name: Policy(name, *self._budgets(name)) for name in LIMITS}

    def _budgets(self, name: str) -> tuple[Budget | None, Budget | None]:
        address = getattr(self, f"rate_limit_{name}_per_address")
        subject = getattr(self, f"rate_limit_{name}_per_subject")
        return parse_budget(address), parse_budget(subject)

    @property
    def local_tokens_allowed(self) -> bool:
        """Whether locally signed tokens count beside an identity provider's: never in
        production."""
        return self.allow_local_tokens and not self.is_production

    @property
    def webhooks_to_loopback(self) -> bool:
        """Whether loopback webhook receivers are allowed: never in production."""
        return self.webhooks_allow_loopback and not self.is_production

    @property
    def effective_log_format(self) -> str:
        if self.log_format != "auto":
            return self.log_format
        return "json" if self.is_production else "console"


def parse_networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """``"10.0.0.0/8, 192.0.2.7"`` as networks (an address is a network of one)."""
    try:
        return tuple(
            ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
        )
    except ValueError as error:
        raise ValueError(f"not an address or network: {error}") from None


def local_base_url(host: str, port: int) -> str:
    """``http://host:port`` for a bound address (a wildcard address is reached at loopback)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class UnsafeConfiguration(RuntimeError):
    """The settings are not fit for production; the process refuses to start."""


def production_problems(settings: Settings) -> list[str]:
    """Every setting production lacks or has unsafe, each naming the variable to set."""
    if not settings.is_production:
        return []
    problems = []
    if settings.uses_default_jwt_secret:
        problems.append("YAGONA_JWT_SECRET: set a random secret of at least 32 bytes")
    elif len(settings.jwt_secret.get_secret_value().encode()) < 32:
        problems.append("YAGONA_JWT_SECRET: must be at least 32 bytes in production")
    if settings.cipher_key is None:
        problems.append(
            "YAGONA_CIPHER_KEY: production refuses to store personal data unencrypted "
            "(generate one with: yagona keygen)"
        )
    if not settings.database_url:
        problems.append(
            "YAGONA_DATABASE_URL: production needs a PostgreSQL server "
            "(the embedded one is for development)"
        )
    if "public_base_url" not in settings.model_fields_set:
        problems.append(
            "YAGONA_PUBLIC_BASE_URL: the public address printed in result documents' "
            "verification links (e.g. https://yagona.example.uz)"
        )
    if settings.webhooks_allow_loopback:
        problems.append(
            "YAGONA_WEBHOOKS_ALLOW_LOOPBACK: production delivers webhooks to public receivers "
            "only; unset it"
        )
    if not settings.jwt_jwks_url:
        problems.append(
            "YAGONA_JWT_JWKS_URL: production authenticates people through an identity "
            "provider (OneID): set the https:// (or file://) URL of its JWKS"
        )
    elif settings.jwt_jwks_url.startswith("http://"):
        problems.append(
            "YAGONA_JWT_JWKS_URL: production fetches the identity provider's keys over "
            "https:// only (or reads a file://), not http://"
        )
    if settings.allow_local_tokens:
        problems.append(
            "YAGONA_ALLOW_LOCAL_TOKENS: production accepts only the identity provider's "
            "tokens beside integrators' API keys; unset it"
        )
    if settings.metrics_token is None and not settings.metrics_networks:
        problems.append(
            "YAGONA_METRICS_TOKEN or YAGONA_METRICS_ALLOW: production does not serve /metrics "
            "to anyone; set a bearer token or the addresses allowed to read it"
        )
    if settings.payment_provider == "sandbox":
        problems.append(
            "YAGONA_PAYMENT_PROVIDER: the sandbox payment provider is not selectable in "
            "production; set stripe"
        )
    return problems


def check_production_safety(settings: Settings) -> None:
    """Refuse unsafe settings, naming every one of them at once."""
    problems = production_problems(settings)
    if settings.payment_provider == "stripe" or settings.is_production:
        if settings.stripe_api_key is None:
            problems.append("YAGONA_STRIPE_API_KEY: the stripe provider needs its secret key")
        if settings.stripe_webhook_secret is None:
            problems.append(
                "YAGONA_STRIPE_WEBHOOK_SECRET: the stripe provider needs the webhook's "
                "signing secret"
            )
    if len(problems) == 1:
        raise UnsafeConfiguration(problems[0])
    if problems:
        raise UnsafeConfiguration(
            "these settings are missing or unsafe:\n" + "\n".join(f"  - {p}" for p in problems)
        )
