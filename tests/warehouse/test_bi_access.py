"""BI access: masked views on both engines; on PostgreSQL read-only roles that see curated data
but never staging, and personal data only through the masked views unless they are PII readers."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from hygiene_pipeline.warehouse.bi_access import grant_bi_access
from hygiene_pipeline.warehouse.catalog import current_docs

REJECTED = pd.DataFrame(
    {
        "feed": ["crm_contacts"],
        "source_file": ["a.csv"],
        "row_number": [3],
        "reason": ["invalid email: 'x@'"],
        "raw": ['{"email": "x@", "first_name": "Ann"}'],
    }
)
DQ_RESULTS = pd.DataFrame({"run_id": ["r1"], "asset": ["curated.dial_list"], "passed": [True]})


def publish(warehouse, golden, suppression_events) -> None:
    curated = warehouse.curated_schema
    warehouse.replace_table(curated, "contacts_golden", golden)
    warehouse.replace_table(curated, "suppression_events", suppression_events)
    warehouse.replace_table(curated, "rejected_records", REJECTED)
    warehouse.replace_table(curated, "dq_check_results", DQ_RESULTS)
    warehouse.replace_table(warehouse.staging_schema, "crm_contacts", golden[["entity_id"]])


def test_masked_views_hide_personal_data_and_survive_republishing(
    warehouse, masked_schema, bi_roles, golden, suppression_events
):
    publish(warehouse, golden, suppression_events)
    access = grant_bi_access(warehouse, *bi_roles, masked_schema=masked_schema)
    assert access.pii_relations == ["contacts_golden", "rejected_records", "suppression_events"]
    assert access.open_relations == ["dq_check_results"]
    assert access.unclassified == {}

    warehouse.replace_table(warehouse.curated_schema, "contacts_golden", golden)
    people = warehouse.read_sql(
        "SELECT entity_id, email, phone_e164, mobile_phone_e164, first_name, status, "
        "dial_phone_e164 "
        f"FROM {warehouse.qualified(masked_schema, 'contacts_golden')} ORDER BY entity_id"
    )
    first = people.iloc[0]
    assert first[["email", "phone_e164", "first_name", "status", "dial_phone_e164"]].tolist() == [
        "j***@example.com",
        "+1******0100",
        "J.",
        "active",
        "+1******0100",
    ]
    assert first["mobile_phone_e164"] is None
    assert people.loc[people["entity_id"] == "E04", "mobile_phone_e164"].item() == "+1******9999"
    assert list(people.columns) == [
        "entity_id",
        "email",
        "phone_e164",
        "mobile_phone_e164",
        "first_name",
        "status",
        "dial_phone_e164",
    ]
    masked_events = warehouse.read_table(masked_schema, "suppression_events")
    by_reason = dict(zip(masked_events["reason"], masked_events["value"], strict=True))
    assert by_reason["hard_bounce"] == "J***@Example.com"
    assert by_reason["disconnected"] == "+1******0999"
    rejected = warehouse.read_table(masked_schema, "rejected_records").iloc[0]
    assert rejected["raw"] is None
    assert rejected["reason"] == "invalid email: '***@'"
    with warehouse.engine.connect() as conn:
        docs = current_docs(conn, masked_schema, "contacts_golden")
    assert docs.comment.startswith("One row per resolved person")
    assert docs.column_comments["entity_id"] == "Stable identifier of the resolved person."


def test_an_unclassified_column_is_hidden_and_reported(warehouse, masked_schema, bi_roles):
    extra = pd.DataFrame({"entity_id": ["E1"], "status": ["active"], "nickname": ["Bobby"]})
    warehouse.replace_table(warehouse.curated_schema, "contacts_golden", extra)

    access = grant_bi_access(warehouse, *bi_roles, masked_schema=masked_schema)

    assert access.unclassified == {"contacts_golden": ["nickname"]}
    view = warehouse.read_table(masked_schema, "contacts_golden")
    assert view.iloc[0].tolist() == ["E1", "active", None]


def test_free_text_keeps_its_words_and_stars_addresses_and_numbers(
    warehouse, masked_schema, bi_roles
):
    reasons = [
        "invalid email: 'jane.doe@example.com'",
        "bad phone +1 (415) 555-0100 in mobile_phone",
        "ragged row: 7 fields, header has 9",
    ]
    rejected = pd.DataFrame(
        {"feed": "crm_contacts", "source_file": "a.csv", "row_number": [1, 2, 3], "reason": reasons}
    )
    rejected["raw"] = "{}"
    warehouse.replace_table(warehouse.curated_schema, "rejected_records", rejected)

    grant_bi_access(warehouse, *bi_roles, masked_schema=masked_schema)

    masked = warehouse.read_table(masked_schema, "rejected_records")["reason"].tolist()
    assert masked == [
        "invalid email: '***@example.com'",
        "bad phone *** in mobile_phone",
        "ragged row: 7 fields, header has 9",
    ]


def test_granting_twice_changes_nothing(
    warehouse, masked_schema, bi_roles, golden, suppression_events
):
    publish(warehouse, golden, suppression_events)
    first = grant_bi_access(warehouse, *bi_roles, masked_schema=masked_schema)
    assert grant_bi_access(warehouse, *bi_roles, masked_schema=masked_schema) == first


def reads(url: sa.URL, role: str, relation: str) -> bool:
    """Whether a session logged in as `role` may read `relation`."""
    engine = sa.create_engine(url.set(username=role), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT count(*) FROM {relation}").scalar()
        return True
    except sa.exc.ProgrammingError as error:
        assert "permission denied" in str(error.orig)
        return False
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_bi_roles_read_curated_but_not_staging_and_pii_only_when_allowed(
    postgresql_warehouse, pg_masked_schema, pg_bi_roles, golden, suppression_events
):
    warehouse, masked = postgresql_warehouse, pg_masked_schema
    role, pii_role = pg_bi_roles
    publish(warehouse, golden, suppression_events)
    grant_bi_access(warehouse, role, pii_role, masked_schema=masked, login=True)
    # Republishing after the grant keeps it: grants are carried over to the new table.
    warehouse.replace_table(warehouse.curated_schema, "contacts_golden", golden)
    warehouse.replace_table(warehouse.curated_schema, "dq_check_results", DQ_RESULTS)

    curated, staging = warehouse.curated_schema, warehouse.staging_schema
    open_table = f"{curated}.dq_check_results"
    pii_table = f"{curated}.contacts_golden"
    masked_view = f"{masked}.contacts_golden"
    staging_table = f"{staging}.crm_contacts"
    url = warehouse.url
    assert reads(url, role, open_table)
    assert reads(url, role, masked_view)
    assert not reads(url, role, pii_table)
    assert not reads(url, role, staging_table)
    assert reads(url, pii_role, pii_table)
    assert reads(url, pii_role, masked_view)
    assert not reads(url, pii_role, staging_table)


@pytest.mark.postgres
def test_bi_roles_are_read_only(postgresql_warehouse, pg_masked_schema, pg_bi_roles, golden):
    warehouse = postgresql_warehouse
    role, pii_role = pg_bi_roles
    warehouse.replace_table(warehouse.curated_schema, "contacts_golden", golden)
    grant_bi_access(warehouse, role, pii_role, masked_schema=pg_masked_schema, login=True)
    engine = sa.create_engine(warehouse.url.set(username=pii_role), poolclass=sa.pool.NullPool)
    try:
        with (
            pytest.raises(sa.exc.InternalError, match="read-only transaction"),
            engine.begin() as conn,
        ):
            conn.exec_driver_sql(f"DELETE FROM {warehouse.curated_schema}.contacts_golden")
    finally:
        engine.dispose()
    assert warehouse.row_count(warehouse.curated_schema, "contacts_golden") == len(golden)
