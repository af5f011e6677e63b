"""`python -m bench --profile`: where a signing cycle's and a packet's time goes.

py-spy samples the gunicorn workers and the Celery worker while the concurrency-8 signing
run is under way, and the packet workers' children during one more 10,000-signatory packet
after the timed ones (so that sampling slows no figure); the collapsed stacks are summed into
inclusive and self time per function and written to bench/out/sign-profile.txt and
bench/out/packet-profile.txt, next to the raw stacks (readable by speedscope or flamegraph
tools)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.env import OUT

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def child_pids(parent: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


class Sampler:
    """Starts one py-spy per process; `stop` waits for them and writes the summary.

    Without `seconds`, py-spy samples until `stop` interrupts it (it writes what it has)."""

    def __init__(
        self, pids: dict[str, int], *, seconds: float | None = None, label: str = "sign"
    ) -> None:
        self.label = label
        self.seconds = seconds
        self.outputs: dict[str, Path] = {}
        self.procs: list[subprocess.Popen[bytes]] = []
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        for name, pid in pids.items():
            output = OUT / f"{label}-profile-{name}.raw"
            self.outputs[name] = output
            self.procs.append(
                subprocess.Popen(
                    [
                        py_spy,
                        "record",
                        "--pid",
                        str(pid),
                        *(["--duration", str(int(seconds))] if seconds else []),
                        "--rate",
                        "200",
                        "--format",
                        "raw",
                        "--output",
                        str(output),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self) -> Path:
        for proc in self.procs:
            if self.seconds is None:
                proc.send_signal(signal.SIGINT)
            proc.wait(timeout=120)
        summary = OUT / f"{self.label}-profile.txt"
        parts = []
        for name, path in self.outputs.items():
            if path.exists():
                parts.append(summarise(name, path.read_text()))
        summary.write_text("\n\n".join(parts))
        return summary


def _short(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    file = match["file"]
    for marker in ("site-packages/", "/work/", "lib/python3.12/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match['func']} ({file})"


def summarise(name: str, raw: str, top: int = 30) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    if not total:
        return f"== {name}: no samples"
    lines = [f"== {name}: {total} samples (busy time only; idle is not sampled)"]
    # The frames under every sample (the worker's main loop, Celery's plumbing) say nothing.
    trunk = {frame for frame, count in inclusive.items() if count >= 0.98 * total}
    lines.append("-- inclusive (function and what it calls)")
    lines += [
        f"{100 * c / total:6.1f}%  {f}"
        for f, c in inclusive.most_common(top + len(trunk))
        if f not in trunk
    ][:top]
    lines.append("-- self")
    lines += [f"{100 * c / total:6.1f}%  {f}" for f, c in own.most_common(top)]
    return "\n".join(lines)
