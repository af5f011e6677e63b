"""Reading large JSON arrays from files people hand us, one element at a time.

Registry dumps are big (ROR's holds some 110,000 organisations, a few hundred megabytes), so
they are read as a stream rather than loaded whole. JSON has no entities to expand, so the
"bombs" to guard against are size and nesting: the whole input, any one element, and the
depth of an element are each limited, and going past a limit is a clear error with the
place where it happened, never an exhausted machine."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

CHUNK = 1 << 20


class JSONStreamError(ValueError):
    """The input is not what it should be; the message says what and where."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 << 30
    max_element_bytes: int = 4 << 20
    max_depth: int = 32


def size_label(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a decoded value, without recursion (so a deep value cannot blow the
    stack here either), stopping as soon as it passes the limit."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class _Text:
    """UTF-8 text from a byte stream, counted against the size limit."""

    def __init__(self, stream: IO[bytes], limits: Limits) -> None:
        self.stream = stream
        self.limits = limits
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.read_bytes = 0
        self.eof = False

    def read(self) -> str:
        if self.eof:
            return ""
        raw = self.stream.read(CHUNK)
        self.read_bytes += len(raw)
        if self.read_bytes > self.limits.max_bytes:
            raise JSONStreamError(
                f"The file is larger than the limit of {size_label(self.limits.max_bytes)}."
            )
        try:
            if not raw:
                self.eof = True
                return self.decoder.decode(b"", final=True)
            return self.decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise JSONStreamError(
                f"The file is not UTF-8 text (bad byte near byte {self.read_bytes - len(raw)})."
            ) from exc


def iter_array(stream: IO[bytes], limits: Limits | None = None) -> Iterator[Any]:
    """Yield the elements of the top-level JSON array in `stream`, in order.

    Raises JSONStreamError for anything that is not one well-formed array within the limits;
    elements already yielded stay yielded, so callers that must change nothing on a bad file
    work inside a transaction."""
    limits = limits or Limits()
    text = _Text(stream, limits)
    decoder = json.JSONDecoder()
    buffer = ""
    pos = 0
    consumed = 0  # characters dropped from the front of the buffer, for error positions
    index = 0

    def fill() -> bool:
        nonlocal buffer, pos, consumed
        chunk = text.read()
        if not chunk and text.eof:
            return False
        consumed += pos
        buffer = buffer[pos:] + chunk
        pos = 0
        return True

    def skip_space() -> None:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer) or not fill():
                return

    skip_space()
    if pos >= len(buffer) or buffer[pos] != "[":
        raise JSONStreamError("The file is not a JSON list (it should start with “[”).")
    pos += 1
    skip_space()
    if pos < len(buffer) and buffer[pos] == "]":
        pos += 1
    else:
        while True:
            skip_space()
            while True:
                try:
                    element, end = decoder.raw_decode(buffer, pos)
                except json.JSONDecodeError as exc:
                    # Cut off by the end of what was read so far, rather than malformed?
                    # (An unterminated string is reported where the string starts.)
                    cut = exc.pos >= len(buffer) - 8 or exc.msg.startswith("Unterminated")
                    if cut and not text.eof:
                        if len(buffer) - pos > limits.max_element_bytes:
                            raise JSONStreamError(
                                f"Entry {index + 1} is larger than the limit of "
                                f"{size_label(limits.max_element_bytes)}."
                            ) from exc
                        if fill():
                            continue
                    raise JSONStreamError(
                        f"Entry {index + 1} is not valid JSON ({exc.msg} at character "
                        f"{consumed + exc.pos + 1})."
                    ) from exc
                except RecursionError as exc:
                    raise JSONStreamError(
                        f"Entry {index + 1} is nested too deeply to be a registry entry."
                    ) from exc
                # A number or word cut at the end of the buffer decodes short: make sure
                # the element is followed by something, or the file has ended.
                if end >= len(buffer) and not text.eof and fill():
                    continue
                break
            if end - pos > limits.max_element_bytes:
                raise JSONStreamError(
                    f"Entry {index + 1} is larger than the limit of "
                    f"{size_label(limits.max_element_bytes)}."
                )
            if _depth(element, limits.max_depth) > limits.max_depth:
                raise JSONStreamError(
                    f"Entry {index + 1} is nested more than {limits.max_depth} levels deep."
                )
            pos = end
            index += 1
            yield element
            skip_space()
            if pos >= len(buffer):
                raise JSONStreamError("The file ends before the list is closed (“]”).")
            if buffer[pos] == ",":
                pos += 1
                continue
            if buffer[pos] == "]":
                pos += 1
                break
            raise JSONStreamError(
                f"Expected “,” or “]” after entry {index} at character {consumed + pos + 1}."
            )
    skip_space()
    if pos < len(buffer):
        raise JSONStreamError("There is more after the end of the list.")
