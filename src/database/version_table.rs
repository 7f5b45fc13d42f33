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

    /// The name as a quoted SQL identifier, for `to_regclass`.
    fn quoted(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote_ident(schema), quote_ident(&self.name)),
            None => quote_ident(&self.name),
        }
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Read the version table inside the caller's transaction. A missing table is
/// `Ok(None)`; the lookup never raises, so it cannot abort the transaction.
pub async fn read(
    conn: &mut PgConnection,
    table: &VersionTableName,
    target: &ConnectTarget,
    timeouts: &Timeouts,
) -> Result<Option<VersionTable>, DbError> {
    let what = format!("the version table {table}");
    let found = sqlx::query(include_str!("sql/version_table.sql"))
        .bind(table.quoted())
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| target.error(e, &what, timeouts))?;
    let Some(row) = found else {
        return Ok(None);
    };
    let schema: String = row.get(0);
    let name: String = row.get(1);
    let has_version_num: bool = row.get(2);
    let qualified = format!("{schema}.{name}");
    if !has_version_num {
        return Err(DbError::Query {
            target: target.describe(),
            what,
            reason: format!("{qualified} has no version_num column; is --version-table right?"),
        });
    }
    // Identifiers come from the catalog and are quoted: safe to splice.
    let sql = format!(
        "SELECT version_num::text FROM {}.{} ORDER BY 1",
        quote_ident(&schema),
        quote_ident(&name)
    );
    let revisions: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| target.error(e, &what, timeouts))?;
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
        assert_eq!(q.quoted(), r#""myschema"."my_versions""#);
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
    fn quotes_embedded_quotes() {
        assert_eq!(quote_ident(r#"we"ird"#), r#""we""ird""#);
    }
}
