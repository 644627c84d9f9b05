"""Detect the text encoding of a landing file: UTF-8 (with or without BOM), UTF-16, GB18030, cp1252.

CRM exports arrive from Excel, legacy systems and Chinese-locale tools, so one feed can mix
encodings. The order of evidence:

1. a byte-order mark decides (`utf-8-sig`, `utf-16`);
2. NUL bytes without a BOM mean binary data (or BOM-less UTF-16): the file is refused;
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
    if b"\x00" in data:
        raise ValueError("contains NUL bytes: binary data or UTF-16 without a byte-order mark")
    if data.isascii() or decodes_strictly(data, "utf-8"):
        return "utf-8"
    for encoding in _legacy_candidates(non_ascii_lines(data)):
        if decodes_strictly(data, encoding):
            return encoding
    return "latin-1"


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
