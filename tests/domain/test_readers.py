"""`read_feed` on small landing folders written by each test."""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hygiene_pipeline.domain import readers
from hygiene_pipeline.domain.column_ops import RAW_TEXT_DTYPE
from hygiene_pipeline.domain.feed_frames import REJECTED_COLUMNS, FeedFrames
from hygiene_pipeline.domain.feed_specs import feed_spec
from hygiene_pipeline.domain.headers import load_column_mappings
from hygiene_pipeline.domain.readers import FeedError, read_feed

SALESFORCE_HEADER = "Id,FirstName,LastName,Email,Account.Name,Company,Title,favorite_color\n"


def land(
    landing: Path, feed: str, name: str, content: str | bytes, encoding: str = "utf-8"
) -> Path:
    """Write one landing file; text is encoded with `encoding`."""
    path = landing / feed / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def reasons_by_row(batch: FeedFrames) -> dict[tuple[str, int], str]:
    return {
        (file, row): reason
        for file, row, reason in batch.rejected[["source_file", "row_number", "reason"]].itertuples(
            index=False
        )
    }


def texts(values: pd.Series | pd.DataFrame) -> list:
    """Raw values as Python objects: text columns hold NA where a value is missing."""
    return values.astype(object).where(values.notna(), None).values.tolist()


def assert_every_row_once(batch: FeedFrames, data_rows: int) -> None:
    """Row accounting: every data row of the files is accepted or rejected, exactly once."""
    assert batch.row_count == data_rows
    lineage = pd.concat(
        [
            batch.accepted[["source_file", "row_number"]],
            batch.rejected[["source_file", "row_number"]],
        ]
    )
    assert not lineage.duplicated().any()
    assert list(batch.rejected.columns) == REJECTED_COLUMNS


def test_salesforce_export_is_mapped_with_unknown_columns_kept(tmp_path: Path) -> None:
    land(
        tmp_path,
        "crm_contacts",
        "salesforce_contacts_eu.csv",
        SALESFORCE_HEADER
        + "003A,John,Smith,john@acme.test,,Acme Inc,CEO,red\n"
        + "003B,Mary,  ,mary@globex.test,Globex GmbH,Globex,,\n",
    )
    batch = read_feed(tmp_path, "crm_contacts")
    frame = batch.accepted
    assert list(frame.columns) == [*feed_spec("crm_contacts").columns, "favorite_color",
                                   "source_file", "row_number"]  # fmt: skip
    assert frame["contact_id"].tolist() == ["003A", "003B"]
    assert frame["source_system"].tolist() == ["salesforce", "salesforce"]
    # Account.Name and Company both map to company: the first non-empty value wins
    assert frame["company"].tolist() == ["Acme Inc", "Globex GmbH"]
    assert texts(frame["job_title"]) == ["CEO", None]
    assert texts(frame["last_name"]) == ["Smith", None]  # whitespace-only is missing
    assert texts(frame["favorite_color"]) == ["red", None]
    assert frame["phone"].isna().all()  # a contract column no file has is still there
    assert frame["row_number"].tolist() == [1, 2]
    assert frame["source_file"].tolist() == ["salesforce_contacts_eu.csv"] * 2
    assert all(dtype == RAW_TEXT_DTYPE for dtype in frame.dtypes.drop("row_number"))
    assert frame["row_number"].dtype == "int64"
    assert batch.files == ["salesforce_contacts_eu.csv"]
    assert batch.rejected.empty


def test_hubspot_export_in_latin_1_with_semicolons(tmp_path: Path) -> None:
    land(
        tmp_path,
        "crm_contacts",
        "hubspot-export.csv",
        "Record ID;First Name;lastname;jobtitle;zip;hs_lead_status\n"
        "101;Jürgen;Müller;Geschäftsführer;80331;Open\n",
        encoding="latin-1",
    )
    batch = read_feed(tmp_path, "crm_contacts")
    row = batch.accepted.iloc[0]
    assert (row["contact_id"], row["first_name"], row["last_name"]) == ("101", "Jürgen", "Müller")
    assert (row["job_title"], row["postal_code"]) == ("Geschäftsführer", "80331")
    assert (row["lead_status"], pd.isna(row["lifecycle_stage"])) == ("Open", True)
    assert row["source_system"] == "hubspot"
    assert batch.file_encodings == {"hubspot-export.csv": "cp1252"}


