//! The schema snapshot: a plain, serialisable model of what a database contains.
//!
//! Every object kind is a flat list, filled by one catalog query per kind
//! (`database::introspect`). Items are identified by their qualified name
//! (`key()`), which is what comparisons and evidence checks match on.
//! Collections are kept sorted by key so snapshots diff and serialise stably.

use serde::{Deserialize, Serialize};

mod name;
mod sort;
pub use name::{Interner, Name, SharedInterner};
pub use sort::{sort_grouped_rows, sort_rows};

/// Bumped when the JSON shape of a saved snapshot changes incompatibly.
pub const SNAPSHOT_FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// `server_version` as reported by the server, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    #[serde(default)]
    pub server_version: String,
    /// Database name (never credentials).
    #[serde(default)]
    pub database: String,
    /// RFC 3339 time the snapshot transaction started.
    #[serde(default)]
    pub taken_at: String,
    /// Rows of the version table, when it exists (`None` = no version table).
    #[serde(default)]
    pub version_table: Option<VersionTable>,
    #[serde(default)]
    pub schemas: Vec<Schema>,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
    #[serde(default)]
    pub indexes: Vec<Index>,
    #[serde(default)]
    pub sequences: Vec<Sequence>,
    #[serde(default)]
    pub views: Vec<View>,
    #[serde(default)]
    pub enums: Vec<EnumType>,
    #[serde(default)]
    pub domains: Vec<Domain>,
    #[serde(default)]
    pub functions: Vec<Function>,
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// Composite, range and base types created in user schemas.
    #[serde(default)]
    pub types: Vec<UserType>,
    /// Rewrite rules (`CREATE RULE`), not the `_RETURN` rule of views.
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub event_triggers: Vec<EventTrigger>,
    /// `COMMENT ON` text of objects other than tables and columns (those
    /// carry their own `comment`).
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// What the connecting role could not see; `None` when it saw everything
    /// (and in snapshots from before this field existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// Objects hidden from the role driftcheck connected as (see `docs/automation.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// The role (`current_user`).
    pub role: String,
    /// Listed schemas the role has no USAGE on.
    #[serde(default)]
    pub schemas_without_usage: Vec<String>,
    /// Tables named like the version table that the role cannot read.
    #[serde(default)]
    pub unreadable_version_tables: Vec<String>,
}

impl Visibility {
    /// Whether the role saw everything.
    pub fn is_complete(&self) -> bool {
        self.schemas_without_usage.is_empty() && self.unreadable_version_tables.is_empty()
    }
}

