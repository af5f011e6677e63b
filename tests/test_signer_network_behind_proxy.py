"""Behind the site's proxy, each signer's network is read from the header the proxy adds,
not from the proxy's own address, which every request shares."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import sign

pytestmark = pytest.mark.django_db


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_two_signers_behind_one_proxy_are_two_networks() -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    for n, network in enumerate(("198.51.100.7", "203.0.113.9")):
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=network)
        assert sign(client, letter, email=f"signer{n}@example.org").status_code == 302

    hashes = set(Signature.objects.values_list("ip_hash", flat=True))
    assert len(hashes) == 2 and "" not in hashes


def test_the_proxy_count_follows_behind_tls_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import campaign.settings

    monkeypatch.setenv("BEHIND_TLS_PROXY", "1")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    try:
        assert importlib.reload(campaign.settings).ALLAUTH_TRUSTED_PROXY_COUNT == 1
        monkeypatch.setenv("BEHIND_TLS_PROXY", "0")
        assert importlib.reload(campaign.settings).ALLAUTH_TRUSTED_PROXY_COUNT == 0
    finally:
        monkeypatch.undo()
        importlib.reload(campaign.settings)