def test_gb18030_file_with_chinese_names(tmp_path: Path) -> None:
    land(
        tmp_path,
        "crm_contacts",
        "legacy crm.csv",
        "contact_id,full_name,company,city\nL1,王伟,北京科技有限公司,北京\nL2,张喆,深圳华强,深圳\n",
        encoding="gb18030",
    )
    batch = read_feed(tmp_path, "crm_contacts")
    assert batch.accepted["full_name"].tolist() == ["王伟", "张喆"]
    assert batch.accepted["company"].tolist() == ["北京科技有限公司", "深圳华强"]
    assert batch.accepted["source_system"].tolist() == ["legacy", "legacy"]
    assert batch.file_encodings == {"legacy crm.csv": "gb18030"}


def test_bom_file_keeps_its_first_header(tmp_path: Path) -> None:
    land(tmp_path, "crm_contacts", "crm.csv", "contact_id,email\nC1,a@b.test\n", "utf-8-sig")
    batch = read_feed(tmp_path, "crm_contacts")
    assert batch.accepted["contact_id"].tolist() == ["C1"]
    assert batch.file_encodings == {"crm.csv": "utf-8-sig"}


def test_utf16_tab_separated_text_export(tmp_path: Path) -> None:
    text = "Phone Number\tDate Added\n+44 20 7946 0000\t2024-01-02\n"
    land(tmp_path, "dnc_list", "dnc.txt", text, "utf-16")
    batch = read_feed(tmp_path, "dnc_list")
    assert batch.accepted[["phone", "added_at"]].values.tolist() == [
        ["+44 20 7946 0000", "2024-01-02"]
    ]
    assert batch.file_encodings == {"dnc.txt": "utf-16"}


def test_gzipped_csv(tmp_path: Path) -> None:
    content = gzip.compress(b"phone_number,call_date,status\n+14155550100,2024-01-02,NA\n")
    land(tmp_path, "call_logs", "dialer.csv.gz", content)
    batch = read_feed(tmp_path, "call_logs")
    assert batch.accepted[["phone_dialed", "called_at", "disposition"]].values.tolist() == [
        ["+14155550100", "2024-01-02", "NA"]
    ]


def test_row_level_quarantine_and_accounting(tmp_path: Path) -> None:
    long_notes = "x" * 70
    land(
        tmp_path,
        "crm_contacts",
        "acme_crm.csv",
        "contact_id,first_name,notes\n"
        "C1,Ann,fine\n"
        "C2,Bob,too,many,fields\n"
        '"C3","Multi\nLine",ok\n'
        "\n"
        ",Nobody,no id\n"
        f"C4,Dan,{long_notes}\n"
        "C5,Eve\n"
        " C1 ,Ann again,duplicate after trimming\n"
        "C6,Fay,last\n",
    )
    batch = read_feed(tmp_path, "crm_contacts", max_field_chars=50)
    assert batch.accepted["contact_id"].tolist() == ["C1", "C3", "C6"]
    assert batch.accepted["first_name"].tolist() == ["Ann", "Multi\nLine", "Fay"]
    # a quoted line break stays inside one record; the blank line is no record
    assert batch.accepted["row_number"].tolist() == [1, 3, 8]
    assert reasons_by_row(batch) == {
        ("acme_crm.csv", 2): "ragged row: 5 fields, header has 3",
        ("acme_crm.csv", 4): "missing required value: contact_id",
        ("acme_crm.csv", 5): "field too long: notes has 70 characters (limit 50)",
        ("acme_crm.csv", 6): "ragged row: 2 fields, header has 3",
        ("acme_crm.csv", 7): "duplicate contact_id ' C1 ' within source_system 'acme' "
        "(first seen in row 1 of acme_crm.csv)",
    }
    raw = dict(zip(batch.rejected["row_number"], batch.rejected["raw"], strict=True))
    assert json.loads(raw[2]) == ["C2", "Bob", "too", "many", "fields"]
    assert json.loads(raw[7])["first_name"] == "Ann again"
    assert set(batch.rejected["feed"]) == {"crm_contacts"}
    assert_every_row_once(batch, data_rows=8)