/// The Alembic version table as found in the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionTable {
    /// Qualified name that was read, e.g. `public.alembic_version`.
    pub name: String,
    /// `version_num` values, sorted.
    pub revisions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub schema: Name,
    pub name: String,
    /// `table`, `partitioned_table` or `foreign_table`.
    pub kind: String,
    /// `pg_get_partkeydef`, for partitioned tables.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// Qualified parent when this table is a partition (`schema.table`).
    #[serde(default)]
    pub partition_of: Option<String>,
    /// `pg_get_expr(relpartbound)` for partitions.
    #[serde(default)]
    pub partition_bound: Option<String>,
    #[serde(default)]
    pub rls_enabled: bool,
    #[serde(default)]
    pub rls_forced: bool,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// `CREATE UNLOGGED TABLE`.
    #[serde(default)]
    pub unlogged: bool,
    /// Qualified parents of `INHERITS (...)` in order (not partition parents).
    #[serde(default)]
    pub inherits: Vec<String>,
    /// Storage parameters (`reloptions`), e.g. `fillfactor=70`, sorted.
    #[serde(default)]
    pub options: Vec<String>,
    /// `nothing`, `full` or `index <name>`; `None` for the default (the primary key).
    #[serde(default)]
    pub replica_identity: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub schema: Name,
    pub table: Name,
    pub name: Name,
    /// attnum: physical order, only compared with `--strict-column-order`.
    pub position: i32,
    /// `format_type(atttypid, atttypmod)`, e.g. `character varying(255)`.
    pub data_type: Name,
    pub nullable: bool,
    /// `pg_get_expr(adbin)`: server-normalised default expression.
    #[serde(default)]
    pub default: Option<Box<str>>,
    /// `always` or `by_default` for identity columns.
    #[serde(default)]
    pub identity: Option<Box<str>>,
    /// Generation expression of a `GENERATED ALWAYS AS (...) STORED` column.
    #[serde(default)]
    pub generated: Option<Box<str>>,
    /// Collation when it differs from the type's default.
    #[serde(default)]
    pub collation: Option<Box<str>>,
    #[serde(default)]
    pub comment: Option<Box<str>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub schema: Name,
    pub table: Name,
    pub name: String,
    /// `primary_key`, `unique`, `check`, `foreign_key`, `exclusion`, `trigger`.
    pub kind: Name,
    /// `pg_get_constraintdef`, e.g. `CHECK ((role)::text = ANY (...))`.
    pub definition: String,
    /// Constrained columns in key order.
    #[serde(default)]
    pub columns: Vec<Name>,
    /// Referenced table for foreign keys (`schema.table`).
    #[serde(default)]
    pub references: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub schema: Name,
    pub table: Name,
    pub name: String,
    /// `pg_get_indexdef`.
    pub definition: String,
    pub unique: bool,
    pub primary: bool,
    /// Name of the constraint this index implements, if any.
    #[serde(default)]
    pub constraint: Option<String>,
    /// Indexed column names (expressions appear as their text).
    #[serde(default)]
    pub columns: Vec<Name>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub schema: Name,
    pub name: String,
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cycle: bool,
    /// `CACHE`; `None` in a snapshot taken before driftcheck read it (then
    /// it is not compared).
    #[serde(default)]
    pub cache: Option<i64>,
    /// `schema.table.column` when the sequence is owned by a column.
    #[serde(default)]
    pub owned_by: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: Name,
    pub name: String,
    pub materialized: bool,
    /// `pg_get_viewdef(oid, true)`.
    pub definition: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<String>,
    /// A view's options (`reloptions`: `check_option=cascaded`,
    /// `security_invoker=true`, `security_barrier=true`), sorted; `None` for a
    /// materialized view and in a snapshot taken before driftcheck read them
    /// (then they are not compared).
    #[serde(default)]
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub schema: Name,
    pub name: String,
    /// Labels in sort order.
    pub values: Vec<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub schema: Name,
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    #[serde(default)]
    pub default: Option<String>,
    /// `pg_get_constraintdef` of each domain constraint, sorted.
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default)]
    pub owner: Option<String>,
    /// The name of each check constraint, in the order of `checks`; `None`
    /// in a snapshot taken before driftcheck read them (then they are not
    /// compared).
    #[serde(default)]
    pub check_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub schema: Name,
    pub name: String,
    /// `pg_get_function_identity_arguments`, part of the identity (overloads).
    pub arguments: String,
    /// `function`, `procedure`, `aggregate`, `window`.
    pub kind: String,
    #[serde(default)]
    pub result: Option<String>,
    pub language: String,
    /// `pg_get_functiondef`; for an aggregate, a `CREATE AGGREGATE` written
    /// from `pg_aggregate`. `None` when the connecting role may not read it
    /// (and for an aggregate in a snapshot taken before driftcheck read it).
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub schema: Name,
    pub table: Name,
    pub name: String,
    /// `pg_get_triggerdef`.
    pub definition: String,
    /// `O` origin/enabled, `D` disabled, `R` replica, `A` always.
    pub enabled: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub schema: Name,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub schema: Name,
    pub table: Name,
    pub name: String,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`.
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<String>,
    #[serde(default)]
    pub using: Option<String>,
    #[serde(default)]
    pub with_check: Option<String>,
}

/// A composite, range or base type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserType {
    pub schema: Name,
    pub name: String,
    /// `composite`, `range` or `base`.
    pub kind: String,
    /// Composite: `name type` per attribute, in attribute order.
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Range: subtype and its options; base: input/output functions and
    /// storage properties, as `CREATE TYPE` would list them.
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub schema: Name,
    /// The table or view the rule is on.
    pub table: Name,
    pub name: String,
    /// `pg_get_ruledef`.
    pub definition: String,
    /// `O` origin/enabled, `D` disabled, `R` replica, `A` always.
    #[serde(default)]
    pub enabled: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    pub name: String,
    /// Schema of the trigger's function (event triggers have none of their own).
    pub schema: Name,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite`.
    pub event: String,
    /// `WHEN TAG IN (...)`, sorted; empty = every command.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `schema.function`.
    pub function: String,
    pub enabled: String,
    #[serde(default)]
    pub owner: Option<String>,
}

