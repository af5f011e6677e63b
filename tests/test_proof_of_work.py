"""The proof of work asks every signer for the same, bounded work, and the server checks a
solution without redoing it, and only for its own challenge."""

from __future__ import annotations

import base64
import json
from typing import Any
from unittest import mock

import pytest

from letters.signatures.challenge import (
    ChallengeFailed,
    challenge_create,
    challenge_solve,
    challenge_verify,
)


def _counter_of(payload: str) -> int:
    return int(json.loads(base64.b64decode(payload))["solution"]["counter"])


def test_the_work_is_drawn_by_the_server_within_the_configured_range(settings: Any) -> None:
    settings.ALTCHA_COST = 1
    settings.ALTCHA_COUNTER = 40
    counters = {_counter_of(challenge_solve(challenge_create())) for _ in range(25)}
    # The browser must count up to the drawn counter: never less than half the range.
    assert min(counters) >= 20 and max(counters) <= 40
    assert len(counters) > 1


def test_checking_a_solution_does_not_redo_the_work(settings: Any) -> None:
    settings.ALTCHA_COST = 5000
    settings.ALTCHA_COUNTER = 2
    challenge = challenge_create()
    assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    payload = challenge_solve(challenge)
    with mock.patch("hashlib.pbkdf2_hmac", side_effect=AssertionError("derived again")):
        challenge_verify(payload)


def test_a_solution_names_its_own_challenge(settings: Any) -> None:
    settings.ALTCHA_COST = 1
    settings.ALTCHA_COUNTER = 4
    first, second = (challenge_solve(challenge_create()) for _ in range(2))
    # The key a signature spends (tests/test_challenge_spent_once.py): the same for the same
    # solution, another for another challenge.
    assert challenge_verify(first) == challenge_verify(first)
    assert challenge_verify(first) != challenge_verify(second)
    assert len(challenge_verify(first)) == 32


def test_a_forged_key_or_altered_challenge_fails(settings: Any) -> None:
    settings.ALTCHA_COST = 1
    settings.ALTCHA_COUNTER = 4
    data = json.loads(base64.b64decode(challenge_solve(challenge_create())))
    forged = json.loads(json.dumps(data))
    forged["solution"]["derivedKey"] = "00" * 32
    with pytest.raises(ChallengeFailed, match="invalid"):
        challenge_verify(base64.b64encode(json.dumps(forged).encode()).decode())
    easier = json.loads(json.dumps(data))
    easier["challenge"]["parameters"]["cost"] = 0
    with pytest.raises(ChallengeFailed, match="invalid"):
        challenge_verify(base64.b64encode(json.dumps(easier).encode()).decode())


@pytest.mark.parametrize(
    "payload",
    [
        "not base64 at all!",
        base64.b64encode(b"\xff\xfe").decode(),
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"challenge": {}, "solution": {}}').decode(),
    ],
)
def test_a_malformed_payload_is_refused_as_invalid(payload: str) -> None:
    with pytest.raises(ChallengeFailed, match="invalid"):
        challenge_verify(payload)