def test_duplicates_are_scoped_by_source_system(tmp_path: Path) -> None:
    header = "contact_id,source_system,email\n"
    land(
        tmp_path,
        "crm_contacts",
        "a_salesforce.csv",
        header + "C1,Salesforce,a@x.test\nC2,,b@x.test\n",
    )
    land(
        tmp_path,
        "crm_contacts",
        "b_more.csv",
        header + "C1,hubspot,c@x.test\nC1,salesforce ,d@x.test\n",
    )
    batch = read_feed(tmp_path, "crm_contacts")
    accepted = batch.accepted[["contact_id", "source_system", "email"]].values.tolist()
    assert accepted == [
        ["C1", "Salesforce", "a@x.test"],
        ["C2", "a", "b@x.test"],  # a blank source system comes from the file name
        ["C1", "hubspot", "c@x.test"],
    ]
    assert reasons_by_row(batch) == {
        ("b_more.csv", 2): "duplicate contact_id 'C1' within source_system 'salesforce ' "
        "(first seen in row 1 of a_salesforce.csv)"
    }
    raw = json.loads(batch.rejected.loc[0, "raw"])
    assert raw == {"contact_id": "C1", "source_system": "salesforce ", "email": "d@x.test"}


def test_file_without_a_required_column_is_quarantined_whole(tmp_path: Path) -> None:
    land(tmp_path, "email_bounces", "a.csv", "email,bounce_type\nx@y.test,hard\nz@y.test,soft\n")
    land(tmp_path, "email_bounces", "b.csv", "email,bounced_at\nw@y.test,2024-01-01\n")
    batch = read_feed(tmp_path, "email_bounces")
    assert batch.accepted["email"].tolist() == ["w@y.test"]
    assert reasons_by_row(batch) == {
        ("a.csv", 1): "missing required column: bounced_at (file has no such column)",
        ("a.csv", 2): "missing required column: bounced_at (file has no such column)",
    }
    assert_every_row_once(batch, data_rows=3)


def test_call_logs_need_a_phone_or_a_contact(tmp_path: Path) -> None:
    land(tmp_path, "call_logs", "vicidial.csv",
         "call_date,phone_number,vendor_lead_code,status,length_in_sec\n"
         "2024-01-02 10:00,+14155550100,,NA,0\n"
         "2024-01-02 10:05,,C7,SALE,310\n"
         "2024-01-02 10:09,,,B,0\n")  # fmt: skip
    batch = read_feed(tmp_path, "call_logs")
    assert texts(batch.accepted[["phone_dialed", "contact_id", "duration_seconds"]]) == [
        ["+14155550100", None, "0"],
        [None, "C7", "310"],
    ]
    assert reasons_by_row(batch) == {
        ("vicidial.csv", 3): "missing required value: phone_dialed or contact_id"
    }
    land(tmp_path / "other", "call_logs", "bare.csv", "called_at,disposition\n2024-01-02,NA\n")
    bare = read_feed(tmp_path / "other", "call_logs")
    assert bare.rejected["reason"].tolist() == [
        "missing required column: phone_dialed or contact_id (file has no such column)"
    ]


def test_user_mapping_file(tmp_path: Path) -> None:
    land(tmp_path, "crm_contacts", "zoho.csv", "Zoho Contact No,Vorname,Extra\nZ1,Anna,x\n")
    user_file = tmp_path / "mappings.yaml"
    user_file.write_text("crm_contacts:\n  Zoho Contact No: contact_id\n  Vorname: first_name\n")
    batch = read_feed(tmp_path, "crm_contacts", load_column_mappings(user_file))
    assert batch.accepted[
        ["contact_id", "first_name", "extra", "source_system"]
    ].values.tolist() == [["Z1", "Anna", "x", "zoho"]]
    without = read_feed(tmp_path, "crm_contacts")
    assert without.rejected["reason"].unique().tolist() == [
        "missing required column: contact_id (file has no such column)"
    ]


