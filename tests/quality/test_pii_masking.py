"""Masking keeps enough to recognise a value and never the whole of it, and how a column is
masked comes from the one classification in schema.yml. End to end on PostgreSQL: after a batch,
every column of every relation the BI reader role can read holds no full email address, phone
number or name."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import DagsterInstance

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.quality.masking import (
    mask_email,
    mask_email_or_phone,
    mask_kind,
    mask_name,
    mask_phone,
    mask_record,
    mask_series,
    mask_text,
)
from hygiene_pipeline.synthetic import generate
from hygiene_pipeline.warehouse.bi_access import MASKED_SCHEMA, grant_bi_access
from hygiene_pipeline.warehouse.engine import Warehouse


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("J@d.co.uk", "J***@d***.uk"),
        ("no-at-sign", "n***"),
        ("x@localhost", "x***@l***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+14155550100", "+1******0100"),
        ("+447700900123", "+4*******0123"),
        ("(415) 555-0100", "******0100"),
        ("12345", "*****"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_mask_name_keeps_initials_only() -> None:
    assert mask_name("jane van Dijk") == "J. V. D."
    assert mask_name("王小明") == "王."


def test_mask_text_masks_emails_and_phones_inside_free_text() -> None:
    text = (
        '{"email": "jane@example.com", "phone": "+1 415 555 0100", "id": "C-12", '
        '"mobile": "(415) 555-0199", "at": "2026-06-30T12:00:00"}'
    )

    masked = mask_text(text)

    assert "jane@example.com" not in masked and "555" not in masked
    assert "j***@e***.com" in masked and "+1******0100" in masked and "******0199" in masked
    assert "C-12" in masked and "2026-06-30T12:00:00" in masked


def test_mask_email_or_phone_masks_a_suppression_key_as_what_it_is() -> None:
    assert mask_email_or_phone("jane.doe@example.com") == "j***@e***.com"
    assert mask_email_or_phone("+14155550100") == "+1******0100"


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        # classified in schema.yml
        ("dial_phone_e164", "phone"),
        ("email", "email"),
        ("first_name", "name"),
        ("value", "email_or_phone"),
        ("reason", "text"),
        ("raw", "redact"),
        ("entity_id", "none"),
        ("status", "none"),
        ("provenance", "none"),
        # staging-only columns schema.yml does not describe: judged by name, else free text
        ("mobile_phone_raw", "phone"),
        ("first_name_norm", "name"),
        ("email_domain", "email"),
        ("call_id", "text"),
    ],
)
def test_mask_kind_comes_from_schema_yml_then_from_the_name(column: str, kind: str) -> None:
    assert mask_kind(column) == kind


def test_mask_record_masks_personal_columns_and_keeps_keys() -> None:
    record = {
        "entity_id": "E1",
        "dial_phone_e164": "+14155550100",
        "email_valid": True,
        "raw": '{"first_name": "Jane"}',
        "n": None,
    }

    assert mask_record(record) == {
        "entity_id": "E1",
        "dial_phone_e164": "+1******0100",
        "email_valid": True,
        "raw": "***",
        "n": None,
    }


def test_mask_series_masks_every_value_and_keeps_missing() -> None:
    emails = pd.Series(["ann@example.com", None, "ann@example.com", "bo@x.org"], dtype=object)

    masked = mask_series("email", emails)

    assert masked.tolist()[0] == "a***@e***.com"
    assert masked.tolist()[2] == "a***@e***.com"
    assert masked.isna().tolist() == [False, True, False, False]
    assert mask_series("status", emails) is emails


AS_OF = datetime(2026, 6, 30, 12)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
E164 = re.compile(r"\+\d{8,15}")
DIGIT_RUN = re.compile(r"\d[\d ().-]{5,}\d")
PHONE_FINGERPRINT_DIGITS = 9


def phone_fingerprints(numbers: pd.Series) -> set[str]:
    """The last digits of every known number: a digit run holding one shows that number."""
    digits = numbers.dropna().astype(str).str.replace(r"\D", "", regex=True)
    return {d[-PHONE_FINGERPRINT_DIGITS:] for d in digits if len(d) >= 7}


def personal_data_in(value: object, fingerprints: set[str], names: set[str]) -> str | None:
    """What personal data a value shows in full (an email, a phone number, a name), if any."""
    if not isinstance(value, str):
        return None
    if EMAIL.search(value):
        return "email"
    if E164.search(value):
        return "phone"
    for run in DIGIT_RUN.findall(value):
        digits = re.sub(r"\D", "", run)
        width = min(PHONE_FINGERPRINT_DIGITS, len(digits))
        if any(digits[i : i + width] in fingerprints for i in range(len(digits) - width + 1)):
            return "phone"
    return "name" if value.strip().lower() in names else None


def readable_relations(url: str) -> dict[str, pd.DataFrame]:
    """Every table and view a session of `url`'s user can read, with all its rows."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            relations = conn.exec_driver_sql(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                "AND has_table_privilege(quote_ident(table_schema) || '.' || "
                "quote_ident(table_name), 'SELECT')"
            ).all()
            return {
                f"{schema}.{name}": pd.read_sql(f'SELECT * FROM "{schema}"."{name}"', conn)
                for schema, name in relations
            }
    finally:
        engine.dispose()


