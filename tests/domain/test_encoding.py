"""Encoding detection on the byte patterns CRM exports really have."""

from __future__ import annotations

import codecs

import pytest

from hygiene_pipeline.domain import encoding
from hygiene_pipeline.domain.encoding import decodes_strictly, detect_encoding, non_ascii_lines


@pytest.mark.parametrize(
    "text",
    [
        "contact_id,full_name,company\n1,王伟,北京科技有限公司\n2,李娜,上海贸易有限公司\n",
        "id,name\n1,王伟\n",
        "id,name\n1,张喆\n2,王堃\n",  # characters outside GB2312, inside GBK
        "id,name,city\n"
        + "".join(f"{i},Wei Zhang,Shenzhen\n" for i in range(500))
        + "501,张伟,深圳\n",
    ],
)
def test_chinese_legacy_text_is_gb18030(text: str) -> None:
    assert detect_encoding(text.encode("gb18030")) == "gb18030"


@pytest.mark.parametrize(
    "text",
    [
        "id,name,city\n1,Jürgen Müller,München\n2,Björn Groß,Köln\n",
        "id,name\n1,Élodie Lefèvre\n2,François Hébert\n",
        "id,name\n1,Müller\n",  # also decodes as GB18030: bytes FC 6C form a valid pair
        "id,name\n1,Åsa Öberg\n",
        "ID,NAME\n1,MÜLLER\n2,ÉLODIE\n",
        "id,name\n1,José Núñez\n",
    ],
)
def test_western_legacy_text_is_cp1252(text: str) -> None:
    assert detect_encoding(text.encode("latin-1")) == "cp1252"


def test_windows_punctuation_is_cp1252() -> None:
    assert detect_encoding("id,notes\n1,“quoted” – 5 €\n".encode("cp1252")) == "cp1252"


def test_bytes_undefined_in_cp1252_fall_back_to_latin_1() -> None:
    assert detect_encoding(b"id,name\n1,M\x81ller\n2,Jos\xe9\n") == "latin-1"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("id,name\n1,Müller\n".encode("utf-8-sig"), "utf-8-sig"),
        ("id,name\n1,Müller\n".encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + "id\n1\n".encode("utf-16-be"), "utf-16"),
        ("id,name\n1,Müller 王伟\n".encode(), "utf-8"),
        (b"id,name\n1,Smith\n", "utf-8"),
    ],
)
def test_bom_and_utf8(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_binary_data_is_refused() -> None:
    with pytest.raises(ValueError, match="binary data"):
        detect_encoding(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(32)) * 8)


@pytest.mark.parametrize(
    ("text", "codec"), [("id,name\n1,Müller 王\n", "utf-16-le"), ("id\n1\n", "utf-16-be")]
)
def test_utf16_without_bom_is_told_by_the_side_of_its_nuls(text: str, codec: str) -> None:
    assert detect_encoding(text.encode(codec)) == codec


def test_a_stray_nul_in_a_field_leaves_the_file_text() -> None:
    # the reader quarantines the row that holds it; the file itself is UTF-8
    assert detect_encoding("id,name\n1,Mül\x00ler\n2,Smith\n".encode()) == "utf-8"


def test_strict_decoding_survives_a_character_split_across_chunks() -> None:
    data = b"a" * (encoding.CHUNK_BYTES - 1) + "é".encode() + b"z"
    assert decodes_strictly(data, "utf-8")
    assert not decodes_strictly(data[:-2], "utf-8")  # truncated mid-character


def test_sample_holds_only_lines_with_non_ascii_bytes() -> None:
    data = b"id,name\n1,Smith\n2,M\xfcller\n3,Jones\n4,G\xf6tz"
    assert non_ascii_lines(data) == b"2,M\xfcller\n4,G\xf6tz"