def test_columns_named_like_lineage_are_kept_aside(tmp_path: Path) -> None:
    land(tmp_path, "dnc_list", "dnc.csv", "phone,source_file,Row Number\n+12025550123,old.csv,9\n")
    frame = read_feed(tmp_path, "dnc_list").accepted
    assert frame[["source_file_original", "row_number_original"]].values.tolist() == [
        ["old.csv", "9"]
    ]
    assert frame[["source_file", "row_number"]].values.tolist() == [["dnc.csv", 1]]


def test_missing_and_empty_feed_folders(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="crm_contacts is missing"):
        read_feed(tmp_path, "crm_contacts")
    (tmp_path / "call_logs").mkdir()
    land(tmp_path, "call_logs", ".DS_Store", b"\x00\x01")  # hidden: not a data file
    with pytest.raises(FeedError, match="has no data files"):
        read_feed(tmp_path, "call_logs")
    for feed in ("engagement_events", "dnc_list"):
        batch = read_feed(tmp_path, feed)
        assert batch.accepted.empty and batch.rejected.empty and batch.files == []
        assert list(batch.accepted.columns) == [*feed_spec(feed).columns, "source_file",
                                                "row_number"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("contacts.xlsx", b"PK", "corrupt or unreadable workbook"),
        ("contacts.jsonl", b"{}", "unsupported file type '.jsonl'"),
        ("contacts.pdf", b"%PDF-1.7", "unsupported file type '.pdf'"),
        ("contacts.csv", bytes(range(256)) * 4, "cannot be decoded as text (binary data"),
        ("contacts.csv", "id\n1\n".encode("utf-16-le")[:-1], "cannot be decoded as text"),
        ("contacts.csv.gz", b"not gzip", "not a readable gzip file"),
        ("contacts.csv", b"", "empty file (0 bytes)"),
        ("contacts.csv", b"\n\n", "no header row"),
    ],
)
def test_an_unreadable_file_is_rejected_and_the_feed_goes_on(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    land(tmp_path, "crm_contacts", name, content)
    land(tmp_path, "crm_contacts", "zoho_ok.csv", "contact_id,email\nZ1,a@b.test\n")
    batch = read_feed(tmp_path, "crm_contacts")
    assert batch.accepted["contact_id"].tolist() == ["Z1"]
    assert batch.files == ["zoho_ok.csv"]
    assert batch.rejected_files[["feed", "source_file"]].values.tolist() == [["crm_contacts", name]]
    assert batch.rejected_files["reason"].iloc[0].startswith(reason)


def test_unknown_feed(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="unknown feed 'contacts'"):
        read_feed(tmp_path, "contacts")


def test_engagement_json_lines(tmp_path: Path) -> None:
    events = [
        {"contact_id": "C1", "type": "email_open", "timestamp": "2024-05-01T10:00:00Z", "n": 3},
        {"email": "a@b.test", "type": "web_visit", "timestamp": "2024-05-01T10:00:00+02:00",
         "url": "https://acme.test/pricing", "flag": True},
        {"type": "form_submit", "timestamp": "2024-05-02T08:00:00Z"},
    ]  # fmt: skip
    land(tmp_path, "engagement_events", "events.jsonl", "\n".join(map(json.dumps, events)) + "\n")
    batch = read_feed(tmp_path, "engagement_events")
    frame = batch.accepted
    assert frame["event_type"].tolist() == ["email_open", "web_visit"]
    assert frame["occurred_at"].tolist() == ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00+02:00"]
    assert texts(frame["n"]) == ["3", None] and texts(frame["flag"]) == [None, "true"]
    assert frame["row_number"].tolist() == [1, 2]
    assert reasons_by_row(batch) == {
        ("events.jsonl", 3): "missing required value: contact_id or email"
    }


def test_json_lines_with_bad_lines_and_nested_values(tmp_path: Path) -> None:
    land(
        tmp_path,
        "engagement_events",
        "events.ndjson",
        '{"contact_id": "C1", "event_type": "email_click", "occurred_at": "2024-05-01",'
        ' "meta": {"campaign": "spring"}}\n'
        "\n"
        '{"contact_id": "C2", "event_type": \n'
        "[1, 2]\n"
        '{"contact_id": "C3", "event_type": "web_visit", "occurred_at": "2024-05-03"}\n',
    )
    batch = read_feed(tmp_path, "engagement_events")
    assert batch.accepted["contact_id"].tolist() == ["C1", "C3"]
    assert texts(batch.accepted["meta"]) == ['{"campaign": "spring"}', None]
    assert batch.accepted["row_number"].tolist() == [1, 4]
    reasons = reasons_by_row(batch)
    assert reasons[("events.ndjson", 2)].startswith("invalid JSON: Expecting value")
    assert reasons[("events.ndjson", 3)] == "not a JSON object with fields"
    assert_every_row_once(batch, data_rows=4)


def test_json_lines_with_a_few_bad_lines_among_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow reads the runs of good lines, the few bad ones are read one by one: rows, row
    numbers and reasons are those of reading every record by itself."""
    lines = [
        json.dumps({"contact_id": f"C{n}", "event_type": "web_visit", "occurred_at": n})
        for n in range(1, 3001)
    ]
    lines[10] = '{"contact_id": "C11", "event_type": '
    event = {"event_type": "web_visit", "occurred_at": 1}
    lines[1500] = json.dumps({"contact_id": "C1501", **event, "meta": {"a": 1}})
    lines[2000] = "[1, 2]"
    lines[2500] = json.dumps({"contact_id": "C2501", **event, "score": 0.5})
    lines[2999] = json.dumps({"contact_id": "C3000", **event, "only_here": "yes"})
    lines[20], lines[21] = "null", '{"contact_id": "C22", "event_type": '  # null beside a bad line
    lines[30], lines[40] = "{ }", lines[40] + " " + lines[41]  # two objects on one line
    # blank lines, one of them ideographic space only, count as no record
    text = "\n".join([*lines[:700], "", "\u3000", *lines[700:]]) + "\n"
    land(tmp_path, "engagement_events", "events.jsonl", text)
    batch = read_feed(tmp_path, "engagement_events")
    accepted = batch.accepted
    assert len(accepted) == 2994 and accepted["row_number"].is_monotonic_increasing
    by_id = accepted.set_index("contact_id")
    assert by_id.loc["C1", "row_number"] == 1 and by_id.loc["C701", "row_number"] == 701
    assert by_id.loc["C3000", "row_number"] == 3000
    assert by_id.loc["C1501", "meta"] == '{"a": 1}' and by_id.loc["C2501", "score"] == "0.5"
    assert by_id.loc["C3000", "only_here"] == "yes" and pd.isna(by_id.loc["C1", "only_here"])
    assert by_id.loc["C42", "occurred_at"] == "42"
    reasons = reasons_by_row(batch)
    assert reasons[("events.jsonl", 11)].startswith("invalid JSON: Expecting value")
    assert reasons[("events.jsonl", 2001)] == "not a JSON object with fields"
    assert reasons[("events.jsonl", 21)] == reasons[("events.jsonl", 31)]
    assert reasons[("events.jsonl", 21)] == "not a JSON object with fields"
    assert reasons[("events.jsonl", 22)].startswith("invalid JSON: Expecting value")
    assert reasons[("events.jsonl", 41)].startswith("invalid JSON: Extra data")
    assert "C42" in by_id.index and "C41" not in by_id.index
    assert_every_row_once(batch, data_rows=3000)

    monkeypatch.setattr(readers, "JSON_LINES_APART_MAX", 0)
    one_by_one = read_feed(tmp_path, "engagement_events")
    pd.testing.assert_frame_equal(accepted, one_by_one.accepted)
    pd.testing.assert_frame_equal(batch.rejected, one_by_one.rejected)


def test_json_numbers_read_record_by_record_keep_their_text(tmp_path: Path) -> None:
    land(
        tmp_path,
        "engagement_events",
        "events.jsonl",
        '{"contact_id": 12345678901234567890123, "event_type": "web_visit", "occurred_at": 1,'
        ' "score": 0.1}\n'
        '{"contact_id": 42, "event_type": "web_visit", "occurred_at": 2, "score": NaN,'
        ' "seen": true}\n'
        '{"contact_id": "C3", "event_type": \n',
    )
    batch = read_feed(tmp_path, "engagement_events")
    assert batch.accepted["contact_id"].tolist() == ["12345678901234567890123", "42"]
    assert batch.accepted["score"].tolist() == ["0.1", "NaN"]
    assert texts(batch.accepted["seen"]) == [None, "true"]
    reasons = reasons_by_row(batch)
    assert reasons[("events.jsonl", 3)] == "invalid JSON: Expecting value (column 35)"


def test_json_document_array(tmp_path: Path) -> None:
    document = [
        {"email": "a@b.test", "event": "email_open", "date": "2024-05-01"},
        {"email": "c@d.test", "event": "unsubscribe", "date": "2024-05-02"},
    ]
    land(tmp_path, "engagement_events", "export.json", json.dumps(document, indent=2))
    frame = read_feed(tmp_path, "engagement_events").accepted
    assert frame[["email", "event_type", "occurred_at", "row_number"]].values.tolist() == [
        ["a@b.test", "email_open", "2024-05-01", 1],
        ["c@d.test", "unsubscribe", "2024-05-02", 2],
    ]


def test_bounces_from_csv_and_every_esp_shape(tmp_path: Path) -> None:
    land(tmp_path, "email_bounces", "bounces.csv",
         "Email Address,Bounce Date,Type,SMTP Code,Status,Reason,ESP\n"
         "a@b.test,2024-01-01,hard,550,5.1.1,user unknown,inhouse\n")  # fmt: skip
    ses = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "x@y.test"}, {"emailAddress": "z@y.test"}],
            "timestamp": "2024-03-01T10:00:00Z",
        },
        "mail": {"timestamp": "2024-03-01T09:59:58Z"},
    }
    records = [
        {"Type": "Notification", "Message": json.dumps(ses)},
        {"event": "bounce", "email": "s@g.test", "timestamp": 1700000000, "type": "blocked",
         "status": "5.7.1", "reason": "550 5.7.1 blocked by policy"},
        {"event": "delivered", "email": "s@g.test", "timestamp": 1700000000},
        {"event-data": {"event": "failed", "severity": "temporary", "reason": "generic",
                        "recipient": "m@g.test", "timestamp": 1700000000.5,
                        "delivery-status": {"code": 452, "message": "4.2.2 mailbox full"}}},
        {"RecordType": "Bounce", "Type": "HardBounce", "Email": "p@m.test",
         "BouncedAt": "2019-11-05T16:33:54Z", "Details": "smtp;550 5.1.1 no such user"},
        {"email": "flat@b.test", "timestamp": "2024-02-02", "type": "soft"},
        {"message": {"recipient": "q@b.test"}},
    ]  # fmt: skip
    land(tmp_path, "email_bounces", "esp.jsonl", "\n".join(map(json.dumps, records)) + "\n{oops\n")
    batch = read_feed(tmp_path, "email_bounces")
    frame = batch.accepted.set_index("email")
    assert frame.index.tolist() == [
        "a@b.test", "x@y.test", "z@y.test", "s@g.test", "m@g.test", "p@m.test", "flat@b.test",
    ]  # fmt: skip
    assert texts(frame["provider"]) == [
        "inhouse", "ses", "ses", "sendgrid", "mailgun", "postmark", None,
    ]  # fmt: skip
    assert frame["bounce_type"].tolist() == [
        "hard", "hard", "hard", "block", "soft", "hard", "soft",
    ]  # fmt: skip
    assert frame.loc["a@b.test", ["smtp_code", "enhanced_status", "diagnostic"]].tolist() == [
        "550", "5.1.1", "user unknown",
    ]  # fmt: skip
    assert frame.loc["m@g.test", ["smtp_code", "enhanced_status"]].tolist() == ["452", "4.2.2"]
    assert frame.loc["s@g.test", "bounced_at"] == "2023-11-14T22:13:20+00:00"
    # one record per recipient: (source_file, row_number) stays unique
    assert frame.loc[["x@y.test", "z@y.test", "s@g.test"], "row_number"].tolist() == [1, 2, 3]
    assert reasons_by_row(batch) == {
        ("esp.jsonl", 4): "not a bounce or complaint: sendgrid delivered event",
        ("esp.jsonl", 8): "unrecognised bounce record: no known ESP shape (keys: message)",
        ("esp.jsonl", 9): "invalid JSON: Expecting property name enclosed in double quotes "
        "(column 2)",
    }
    assert batch.rejected.loc[batch.rejected["row_number"] == 9, "raw"].tolist() == ['"{oops"']
    assert_every_row_once(batch, data_rows=10)


def test_esp_api_pages_in_json_documents(tmp_path: Path) -> None:
    mailgun_page = {
        "items": [
            {"event": "failed", "severity": "permanent", "reason": "bounce",
             "recipient": "a@b.test", "timestamp": 1521233195.0,
             "delivery-status": {"code": 550, "enhanced-code": "5.1.1", "message": "no user"}},
        ],
        "paging": {"next": "https://api.mailgun.net/v3/example.com/events/W3siY"},
    }  # fmt: skip
    postmark_page = {
        "TotalCount": 1,
        "Bounces": [{"ID": 1, "Type": "SoftBounce", "TypeCode": 4096, "Email": "c@d.test",
                     "BouncedAt": "2024-01-01T00:00:00Z", "Details": "mailbox full"}],
    }  # fmt: skip
    land(tmp_path, "email_bounces", "mailgun.json", json.dumps(mailgun_page, indent=2))
    land(tmp_path, "email_bounces", "postmark.json", json.dumps(postmark_page))
    frame = read_feed(tmp_path, "email_bounces").accepted
    assert frame[["email", "bounce_type", "provider", "source_file"]].values.tolist() == [
        ["a@b.test", "hard", "mailgun", "mailgun.json"],
        ["c@d.test", "soft", "postmark", "postmark.json"],
    ]


def test_excel_delimiter_hint_names_the_delimiter_and_is_no_record(tmp_path: Path) -> None:
    land(
        tmp_path,
        "crm_contacts",
        "crm_excel.csv",
        "sep=;\r\ncontact_id;first_name;company\r\n"
        "C1;Ann;Acme, Inc\r\nC2;Bo;X;extra\r\nC3;Cy;Y\r\n",
    )
    batch = read_feed(tmp_path, "crm_contacts")
    assert batch.accepted[["contact_id", "company", "row_number"]].values.tolist() == [
        ["C1", "Acme, Inc", 1],
        ["C3", "Y", 3],
    ]
    assert reasons_by_row(batch) == {("crm_excel.csv", 2): "ragged row: 4 fields, header has 3"}
    assert "sep" not in batch.accepted.columns
    assert_every_row_once(batch, 3)


def test_utf16_without_bom_is_read(tmp_path: Path) -> None:
    land(tmp_path, "dnc_list", "dnc.csv", "phone,source\n+1 617 555 0142,Müller\n", "utf-16-le")
    batch = read_feed(tmp_path, "dnc_list")
    assert batch.accepted[["phone", "source"]].values.tolist() == [["+1 617 555 0142", "Müller"]]
    assert batch.file_encodings == {"dnc.csv": "utf-16-le"}


def test_a_control_character_quarantines_its_row_naming_the_column(tmp_path: Path) -> None:
    land(
        tmp_path,
        "crm_contacts",
        "crm.csv",
        b"contact_id,first_name,notes\nC1,Ann,ok\nC2,B\x07o,fine\nC3,Cy,nul\x00byte\n",
    )
    land(tmp_path, "crm_contacts", "crm.jsonl", b"")  # not a CRM file type: set aside
    batch = read_feed(tmp_path, "crm_contacts")
    assert batch.accepted["contact_id"].tolist() == ["C1"]
    assert reasons_by_row(batch) == {
        ("crm.csv", 2): "control character U+0007 in first_name",
        ("crm.csv", 3): "control character U+0000 in notes",
    }
    assert json.loads(batch.rejected["raw"].iloc[1])["notes"] == "nul\x00byte"
    assert batch.rejected_files["source_file"].tolist() == ["crm.jsonl"]
    assert_every_row_once(batch, 3)


def test_workbook_sheets_every_one_or_the_first(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Leads"
    book.active.append(["Lead ID", "Last Name", "Mobile"])
    book.active.append(["L1", "Ito", 819055501234])
    book.create_sheet("Empty")  # gives nothing
    contacts = book.create_sheet("Contacts")
    contacts.append([None])
    contacts.append(["Contact ID", "Last Name", "Created Date"])
    contacts.append(["C1", "Sato", datetime(2024, 3, 1, 9, 30)])
    data = io.BytesIO()
    book.save(data)
    land(tmp_path, "crm_contacts", "salesforce_book.xlsx", data.getvalue())

    every = read_feed(tmp_path, "crm_contacts")
    assert every.files == ["salesforce_book.xlsx#Leads", "salesforce_book.xlsx#Contacts"]
    assert every.file_encodings["salesforce_book.xlsx#Leads"] == "workbook"
    frame = every.accepted.set_index("contact_id")
    assert frame.loc["L1", ["last_name", "mobile_phone", "row_number"]].tolist() == [
        "Ito",
        "819055501234",
        1,
    ]
    assert frame.loc["C1", ["created_at", "source_system"]].tolist() == [
        "2024-03-01 09:30:00",
        "salesforce",
    ]
    first = read_feed(tmp_path, "crm_contacts", excel_sheets="first")
    assert first.files == ["salesforce_book.xlsx"]
    assert first.accepted["contact_id"].tolist() == ["L1"]


def test_column_mapping_report_names_what_each_file_column_became(tmp_path: Path) -> None:
    land(tmp_path, "crm_contacts", "zoho.csv", "CONTACTID,Last Name,email,Favourite Colour\n")
    report = read_feed(tmp_path, "crm_contacts").column_mapping
    assert report.values.tolist() == [
        ["zoho.csv", "CONTACTID", "contact_id", "mapped"],
        ["zoho.csv", "Last Name", "last_name", "recognised"],
        ["zoho.csv", "email", "email", "recognised"],
        ["zoho.csv", "Favourite Colour", "favourite_colour", "unrecognised"],
    ]


def test_a_control_character_escaped_in_json_quarantines_its_row(tmp_path: Path) -> None:
    land(
        tmp_path,
        "engagement_events",
        "events.jsonl",
        '{"email": "a@example.com", "event_type": "open", "occurred_at": "2024-05-06"}\n'
        '{"email": "b@example.com", "event_type": "open\\u0000", "occurred_at": "2024-05-06"}\n',
    )
    batch = read_feed(tmp_path, "engagement_events")
    assert batch.accepted["email"].tolist() == ["a@example.com"]
    assert reasons_by_row(batch) == {("events.jsonl", 2): "control character U+0000 in event_type"}


def test_a_file_the_system_cannot_read_is_rejected_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    land(tmp_path, "dnc_list", "a_locked.csv", "phone\n+16175550142\n")
    land(tmp_path, "dnc_list", "b_open.csv", "phone\n+16175550143\n")
    read_bytes = Path.read_bytes

    def refuse_locked(path: Path) -> bytes:
        if path.name == "a_locked.csv":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_locked)
    batch = read_feed(tmp_path, "dnc_list")
    assert batch.accepted["phone"].tolist() == ["+16175550143"]
    assert batch.rejected_files["reason"].tolist() == [
        "cannot be read (PermissionError: [Errno 13] Permission denied)"
    ]
