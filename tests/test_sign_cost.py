"""The sign POST does a fixed amount of database work, whatever the size of the letter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ConsentTextFactory, LetterFactory, SignatureFactory
from tests.signing import sign_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("existing", [0, 300])
def test_sign_post_query_count_is_fixed(client: Client, existing: int) -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    SignatureFactory.create_batch(existing, letter=letter)
    data = sign_data(client, letter, email="new.signer@example.org")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302
    # letter with its text, consent text, then the insert (in a savepoint)
    assert len(queries) == 5, [q["sql"][:80] for q in queries]


def test_a_first_signature_leaves_the_address_limit_alone(client: Client, monkeypatch) -> None:
    """The per-address limit costs its cache round trips only when someone signs again."""
    from django.core.cache import caches

    backend = caches["default"]
    touched: list[str] = []
    for name in ("add", "get", "set", "delete"):
        original = getattr(backend, name)

        def counting(key: str, *args: object, _original=original, **kwargs: object) -> object:
            touched.append(key)
            return _original(key, *args, **kwargs)

        monkeypatch.setattr(backend, name, counting)
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    address_keys = lambda: [k for k in touched if ":sign_email:" in k]  # noqa: E731
    client.post(f"/letters/{letter.slug}/sign/", sign_data(client, letter, email="a@example.org"))
    assert address_keys() == []
    client.post(f"/letters/{letter.slug}/sign/", sign_data(client, letter, email="a@example.org"))
    assert address_keys()