def findings(
    relations: dict[str, pd.DataFrame], fingerprints: set[str], names: set[str]
) -> dict[str, str]:
    """`relation.column` -> the kind of personal data it shows, for every column showing some."""
    found = {}
    for relation, frame in relations.items():
        for column in frame.columns:
            for value in frame[column].dropna().unique():
                kind = personal_data_in(value, fingerprints, names)
                if kind:
                    found[f"{relation}.{column}"] = kind
                    break
    return found


@contextmanager
def login_roles(url: str) -> Iterator[tuple[str, str]]:
    """A BI reader and a PII reader role of this test's own, dropped with their grants after."""
    suffix = uuid.uuid4().hex[:10]
    roles = (f"t_reader_{suffix}", f"t_pii_reader_{suffix}")
    try:
        yield roles
    finally:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            for role in roles:
                if conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").first():
                    conn.exec_driver_sql(f"DROP OWNED BY {role}")
                    conn.exec_driver_sql(f"DROP ROLE {role}")
        engine.dispose()


@pytest.mark.postgres
def test_the_reader_role_sees_no_email_phone_or_name_in_any_column(
    pg_database_url: str, tmp_path: Path
) -> None:
    generate(tmp_path / "crm", contacts=300, seed=9, as_of=AS_OF)
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(tmp_path / "crm" / "landing")),
        warehouse=WarehouseResource(url=pg_database_url),
        clock=BatchClockResource(as_of=AS_OF.isoformat()),
        home=tmp_path / "home",
    )
    result = defs.resolve_job_def(BATCH_JOB_NAME).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert result.success
    warehouse = Warehouse(pg_database_url)
    contacts = warehouse.read_table("staging", "crm_contacts")
    numbers = pd.concat(
        [contacts["phone_e164"], contacts["mobile_phone_e164"]]
        + [
            warehouse.read_table("staging", feed)["phone_e164"]
            for feed in ("call_logs", "dnc_list")
        ]
    )
    fingerprints = phone_fingerprints(numbers)
    names = {
        name.lower()
        for name in pd.concat([contacts["first_name"], contacts["last_name"]]).dropna()
        if len(name) >= 3
    }
    url = sa.make_url(pg_database_url)

    with login_roles(pg_database_url) as (reader, pii_reader):
        access = grant_bi_access(warehouse, reader, pii_reader, login=True)
        seen = readable_relations(url.set(username=reader).render_as_string(hide_password=False))
        unmasked = readable_relations(
            url.set(username=pii_reader).render_as_string(hide_password=False)
        )

    assert access.unclassified == {}
    assert set(access.masked_views) <= set(seen)
    assert "curated.contacts_golden" not in seen
    assert not any(relation.startswith("staging.") for relation in seen)
    for view in access.masked_views:
        table = view.replace(MASKED_SCHEMA, "curated", 1)
        assert list(seen[view].columns) == warehouse.columns("curated", table.split(".")[1])
    assert findings(seen, fingerprints, names) == {}
    # The same detectors find the personal data the PII reader may see.
    shown = findings(unmasked, fingerprints, names)
    assert shown["curated.contacts_golden.email"] == "email"
    assert shown["curated.contacts_golden.dial_phone_e164"] == "phone"
    assert shown["curated.contacts_golden.last_name"] == "name"