/// A `COMMENT ON` an object, keyed like the diff's items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The diff's kind name (`view`, `function`, `index`, …).
    pub kind: String,
    /// The object's qualified name as the diff reports it.
    pub object: String,
    pub schema: Name,
    pub text: String,
}

fn qualify(parts: &[&str]) -> String {
    parts.join(".")
}

impl Table {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl Column {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.table, &self.name])
    }
    pub fn table_key(&self) -> String {
        qualify(&[&self.schema, &self.table])
    }
}
impl Constraint {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.table, &self.name])
    }
    pub fn table_key(&self) -> String {
        qualify(&[&self.schema, &self.table])
    }
}
impl Index {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
    pub fn table_key(&self) -> String {
        qualify(&[&self.schema, &self.table])
    }
}
impl Sequence {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl View {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl EnumType {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl Domain {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl Function {
    pub fn key(&self) -> String {
        format!("{}.{}({})", self.schema, self.name, self.arguments)
    }
}
impl Trigger {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.table, &self.name])
    }
}
impl Extension {
    pub fn key(&self) -> String {
        self.name.clone()
    }
}
impl Policy {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.table, &self.name])
    }
}
impl UserType {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.name])
    }
}
impl Rule {
    pub fn key(&self) -> String {
        qualify(&[&self.schema, &self.table, &self.name])
    }
}
impl EventTrigger {
    pub fn key(&self) -> String {
        self.name.clone()
    }
}

impl Snapshot {
    /// Look a table up by schema and name.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.schema == schema && t.name == name)
    }

    pub fn column(&self, schema: &str, table: &str, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.schema == schema && c.table == table && c.name == name)
    }

    pub fn columns_of<'a>(
        &'a self,
        schema: &'a str,
        table: &'a str,
    ) -> impl Iterator<Item = &'a Column> + 'a {
        self.columns
            .iter()
            .filter(move |c| c.schema == schema && c.table == table)
    }

    pub fn constraint(&self, schema: &str, table: &str, name: &str) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.schema == schema && c.table == table && c.name == name)
    }

    pub fn constraints_of<'a>(
        &'a self,
        schema: &'a str,
        table: &'a str,
    ) -> impl Iterator<Item = &'a Constraint> + 'a {
        self.constraints
            .iter()
            .filter(move |c| c.schema == schema && c.table == table)
    }

    pub fn index(&self, schema: &str, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.schema == schema && i.name == name)
    }

    /// Sort every collection by key, so that serialised snapshots are stable.
    /// Compares borrowed fields: no key strings are built per comparison.
    pub fn sort(&mut self) {
        sort_rows(&mut self.schemas, |a, b| a.name.cmp(&b.name));
        sort_rows(&mut self.tables, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_grouped_rows(
            &mut self.columns,
            |a, b| (&a.schema, &a.table).cmp(&(&b.schema, &b.table)),
            |a, b| a.position.cmp(&b.position),
        );
        sort_grouped_rows(
            &mut self.constraints,
            |a, b| (&a.schema, &a.table).cmp(&(&b.schema, &b.table)),
            |a, b| a.name.cmp(&b.name),
        );
        sort_rows(&mut self.indexes, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.sequences, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.views, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.enums, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.domains, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.functions, |a, b| {
            (&a.schema, &a.name, &a.arguments).cmp(&(&b.schema, &b.name, &b.arguments))
        });
        sort_rows(&mut self.triggers, |a, b| {
            (&a.schema, &a.table, &a.name).cmp(&(&b.schema, &b.table, &b.name))
        });
        sort_rows(&mut self.extensions, |a, b| a.name.cmp(&b.name));
        sort_rows(&mut self.policies, |a, b| {
            (&a.schema, &a.table, &a.name).cmp(&(&b.schema, &b.table, &b.name))
        });
        sort_rows(&mut self.types, |a, b| {
            (&a.schema, &a.name).cmp(&(&b.schema, &b.name))
        });
        sort_rows(&mut self.rules, |a, b| {
            (&a.schema, &a.table, &a.name).cmp(&(&b.schema, &b.table, &b.name))
        });
        sort_rows(&mut self.event_triggers, |a, b| a.name.cmp(&b.name));
        sort_rows(&mut self.comments, |a, b| {
            (&a.kind, &a.object).cmp(&(&b.kind, &b.object))
        });
    }
}

