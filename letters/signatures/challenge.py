"""Proof of work in the signer's browser (the ALTCHA protocol, version 2).

The browser fetches a challenge signed by this server, spends a moment of CPU finding the
solution, and sends it with the form. Nothing about the signer goes to a third party. Each
challenge is good for one signature: the signature stores the challenge's key under a unique
index (`Signature.challenge_key`), so the check costs the signing request no round trip of
its own, and holds as long as the database does."""

from __future__ import annotations

import secrets
import time
from typing import Any

import altcha
from django.conf import settings


def _secrets() -> tuple[str, str]:
    key = settings.ALTCHA_HMAC_KEY
    # A second key lets the server check a solution without redoing the work.
    return key, f"{key}:derived-key"


def challenge_create() -> dict[str, Any]:
    """A challenge in ALTCHA's deterministic mode: the server draws the counter and signs the
    key it derives, so every signer does the same amount of work (a random search made some
    wait twenty seconds), and checking a solution is one HMAC, whatever the cost."""
    hmac_secret, hmac_key_secret = _secrets()
    top = max(settings.ALTCHA_COUNTER, 1)
    challenge = altcha.create_challenge(
        "PBKDF2/SHA-256",
        settings.ALTCHA_COST,
        counter=top // 2 + secrets.randbelow(top - top // 2 + 1),
        expires_at=int(time.time()) + settings.ALTCHA_EXPIRES_SECONDS,
        hmac_secret=hmac_secret,
        hmac_key_secret=hmac_key_secret,
    )
    return challenge.to_dict()


class ChallengeFailed(Exception):
    pass


def challenge_verify(payload: str) -> str:
    """The key of the challenge the payload solves; ChallengeFailed unless it solves an
    unexpired challenge of this server. Whether it was spent already is for the database
    to say when the signature is stored."""
    if not payload or len(payload) > 4000:
        raise ChallengeFailed("missing")
    hmac_secret, hmac_key_secret = _secrets()
    try:
        parsed = altcha.Payload.from_base64(payload)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ChallengeFailed("invalid") from exc
    result = altcha.verify_solution(parsed, hmac_secret, hmac_key_secret=hmac_key_secret)
    if not result.verified:
        raise ChallengeFailed("expired" if result.expired else "invalid")
    # The server's HMAC of the challenge: unguessable, and unique to it.
    return str(parsed.challenge.signature)[:32]


def challenge_solve(challenge: dict[str, Any]) -> str:
    """Solve a challenge the way a browser would (for tests and the benchmark client)."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    if solution is None:
        raise ChallengeFailed("unsolvable")
    return altcha.Payload(parsed, solution).to_base64()
