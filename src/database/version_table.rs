//! The Alembic version table (`alembic_version` by default).

use std::fmt;

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Row};

use super::{ConnectTarget, DbError, Timeouts};
use crate::schema::VersionTable;

/// `[schema.]name` of the version table. Unqualified names resolve through the
/// session's `search_path`, as Alembic's own queries do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTableName {
    pub schema: Option<String>,
    pub name: String,
}

impl Default for VersionTableName {
    fn default() -> Self {
        VersionTableName {
            schema: None,
            name: "alembic_version".to_string(),
        }
    }
}

impl fmt::Display for VersionTableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl VersionTableName {
    /// Parse `name` or `schema.name` (names taken literally, as Alembic's
    /// `version_table` / `version_table_schema` settings are).
    pub fn parse(text: &str) -> Result<Self, String> {
        // Callers name where the text came from (a flag or a config key).
        let bad =
            || "expected [SCHEMA.]NAME, e.g. alembic_version or myschema.my_versions".to_string();
        let mut parts = text.split('.');
        let (schema, name) = match (parts.next(), parts.next(), parts.next()) {
            (Some(name), None, None) => (None, name),
            (Some(schema), Some(name), None) => (Some(schema), name),
            _ => return Err(bad()),
        };
        if name.trim().is_empty() || schema.is_some_and(|s| s.trim().is_empty()) {
            return Err(bad());
        }
        Ok(VersionTableName {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        })
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What a relation kind (`pg_class.relkind`) is, for messages.
fn relation_kind(relkind: &str) -> &'static str {
    match relkind {
        "r" => "table",
        "p" => "partitioned table",
        "v" => "view",
        "m" => "materialized view",
        "f" => "foreign table",
        "S" => "sequence",
        "c" => "composite type",
        "i" | "I" => "index",
        "t" => "TOAST table",
        _ => "relation of an unknown kind",
    }
}

/// Built-in string types whose values driftcheck reads (Alembic's own is `varchar(32)`).
const STRING_TYPES: [&str; 4] = [
    "pg_catalog.varchar",
    "pg_catalog.text",
    "pg_catalog.bpchar",
    "pg_catalog.name",
];

/// Why a relation found under the version table's name is not read, if it is not.
/// Only a plain or partitioned table with a built-in string `version_num` is
/// read: selecting from a view, or casting and sorting a user-defined type,
/// would run code someone else wrote in driftcheck's session.
fn refusal(qualified: &str, relkind: &str, column_type: Option<&str>) -> Option<String> {
    if !matches!(relkind, "r" | "p") {
        return Some(format!(
            "{qualified} is a {}, not a table; driftcheck reads the version table only when it is a plain table, so that no code stored in the database runs in its session (Alembic creates a table: who replaced it?)",
            relation_kind(relkind)
        ));
    }
    match column_type {
        None => Some(format!(
            "{qualified} has no version_num column; is --version-table right?"
        )),
        Some(t) if !STRING_TYPES.contains(&t) => Some(format!(
            "{qualified}.version_num is of type {t}; driftcheck reads it only when it is a built-in string type (varchar, text), so that no user-defined cast or comparison runs in its session"
        )),
        Some(_) => None,
    }
}

/// Read the version table inside the caller's transaction, whose search_path
/// is empty. An unqualified name is looked up in `search_schemas` (the role's
/// own search order), as Alembic looks it up. A missing table is `Ok(None)`;
/// anything but a plain table is an error naming what it is, never read.
pub async fn read(
    conn: &mut PgConnection,
    table: &VersionTableName,
    search_schemas: &[String],
    target: &ConnectTarget,
    timeouts: &Timeouts,
) -> Result<Option<VersionTable>, DbError> {
    let what = format!("the version table {table}");
    let found = sqlx::query(include_str!("sql/version_table.sql"))
        .bind(&table.name)
        .bind(table.schema.as_deref())
        .bind(search_schemas)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| target.error(e, &what, timeouts))?;
    let Some(row) = found else {
        return Ok(None);
    };
    let schema: String = row.get(0);
    let name: String = row.get(1);
    let relkind: String = row.get(2);
    let column_type: Option<String> = row.get(3);
    let qualified = format!("{schema}.{name}");
    if let Some(reason) = refusal(&qualified, &relkind, column_type.as_deref()) {
        return Err(DbError::Query {
            target: target.describe(),
            what,
            reason,
        });
    }
    // Identifiers come from the catalog and are quoted: safe to splice. ONLY:
    // tables inheriting from a plain table are not Alembic's (a partitioned
    // table's rows are all in its partitions). The cast and the order are
    // pg_catalog's own, for a pg_catalog type (checked above).
    let only = if relkind == "r" { "ONLY " } else { "" };
    let sql = format!(
        "SELECT v.version_num::pg_catalog.text COLLATE pg_catalog.\"C\" FROM {only}{}.{} AS v ORDER BY 1",
        quote_ident(&schema),
        quote_ident(&name)
    );
    let revisions: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| match target.error(e, &what, timeouts) {
            // row_security=off (a session setting): a policy that would filter
            // the rows is an error instead of code run in driftcheck's session.
            DbError::Query { target, what, reason } if reason.contains("row-level security") => {
                DbError::Query {
                    target,
                    what,
                    reason: format!("{reason}; driftcheck does not run row-level security policies (code stored in the database): exempt its role from them (BYPASSRLS) or drop the policy on the version table"),
                }
            }
            other => other,
        })?;
    Ok(Some(VersionTable {
        name: qualified,
        revisions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_qualified_names() {
        assert_eq!(
            VersionTableName::parse("alembic_version").unwrap(),
            VersionTableName::default()
        );
        let q = VersionTableName::parse("myschema.my_versions").unwrap();
        assert_eq!(q.schema.as_deref(), Some("myschema"));
        assert_eq!(q.name, "my_versions");
        assert_eq!(q.to_string(), "myschema.my_versions");
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in ["", "a.b.c", ".x", "x."] {
            let err = VersionTableName::parse(bad).unwrap_err();
            assert!(err.contains("[SCHEMA.]NAME"), "{err}");
            // The caller names the flag or config key; naming it here doubled it.
            assert!(!err.contains("--version-table"), "{err}");
        }
    }

    #[test]
    fn only_plain_tables_with_builtin_string_columns_are_read() {
        let t = "public.alembic_version";
        assert_eq!(refusal(t, "r", Some("pg_catalog.varchar")), None);
        assert_eq!(refusal(t, "p", Some("pg_catalog.text")), None);
        let view = refusal(t, "v", Some("pg_catalog.varchar")).unwrap();
        assert!(
            view.starts_with("public.alembic_version is a view, not a table"),
            "{view}"
        );
        for kind in ["m", "f", "S", "c"] {
            assert!(refusal(t, kind, None)
                .unwrap()
                .contains(relation_kind(kind)));
        }
        let custom = refusal(t, "r", Some("public.rev")).unwrap();
        assert!(
            custom.contains("version_num is of type public.rev"),
            "{custom}"
        );
        assert!(refusal(t, "r", None)
            .unwrap()
            .contains("no version_num column"));
    }

    #[test]
    fn quotes_embedded_quotes() {
        assert_eq!(quote_ident(r#"we"ird"#), r#""we""ird""#);
    }
}