/// The JSON Schema a saved snapshot follows (named in load errors).
pub const SNAPSHOT_SCHEMA_PATH: &str = "docs/schema/snapshot.schema.json";

/// Why a snapshot file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotFileError {
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a driftcheck snapshot (see {SNAPSHOT_SCHEMA_PATH}): {error}", path.display())]
    NotSnapshot {
        path: std::path::PathBuf,
        error: serde_json::Error,
    },
    #[error("{} has snapshot format {found}, this driftcheck reads format {SNAPSHOT_FORMAT}", path.display())]
    Format {
        path: std::path::PathBuf,
        found: u32,
    },
}

impl Snapshot {
    /// Read a snapshot saved by `driftcheck snapshot` (or written to the schema).
    pub fn load(path: &std::path::Path) -> Result<Snapshot, SnapshotFileError> {
        let text = std::fs::read_to_string(path).map_err(|error| SnapshotFileError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Snapshot::from_json(&text, path)
    }

    /// Parse a saved snapshot's text; `path` is only used in messages.
    pub fn from_json(text: &str, path: &std::path::Path) -> Result<Snapshot, SnapshotFileError> {
        let snapshot: Snapshot =
            serde_json::from_str(text).map_err(|error| SnapshotFileError::NotSnapshot {
                path: path.to_path_buf(),
                error,
            })?;
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(SnapshotFileError::Format {
                path: path.to_path_buf(),
                found: snapshot.format,
            });
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod load_tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_file_that_is_not_a_snapshot_names_the_schema() {
        let err = Snapshot::from_json("{\"tables\": 3}", Path::new("prod.json")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("prod.json is not a driftcheck snapshot"),
            "{message}"
        );
        assert!(message.contains(SNAPSHOT_SCHEMA_PATH), "{message}");
    }

    #[test]
    fn another_format_is_refused_and_the_current_one_read() {
        let err = Snapshot::from_json("{\"format\": 99}", Path::new("a.json")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "a.json has snapshot format 99, this driftcheck reads format {SNAPSHOT_FORMAT}"
            )
        );
        let text = format!("{{\"format\": {SNAPSHOT_FORMAT}}}");
        assert!(Snapshot::from_json(&text, Path::new("a.json")).is_ok());
    }

    #[test]
    fn a_snapshot_from_before_the_new_kinds_still_loads() {
        let text = format!(
            "{{\"format\": {SNAPSHOT_FORMAT}, \"tables\": [{{\"schema\": \"public\", \"name\": \"t\", \"kind\": \"table\"}}]}}"
        );
        let snapshot = Snapshot::from_json(&text, Path::new("old.json")).unwrap();
        let table = &snapshot.tables[0];
        assert!(!table.unlogged && table.inherits.is_empty() && table.options.is_empty());
        assert_eq!(table.replica_identity, None);
        assert!(snapshot.types.is_empty() && snapshot.rules.is_empty());
        assert!(snapshot.event_triggers.is_empty() && snapshot.comments.is_empty());
    }
}
