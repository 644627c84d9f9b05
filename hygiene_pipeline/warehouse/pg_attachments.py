"""What hangs on a PostgreSQL relation and must survive replacing it: grants and dependent views.

PostgreSQL binds a view to the table it reads by object id, so dropping the table drops (CASCADE)
or blocks (RESTRICT) every view over it, and a table created anew has none of the old one's
grants. `capture` records, inside the replacing transaction, the relation's grants and every view
that depends on it (directly or through other views) with their definitions, comments and grants;
`restore` replays them on the new relation under the same name. A reader therefore sees the
masked views and the BI grants before and after a replacement, never a gap. If a dependent view
no longer fits the new table (a column it reads is gone), restoring it fails and the whole
replacement rolls back instead of silently dropping the view.

DuckDB binds views by name when they are queried, so nothing needs carrying over there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse.catalog import TableDocs, apply_docs, current_docs
from hygiene_pipeline.warehouse.sql_text import execute, qualified_name

_GRANTS_SQL = text(
    """
    SELECT a.privilege_type,
           CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
    FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
    WHERE c.oid = to_regclass(:relation) AND a.grantee <> c.relowner
    ORDER BY 2, 1
    """
)

_DEPENDENT_VIEWS_SQL = text(
    """
    WITH RECURSIVE dependents(oid, depth) AS (
        SELECT r.ev_class, 1
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = to_regclass(:relation) AND r.ev_class <> d.refobjid
        UNION
        SELECT r.ev_class, dependents.depth + 1
        FROM dependents
        JOIN pg_depend d ON d.refobjid = dependents.oid
        JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND r.ev_class <> dependents.oid
    )
    SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)
    FROM dependents
    JOIN pg_class c ON c.oid = dependents.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'v'
    GROUP BY n.nspname, c.relname, c.oid
    ORDER BY max(dependents.depth), n.nspname, c.relname
    """
)


@dataclass(frozen=True)
class DependentView:
    """A view over the replaced relation, as needed to create it again."""

    schema: str
    name: str
    definition: str
    docs: TableDocs
    grants: list[tuple[str, str]]


@dataclass(frozen=True)
class Attachments:
    """Grants of the replaced relation and the views over it, in creation order."""

    grants: list[tuple[str, str]] = field(default_factory=list)
    views: list[DependentView] = field(default_factory=list)


def capture(conn: Connection, schema: str, name: str) -> Attachments:
    """Record the grants of `schema.name` and every view depending on it (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return Attachments()
    relation = qualified_name(conn.dialect, schema, name)
    views = []
    dependents = conn.execute(_DEPENDENT_VIEWS_SQL, {"relation": relation}).all()
    for view_schema, view_name, definition in dependents:
        views.append(
            DependentView(
                schema=view_schema,
                name=view_name,
                definition=definition,
                docs=current_docs(conn, view_schema, view_name),
                grants=_grants(conn, qualified_name(conn.dialect, view_schema, view_name)),
            )
        )
    return Attachments(grants=_grants(conn, relation), views=views)


def restore(conn: Connection, schema: str, name: str, attachments: Attachments) -> None:
    """Replay captured grants on the new `schema.name` and re-create the dependent views."""
    _grant(conn, qualified_name(conn.dialect, schema, name), attachments.grants)
    for view in attachments.views:
        target = qualified_name(conn.dialect, view.schema, view.name)
        execute(conn, f"CREATE VIEW {target} AS {view.definition}")
        apply_docs(conn, view.schema, view.name, view.docs)
        _grant(conn, target, view.grants)


def _grants(conn: Connection, relation: str) -> list[tuple[str, str]]:
    return [
        (privilege, grantee)
        for privilege, grantee in conn.execute(_GRANTS_SQL, {"relation": relation})
    ]


def _grant(conn: Connection, relation: str, grants: list[tuple[str, str]]) -> None:
    for privilege, grantee in grants:
        execute(conn, f"GRANT {privilege} ON {relation} TO {grantee}")
