"""One row INSERTed without recompiling the statement every time.

The ORM builds the SQL of an INSERT afresh on every save: for a wide row on the hot path of
signing, that took about as long as the round trip to the database. The statement depends
only on the model, so it is built once per model and database; the values go through each
field's own `pre_save` and `get_db_prep_save`, as `Model.save` does. No signals are sent:
use it only for models that have no save receivers."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None  # concrete fields always have one
    return field.column


@cache
def _statement(model: type[Model], alias: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise TypeError(f"{model.__name__} has save receivers, which model_insert would skip")
    meta = model._meta
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = tuple(
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field and not getattr(field, "generated", False)
    )
    columns = ", ".join(quote(_column(field)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only the model's own table and column names, quoted by the backend, go into the text.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"RETURNING {quote(_column(meta.pk))}"
    )
    return sql, fields


def model_insert(instance: Model) -> None:
    """INSERT `instance` as a new row and set its primary key, like `save(force_insert=True)`
    for a model with an auto-incrementing key. Raises the database's IntegrityError."""
    model = type(instance)
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    sql, fields = _statement(model, alias)
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (instance.pk,) = cursor.fetchone()
    instance._state.adding = False
    instance._state.db = alias
