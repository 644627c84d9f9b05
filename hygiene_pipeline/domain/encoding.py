"""Detect the text encoding of a landing file: UTF-8 (with or without BOM), UTF-16, GB18030, cp1252.

CRM exports arrive from Excel, legacy systems and Chinese-locale tools, so one feed can mix
encodings. The order of evidence:

1. a byte-order mark decides (`utf-8-sig`, `utf-16`);
2. without a BOM, NUL bytes mostly at every other position mean UTF-16 (`utf-16-le` or
   `utf-16-be` by their side); a sample of more than `BINARY_SHARE` control bytes (and more
   than `BINARY_MIN_CONTROLS`) is binary data and refused; a few stray control bytes (a NUL
   typed into one field) decide nothing: the reader quarantines the rows that hold them;
3. bytes that decode as strict UTF-8 are UTF-8 (legacy 8-bit text almost never does);
4. otherwise the file is GB18030 (a superset of GBK/GB2312) or Windows-1252/Latin-1. Either
   usually decodes the other's bytes without error, so decodability cannot tell them apart; the
   shape of the bytes can. A Chinese character is two bytes that are both >= 0x80, so in GB18030
   text non-ASCII bytes come in runs of two or more; in Western text an accented letter is one
   such byte between ASCII letters (`M\xfcller`). When most non-ASCII bytes stand in runs, GB18030
   is tried first, else cp1252; the winner must decode the whole file strictly. `latin-1`, which
   decodes any byte, is the last resort. (A statistical detector such as charset-normalizer
   misreads short Chinese names as cp1252, which garbles exactly the names linkage needs.)
"""

from __future__ import annotations

import codecs
import re

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 8 * 1024 * 1024
NON_ASCII = re.compile(rb"[\x80-\xff]")
NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
GB18030_RUN_SHARE = 0.8
UTF16_NUL_SHARE = 0.2
UTF16_PARITY_SHARE = 0.9
BINARY_SHARE = 0.05
BINARY_MIN_CONTROLS = 16
CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
"""C0 controls but tab, line feed and carriage return, and DEL: never part of a text value."""
CONTROL_BYTES = re.compile(b"[" + CONTROL_CHARACTERS.encode("ascii") + b"]")
_CONTROL_BYTE_SET = bytes(b for b in range(128) if CONTROL_BYTES.match(bytes([b])))
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
LEGACY_CANDIDATES = ("gb18030", "cp1252")


def detect_encoding(data: bytes) -> str:
    """The Python codec name that decodes `data`; `ValueError` when it is not text at all."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample and (utf16 := _bomless_utf16(sample)) is not None:
        if decodes_strictly(data, utf16):
            return utf16
        raise ValueError(f"looks like {utf16} without a byte-order mark but does not decode")
    controls = len(CONTROL_BYTES.findall(sample))
    if controls > max(BINARY_SHARE * len(sample), BINARY_MIN_CONTROLS):
        raise ValueError(f"binary data: {controls:,} control bytes in its first {len(sample):,}")
    if data.isascii() or decodes_strictly(data, "utf-8"):
        return "utf-8"
    for encoding in _legacy_candidates(non_ascii_lines(data)):
        if decodes_strictly(data, encoding):
            return encoding
    return "latin-1"


def has_control_bytes(data: bytes) -> bool:
    """Whether 8-bit or UTF-8 text holds a control byte (a NUL, an escape, ...).

    Deleting the control bytes chunk by chunk and comparing lengths runs at memory speed, several
    times faster than a regular expression, so every file can afford the check.
    """
    return any(
        len(chunk) != len(chunk.translate(None, _CONTROL_BYTE_SET))
        for chunk in (data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES))
    )


def _bomless_utf16(sample: bytes) -> str | None:
    """`utf-16-le`/`-be` when NULs are frequent and sit on one side of the byte pairs."""
    view = memoryview(sample)
    odd, even = view[1::2].tobytes().count(0), view[0::2].tobytes().count(0)
    if odd + even < UTF16_NUL_SHARE * len(sample):
        return None
    if odd >= UTF16_PARITY_SHARE * (odd + even):
        return "utf-16-le"
    if even >= UTF16_PARITY_SHARE * (odd + even):
        return "utf-16-be"
    return None


def decodes_strictly(data: bytes, encoding: str) -> bool:
    """Whether all of `data` decodes without error, checked in chunks to bound memory."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    view = memoryview(data)
    try:
        for start in range(0, len(view), CHUNK_BYTES):
            decoder.decode(view[start : start + CHUNK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def non_ascii_lines(data: bytes, limit: int = SAMPLE_BYTES) -> bytes:
    """Up to `limit` bytes of the lines that hold non-ASCII bytes: the only evidence that counts."""
    lines: list[bytes] = []
    size = 0
    position = 0
    while size < limit and (match := NON_ASCII.search(data, position)):
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = len(data) if end < 0 else end
        lines.append(data[start:end])
        size += end - start
        position = end + 1
    return b"\n".join(lines)


def _legacy_candidates(sample: bytes) -> list[str]:
    """GB18030 first when most non-ASCII bytes stand in runs (two-byte characters), else cp1252."""
    runs = [len(run) for run in NON_ASCII_RUN.findall(sample)]
    in_runs = sum(length for length in runs if length >= 2)
    if runs and in_runs >= GB18030_RUN_SHARE * sum(runs):
        return ["gb18030", "cp1252"]
    return ["cp1252", "gb18030"]
