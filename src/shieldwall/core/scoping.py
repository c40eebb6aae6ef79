"""Querysets of marked models that refuse to run until `.visible_to(actor)` has been applied.

A forgotten access filter therefore fails loudly in tests instead of leaking (NetBox's `.restrict()` is
opt-in, and forgetting it is its recurring bug). Every way a queryset reaches the database is guarded:
fetching, counting, existence, aggregation, iteration, use as a subquery, and prefetching.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from shieldwall.core.actor import Actor

M = TypeVar("M", bound=models.Model)


class UnscopedQueryError(RuntimeError):
    """A marked model was queried without the access filter."""


class ScopedQuerySet(models.QuerySet[M]):
    _visible: bool = False

    def visible_to(self, actor: Actor) -> Self:
        from shieldwall.core.access import releasable_q

        if actor is None:  # type: ignore[comparison-overlap]
            raise UnscopedQueryError("visible_to() needs an Actor; there is no implicit user")
        clone = self.filter(releasable_q(actor, self.model))
        clone._visible = True
        return clone

    def _guard(self) -> None:
        if not self._visible:
            raise UnscopedQueryError(
                f"{self.model.__name__} queried without .visible_to(actor): every read goes through the access rule"
            )

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._visible = self._visible
        return clone

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._guard()
        super()._fetch_all()

    def count(self) -> int:
        self._guard()
        return super().count()

    def exists(self) -> bool:
        self._guard()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._guard()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._guard()
        return super().iterator(chunk_size=chunk_size)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().resolve_expression(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._guard()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._guard()
        return super().delete()


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """The `objects` manager of marked models."""
