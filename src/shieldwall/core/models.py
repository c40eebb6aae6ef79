"""Core models: users, API tokens, the audit chain, idempotency records, and the `Marked` base."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from shieldwall.core.markings import Classification, Releasability, format_marking
from shieldwall.core.roles import Role
from shieldwall.core.scoping import ScopedManager


class Tracked(models.Model):
    """Creation and update times and a version counter (the API's ETag)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class Marked(Tracked):
    """A record that can be sensitive: classification, releasability, REL TO rows and the originating nation.

    `unscoped` is the plain default manager Django's own machinery needs (unique checks, forms); only
    `core` and migrations may use it. Everything else reads through `objects.visible_to(actor)`.
    """

    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )
    releasability = models.CharField(
        max_length=10, choices=Releasability.choices, default=Releasability.COALITION
    )
    originator = models.ForeignKey("coalition.Nation", on_delete=models.PROTECT, related_name="+")
    rel_to = models.ManyToManyField(
        "coalition.Nation", blank=True, related_name="%(app_label)s_%(class)s_releasable+"
    )

    unscoped = models.Manager()
    objects = ScopedManager()

    class Meta:
        abstract = True
        default_manager_name = "unscoped"

    def clean(self) -> None:
        super().clean()
        from shieldwall.core.markings import ceiling

        if self.classification is not None and self.classification > ceiling():
            raise ValidationError(
                {
                    "classification": (
                        f"{Classification(self.classification).label} is above this deployment's ceiling "
                        f"({ceiling().label}); such records must not be entered here"
                    )
                }
            )

    def marking_label(self, rel_to_codes: list[str] | tuple[str, ...] = ()) -> str:
        return format_marking(self.classification, self.releasability, rel_to_codes)


class User(AbstractUser):
    nation = models.ForeignKey(
        "coalition.Nation", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    roles = models.JSONField(default=list, blank=True, help_text="Role codes, e.g. ['donor', 'analyst'].")
    clearance = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )

    def clean(self) -> None:
        super().clean()
        unknown = sorted(set(self.roles or ()) - set(Role.values))
        if unknown:
            raise ValidationError({"roles": f"unknown roles {', '.join(unknown)}; use {', '.join(Role.values)}"})

    @property
    def is_admin_role(self) -> bool:
        return Role.ADMIN in (self.roles or ())


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a SHA-256 digest, with expiry and revocation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """One link of the tamper-evident audit chain; rows are appended, never changed."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150)
    actor_nation = models.CharField(max_length=3, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict)
    # The marking of the record the event is about, so the log is read under the same rule as the record.
    classification = models.PositiveSmallIntegerField(choices=Classification.choices, default=0)
    releasability = models.CharField(max_length=10, choices=Releasability.choices,
                                     default=Releasability.COALITION)
    originator = models.CharField(max_length=3, blank=True)
    rel_to = models.CharField(max_length=1200, blank=True, help_text="',FRA,GBR,' for REL TO records")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_username"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class IdempotencyRecord(models.Model):
    """The response to a create that carried an `Idempotency-Key`, replayed when the request is retried."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
