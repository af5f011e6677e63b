"""A small asyncio HTTP/1.1 load client with keep-alive, and a wrapper around wrk.

Own client rather than a framework: a signing cycle needs a GET, then a POST carrying a
proof-of-work solution and a fresh email, which wrk's Lua cannot produce, and the client must
stay light enough to leave the two cores to the server it measures."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode


class HTTPError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            assert self.reader is not None and self.writer is not None
            lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            for name, value in (headers or {}).items():
                lines.append(f"{name}: {value}")
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode()
            try:
                self.writer.write(head + body)
                await self.writer.drain()
                return await self._read_response()
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed a kept-alive connection (sync workers do): reconnect once.
                await self.close()
                if attempt == 2:
                    raise
        raise HTTPError("unreachable")

    async def _read_response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += await self.reader.readexactly(size + 2)
                del body[-2:]
            data = bytes(body)
        else:
            data = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, data


@dataclass
class LoadResult:
    completed: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    # Including the warm-up: what the CPU spent over the whole run paid for.
    completed_with_warmup: int = 0

    @classmethod
    def combined(cls, results: list[LoadResult]) -> LoadResult:
        return cls(
            completed=sum(r.completed for r in results),
            errors=sum(r.errors for r in results),
            seconds=sum(r.seconds for r in results),
            latencies_ms=[ms for r in results for ms in r.latencies_ms],
            completed_with_warmup=sum(r.completed_with_warmup for r in results),
        )

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


Cycle = Callable[[Connection, int], Awaitable[bool]]


async def run_cycles(
    host: str,
    port: int,
    cycle: Cycle,
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
) -> LoadResult:
    """Run `cycle` in `concurrency` loops for `seconds` after a warm-up; count what succeeds.

    Every cycle opens a connection of its own and closes it at the end, as a visitor's
    browser does (see bench/README.md on why connections are not kept for the whole run)."""
    counter = iter(range(10**9))
    latencies: list[float] = []
    completed = errors = all_completed = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    async def user() -> None:
        nonlocal completed, errors, all_completed
        connection = Connection(host, port)
        try:
            while (now := time.perf_counter()) < stop_at:
                try:
                    ok = await cycle(connection, next(counter))
                except (OSError, asyncio.IncompleteReadError, HTTPError):
                    ok = False
                await connection.close()
                done = time.perf_counter()
                all_completed += ok
                if now >= measure_from:
                    if ok:
                        completed += 1
                        latencies.append((done - now) * 1000)
                    else:
                        errors += 1
        finally:
            await connection.close()

    await asyncio.gather(*(user() for _ in range(concurrency)))
    return LoadResult(completed, errors, seconds, latencies, all_completed)


def form_body(data: dict[str, str]) -> bytes:
    return urlencode(data).encode()


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def wrk(
    url: str, *, connections: int, seconds: int, threads: int = 2, script: Path | None = None
) -> float:
    """Requests per second that wrk measured, with an optional Lua script."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is missing: scripts/system-deps --bench installs it")
    out = subprocess.run(
        [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *(["--script", str(script)] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw {non2xx.group(1)} error responses from {url}")
    return float(match.group(1))
