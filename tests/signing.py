"""Helpers to sign a letter the way a browser does: fetch a challenge, solve it, post."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from letters.campaigns.models import Letter
from letters.signatures.challenge import challenge_solve

# Personas: people who sign in the tests.
ANNA = {  # a researcher at a registered institution, with her institutional address
    "full_name": "Anna Beispiel",
    "email": "anna.beispiel@tum.de",
    "title": "Professor of Machine Learning",
    "institution_name": "Technical University of Munich",
    "country": "DE",
}
JEAN = {  # an engineer with a free-mail address and no institution
    "full_name": "Jean Exemple",
    "email": "jean.exemple@gmail.com",
    "country": "FR",
}


def solved_challenge(client: Client) -> str:
    return challenge_solve(client.get("/signatures/challenge/").json())


def sign_data(client: Client, letter: Letter, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Maria Esempio",
        "email": "maria.esempio@example.org",
        "title": "",
        "institution_name": "",
        "institution": "",
        "country": "IT",
        "capacity": "individual",
        "consent": "on",
        "website": "",
        "version": letter.current_version.number if letter.current_version else "",
        "altcha": solved_challenge(client),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def committed() -> Any:
    """Run what the code queued for after commit (emails, recounts) at the end of the block,
    as a real commit would; tests otherwise run inside a transaction that never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def sign(client: Client, letter: Letter, **fields: Any) -> Any:
    data = sign_data(client, letter, **fields)
    with committed():
        return client.post(f"/letters/{letter.slug}/sign/", data)
