"""Bounce classification by RFC 3463 class and subject, not only by the first digit.

Why: a `5xx` is not always the recipient's fault. `5.7.1` is a policy block against the sender
and says nothing about the mailbox, while `5.1.1` says the address does not exist. Reading the
enhanced status code's *subject* (the middle number) tells them apart:

- `bounce_type` `complaint` (whatever the code): `complaint`, suppresses email.
- `5.1.x` (address): `hard`, the email is unusable; except `5.1.7`/`5.1.8`, which are about the
  *sender's* address: `block`. `5.2.1` (mailbox disabled) is `hard` too: a permanent refusal of a
  mailbox that exists is how deactivated accounts of people who left answer.
- `5.4.4` (unable to route: no MX, no such host) is `hard`: the domain takes no mail.
- Every `4.x.x` (transient): `soft`, as are the other `5.2.x` (mailbox; `x.2.2` is mailbox full),
  `5.3.x` (mail system) and `5.4.x` (routing).
- `5.5.x` (protocol), `5.6.x` (content), `5.7.x` (policy/security): `block`, the sender's
  problem, no effect on the contact.
- `5.0.x` (undefined): the given `bounce_type`, else `soft`.
- No enhanced status, SMTP reply code: `521`, `550`, `551`, `553`, `556` are `hard`; `552`
  (storage exceeded), any `4xx` and other `5xx` are `soft`; `530`, `535`, `541`, `554`, `571` are
  `block`. `550` and `554` defer to a given `bounce_type` (servers use them for address and
  policy failures alike), as does any other `5xx`.
- Neither code: the given `bounce_type` (`hard`/`soft`/`block`/`complaint`, ESP spellings such
  as `Permanent`/`Transient` accepted), else `soft`: something bounced, but once proves nothing.

The enhanced status comes from `enhanced_status`, else from the first `d.d.d` code in
`diagnostic` (ESP exports often carry it only there).

`bounce_scope` says what a hard bounce is about, because the two mean different things about a
person: `mailbox` (`5.1.1` user unknown, `5.2.1` disabled, ...: the server answered, so the
domain lives and this one address does not: at a company, a departure signal) or `domain`
(`5.1.2` host unknown, `5.4.4` no route, SMTP `556` or a diagnostic naming an unknown host or
domain or a null MX: nobody at that domain gets mail: with dead lines, a closure signal).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.frames import column

DOMAIN_STATUSES: tuple[int, ...] = (1_002, 4_004)
"""5.x.x codes (as subject * 1000 + detail: 5.1.2, 5.4.4) that say the whole domain takes no
mail. `5.1.10` is not among them: RFC 7505 gives it to a null MX, but Microsoft 365 answers
`5.1.10 RESOLVER.ADR.RecipientNotFound` for one unknown mailbox, so only SMTP `556` or a
diagnostic naming a null MX makes it a dead domain."""

_DEAD_DOMAIN_TEXT = (
    r"(?i)host(?: or domain name)? (?:not found|unknown)|domain (?:not found|does not exist|"
    r"unknown)|nxdomain|no mx\b|no mail exchanger|null mx|unrouteable|unroutable address"
)
"""Diagnostic phrases of a dead domain, for bounces that carry no enhanced status."""

_TYPE_ALIASES: dict[str, str] = {
    "hard": "hard",
    "permanent": "hard",
    "hardbounce": "hard",
    "soft": "soft",
    "transient": "soft",
    "softbounce": "soft",
    "temporary": "soft",
    "block": "block",
    "blocked": "block",
    "complaint": "complaint",
    "spamcomplaint": "complaint",
    "spamreport": "complaint",
    "abuse": "complaint",
}
"""Bounce types as ESPs spell them -> our classes (the standardiser passes types through)."""

_SMTP_CLASS: dict[int, str] = {
    521: "hard",
    550: "hard",
    551: "hard",
    553: "hard",
    556: "hard",
    552: "soft",
    530: "block",
    535: "block",
    541: "block",
    554: "block",
    571: "block",
}
"""Basic SMTP reply codes whose meaning is specific enough to classify on their own."""

_SMTP_DEFERS_TO_TYPE: frozenset[int] = frozenset({550, 554})
"""Codes that servers use for both address and policy failures: a given bounce_type wins."""

_ENHANCED_PATTERN = r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.])"


_READ: tuple[str, ...] = ("bounce_type", "enhanced_status", "smtp_code", "diagnostic")
"""The columns a bounce is classified by."""


def classify_bounces(bounces: pd.DataFrame) -> pd.DataFrame:
    """`bounce_class` (hard/soft/block/complaint), `bounce_scope` and `bounce_evidence` per row.

    Reads `bounce_type`, `enhanced_status`, `smtp_code` and (optionally) `diagnostic`;
    returns a frame on the same index. `bounce_evidence` names what decided, e.g.
    `"5.1.1"`, `"smtp 552"` or `"type hard"`, for status reasons and suppression reasons.
    Each distinct combination is classified once: an ESP words its bounces a few dozen ways,
    and reading codes out of hundreds of thousands of diagnostics took seconds.
    """
    read = pd.DataFrame({name: column(bounces, name).array for name in _READ})
    kind = read.groupby(list(_READ), dropna=False, sort=False).ngroup().to_numpy()
    distinct = read.drop_duplicates(ignore_index=True)
    return _classified(distinct).iloc[kind].set_axis(bounces.index)


def _classified(bounces: pd.DataFrame) -> pd.DataFrame:
    index = bounces.index
    given = column(bounces, "bounce_type").astype("string").str.strip().str.lower()
    given = given.str.replace(r"[\s_-]", "", regex=True).map(_TYPE_ALIASES).astype(object)

    status_text = column(bounces, "enhanced_status").astype("string")
    parts = status_text.str.extract(_ENHANCED_PATTERN)
    from_diagnostic = column(bounces, "diagnostic").astype("string").str.extract(_ENHANCED_PATTERN)
    parts = parts.where(parts[0].notna(), from_diagnostic)
    status_class = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    subject = pd.to_numeric(parts[1], errors="coerce").to_numpy()
    detail = pd.to_numeric(parts[2], errors="coerce").to_numpy()
    has_status = ~np.isnan(status_class)
    status_code = (parts[0] + "." + parts[1] + "." + parts[2]).astype(object)

    smtp = pd.to_numeric(column(bounces, "smtp_code"), errors="coerce").astype("float64")
    smtp_known = smtp.map(_SMTP_CLASS).astype(object)
    smtp_class = np.where(
        smtp.isin(list(_SMTP_DEFERS_TO_TYPE)) & given.notna(),
        given,
        np.where(smtp_known.notna(), smtp_known, given.where(smtp >= 500, "soft")),
    )
    has_smtp = smtp.between(400, 599).to_numpy()

    given_or_soft = given.fillna("soft").to_numpy()
    sender_address = (status_class == 5) & (subject == 1) & np.isin(detail, (7, 8))
    domain_status = (status_class == 5) & np.isin(subject * 1000 + detail, DOMAIN_STATUSES)
    by_status = np.select(
        [
            sender_address,
            domain_status,
            (status_class == 5) & (subject == 1),
            (status_class == 5) & (subject == 2) & (detail == 1),
            (status_class == 5) & np.isin(subject, (5, 6, 7)),
            (status_class == 5) & (subject == 0),
        ],
        ["block", "hard", "hard", "hard", "block", given_or_soft],
        default="soft",
    )
    by_smtp = pd.Series(smtp_class, index=index).fillna("soft").to_numpy()

    is_complaint = (given == "complaint").to_numpy()
    bounce_class = np.select(
        [is_complaint, has_status, has_smtp],
        ["complaint", by_status, by_smtp],
        default=given_or_soft,
    )
    smtp_text = "smtp " + smtp.astype("Int64").astype("string")
    type_text = ("type " + given.astype("string")).fillna("unclassified")
    evidence = np.select(
        [is_complaint, has_status, has_smtp],
        ["complaint", status_code.to_numpy(), smtp_text.to_numpy(dtype=object)],
        default=type_text.to_numpy(dtype=object),
    )
    dead_domain_text = (
        column(bounces, "diagnostic").astype("string").str.contains(_DEAD_DOMAIN_TEXT).fillna(False)
    )
    domain_scope = (
        np.where(has_status, domain_status, False)
        | dead_domain_text.to_numpy(dtype=bool)
        | (smtp == 556).to_numpy()
    )
    hard = bounce_class == "hard"
    scope = np.where(hard, np.where(domain_scope, "domain", "mailbox"), None)
    return pd.DataFrame(
        {
            "bounce_class": bounce_class.astype(object),
            "bounce_scope": scope.astype(object),
            "bounce_evidence": evidence.astype(object),
        },
        index=index,
    )
