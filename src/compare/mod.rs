//! Schema diff between two snapshots (local vs production). Pure.
//!
//! Rows equal on both sides under the same name are set aside first
//! ([`same_rows`]): they cannot differ. Each remaining object becomes an
//! item with a qualified name, a normal form (what is compared) and a
//! one-line definition (what is shown). Items are paired by name; then three
//! passes keep the report to real drift:
//! 1. constraints and indexes left unpaired are matched on table + definition,
//!    so names PostgreSQL generated differently are not drift, and a chosen
//!    name against another is one rename, not a drop plus an add;
//! 2. objects inside a table, schema or partitioned parent that exists on one
//!    side only are folded into that one finding;
//! 3. ignore rules and partition folding drop entries, counting them by kind.
//!
//! This module holds the result types and that pairing; [`item`] the item
//! shape, and one module per kind family builds the items: [`types`]
//! (schemas, extensions, enums, domains, sequences), [`tables`] (tables,
//! columns, column order), [`constraints`] (constraints, indexes, generated
//! names) and [`definitions`] (views, functions, triggers, policies).

mod constraints;
mod definitions;
mod ignore;
mod item;
mod normalize;
mod same_rows;
mod tables;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::schema::Snapshot;
use item::{family_items, Item, FAMILIES};

pub use ignore::{Ignore, IgnorePatternError, IgnoreRules};

/// Kinds of schema objects, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Schema,
    Extension,
    /// An extension's version, compared when both sides have the extension.
    ExtensionVersion,
    Enum,
    Domain,
    CompositeType,
    RangeType,
    BaseType,
    Sequence,
    Table,
    /// A table's storage parameters (`reloptions`), when both sides have it:
    /// a warning, not drift by itself.
    StorageParameters,
    Column,
    Constraint,
    Index,
    View,
    MaterializedView,
    Function,
    Trigger,
    Rule,
    EventTrigger,
    Policy,
}

impl Kind {
    pub const ALL: [Kind; 21] = [
        Kind::Schema,
        Kind::Extension,
        Kind::ExtensionVersion,
        Kind::Enum,
        Kind::Domain,
        Kind::CompositeType,
        Kind::RangeType,
        Kind::BaseType,
        Kind::Sequence,
        Kind::Table,
        Kind::StorageParameters,
        Kind::Column,
        Kind::Constraint,
        Kind::Index,
        Kind::View,
        Kind::MaterializedView,
        Kind::Function,
        Kind::Trigger,
        Kind::Rule,
        Kind::EventTrigger,
        Kind::Policy,
    ];

    /// A property of the object of the same name (`property_of`): reported
    /// only when both sides have that object (its own entry covers the rest).
    pub fn property_of(self) -> Option<Kind> {
        match self {
            Kind::ExtensionVersion => Some(Kind::Extension),
            Kind::StorageParameters => Some(Kind::Table),
            _ => None,
        }
    }

    /// Differences of this kind are warnings: reported, but not drift by
    /// themselves (storage parameters are tuning, often set per environment).
    pub fn is_warning(self) -> bool {
        self == Kind::StorageParameters
    }

    /// The name used in JSON and reports (`materialized_view`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Extension => "extension",
            Kind::ExtensionVersion => "extension_version",
            Kind::Enum => "enum",
            Kind::Domain => "domain",
            Kind::CompositeType => "composite_type",
            Kind::RangeType => "range_type",
            Kind::BaseType => "base_type",
            Kind::Sequence => "sequence",
            Kind::Table => "table",
            Kind::StorageParameters => "storage_parameters",
            Kind::Column => "column",
            Kind::Constraint => "constraint",
            Kind::Index => "index",
            Kind::View => "view",
            Kind::MaterializedView => "materialized_view",
            Kind::Function => "function",
            Kind::Trigger => "trigger",
            Kind::Rule => "rule",
            Kind::EventTrigger => "event_trigger",
            Kind::Policy => "policy",
        }
    }

    /// The key under `[ignore]` (`indexes`, `policies`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Schema => "schemas",
            Kind::Extension => "extensions",
            Kind::ExtensionVersion => "extension_versions",
            Kind::Enum => "enums",
            Kind::Domain => "domains",
            Kind::CompositeType => "composite_types",
            Kind::RangeType => "range_types",
            Kind::BaseType => "base_types",
            Kind::Sequence => "sequences",
            Kind::Table => "tables",
            Kind::StorageParameters => "storage_parameters",
            Kind::Column => "columns",
            Kind::Constraint => "constraints",
            Kind::Index => "indexes",
            Kind::View => "views",
            Kind::MaterializedView => "materialized_views",
            Kind::Function => "functions",
            Kind::Trigger => "triggers",
            Kind::Rule => "rules",
            Kind::EventTrigger => "event_triggers",
            Kind::Policy => "policies",
        }
    }
}

/// How an object differs between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    OnlyLocal,
    OnlyProduction,
    Differs,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::OnlyLocal => "only_local",
            Change::OnlyProduction => "only_production",
            Change::Differs => "differs",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// One difference, shaped like the contract's `schema_diff` items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffEntry {
    pub kind: Kind,
    /// Qualified name, e.g. `public.users.email_bounced`.
    pub object: String,
    pub change: Change,
    /// One-line definition on each side, `None` where the object is absent.
    pub local: Option<String>,
    pub production: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDiff {
    /// Sorted by kind (report order), then object.
    pub entries: Vec<DiffEntry>,
    /// Differences left out by ignore rules or partition folding, by kind.
    pub ignored: BTreeMap<String, usize>,
    /// The partitions whose differences were folded into their parent, sorted.
    pub folded_partitions: Vec<String>,
}

impl SchemaDiff {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The Alembic version table, `[schema.]name` as given to `--version-table`;
    /// its rows are compared elsewhere, so it is left out here. A bare name
    /// means the table each snapshot found under that name (it resolved
    /// through `search_path`), and `public.<name>`.
    pub version_table: String,
    /// Report columns whose relative order differs.
    pub strict_column_order: bool,
    pub include_owners: bool,
    pub include_privileges: bool,
    /// Compare `COMMENT ON` text (`--include-comments`).
    pub include_comments: bool,
    pub ignore: Ignore,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            version_table: "public.alembic_version".to_string(),
            strict_column_order: false,
            include_owners: false,
            include_privileges: false,
            include_comments: false,
            ignore: Ignore::default(),
        }
    }
}
/// A difference before folding and ignore rules. It owns the items of both
/// sides: every other item is dropped as soon as its family is paired.
struct Pending {
    change: Change,
    local: Option<Item>,
    production: Option<Item>,
    /// The same constraint or index under another, chosen name on each side.
    renamed: bool,
}

impl Pending {
    fn item(&self) -> &Item {
        self.local
            .as_ref()
            .or(self.production.as_ref())
            .expect("one side is present")
    }
}

/// Qualified names the version table option stands for.
fn version_tables(name: &str, snapshots: [&Snapshot; 2]) -> BTreeSet<String> {
    if name.contains('.') {
        return BTreeSet::from([name.to_string()]);
    }
    let mut names = BTreeSet::from([format!("public.{name}")]);
    for snapshot in snapshots {
        if let Some(found) = &snapshot.version_table {
            if found.name.rsplit('.').next() == Some(name) {
                names.insert(found.name.clone());
            }
        }
    }
    names
}

/// Pair two sides' items, each sorted by [`by_key`]: a merge, keeping only
/// what differs.
fn pair(local: Vec<Item>, production: Vec<Item>, pending: &mut Vec<Pending>) {
    use std::cmp::Ordering;
    let (mut l, mut p) = (
        local.into_iter().peekable(),
        production.into_iter().peekable(),
    );
    loop {
        let order = match (l.peek(), p.peek()) {
            (Some(a), Some(b)) => key(a).cmp(&key(b)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        let (l, p) = match order {
            Ordering::Less => (l.next(), None),
            Ordering::Greater => (None, p.next()),
            Ordering::Equal => (l.next(), p.next()),
        };
        let kind = l.as_ref().or(p.as_ref()).expect("one side is present").kind;
        let change = match (&l, &p) {
            (Some(l), Some(p)) if l.same_as(p) => continue,
            (Some(_), Some(_)) => Change::Differs,
            // A property of an object on one side only: that object's entry.
            _ if kind.property_of().is_some() => continue,
            (Some(_), None) => Change::OnlyLocal,
            (None, Some(_)) => Change::OnlyProduction,
            (None, None) => continue,
        };
        pending.push(Pending {
            change,
            local: l,
            production: p,
            renamed: false,
        });
    }
}

fn key(item: &Item) -> (Kind, &str) {
    (item.kind, item.object.as_str())
}

/// Items sorted by (kind, name); of two with one name the later one stays.
fn by_key(mut items: Vec<Item>) -> Vec<Item> {
    crate::schema::sort_rows(&mut items, |a, b| key(a).cmp(&key(b)));
    items.dedup_by(|later, kept| {
        let same = key(later) == key(kept);
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    items
}

/// Compare two snapshots. Deterministic: entries sorted by kind, then object.
pub fn diff(local: &Snapshot, production: &Snapshot, options: &DiffOptions) -> SchemaDiff {
    let result = diff_rows(local, production, options, true);
    // Every unit test of the diff also checks that leaving out the rows the
    // same on both sides changes nothing.
    #[cfg(test)]
    assert_eq!(
        result,
        diff_rows(local, production, options, false),
        "the diff of the differing rows is not the diff of all rows"
    );
    result
}

fn diff_rows(
    local: &Snapshot,
    production: &Snapshot,
    options: &DiffOptions,
    only_differing_rows: bool,
) -> SchemaDiff {
    // One family of kinds at a time: both sides' items built, sorted by
    // (kind, name) and paired by one merge, in report order, without name
    // maps; what is equal is dropped before the next family is built (at
    // 5,000 tables all items at once were ~80 MB).
    // Only rows that differ become items ([`same_rows`]).
    let differing = only_differing_rows
        .then(|| same_rows::differing_rows(local, production, options.include_comments))
        .flatten();
    let (local_rows, production_rows) = match &differing {
        Some((local, production)) => (local, production),
        None => (local, production),
    };
    let mut pending: Vec<Pending> = Vec::new();
    for family in 0..FAMILIES {
        let local_items = by_key(family_items(local_rows, local, options, family));
        let production_items = by_key(family_items(production_rows, production, options, family));
        pair(local_items, production_items, &mut pending);
    }
    drop(differing);
    let partitions: BTreeSet<String> = [local, production]
        .iter()
        .flat_map(|snapshot| &snapshot.tables)
        .filter(|table| table.partition_of.is_some())
        .map(|table| table.key())
        .collect();

    constraints::pair_generated_names(&mut pending);

    let version_tables = version_tables(&options.version_table, [local, production]);
    // Tables (views too: they hold rules, triggers, indexes) and schemas
    // present on one side only: what they contain is part of that one finding.
    let mut alone: HashMap<(Kind, &str), Change> = HashMap::new();
    for entry in &pending {
        let item = entry.item();
        let kind = match item.kind {
            Kind::View | Kind::MaterializedView => Kind::Table,
            other => other,
        };
        if matches!(kind, Kind::Table | Kind::Schema) && entry.change != Change::Differs {
            alone.insert((kind, item.object.as_str()), entry.change);
        }
    }
    let ignore = &options.ignore;
    let table_ignored = |table: &str| {
        ignore.matches(Kind::Table, table)
            || table
                .split_once('.')
                .is_some_and(|(schema, _)| ignore.matches(Kind::Schema, schema))
    };

    let mut result = SchemaDiff::default();
    let mut folded_partitions = BTreeSet::new();
    for entry in &pending {
        let item = entry.item();
        if (item.kind == Kind::Table && version_tables.contains(&item.object))
            || item
                .table
                .as_ref()
                .is_some_and(|t| version_tables.contains(t))
        {
            continue;
        }
        let inside_lone_table = item
            .table
            .as_deref()
            .and_then(|table| alone.get(&(Kind::Table, table)))
            .is_some_and(|&change| change == entry.change);
        let inside_lone_schema = !matches!(item.kind, Kind::Schema | Kind::Extension)
            && alone
                .get(&(Kind::Schema, item.schema.as_str()))
                .is_some_and(|&change| change == entry.change);
        if inside_lone_table || inside_lone_schema {
            continue;
        }
        let partition = if item.kind == Kind::Table && item.partition {
            Some(item.object.as_str())
        } else {
            item.table.as_deref().filter(|t| partitions.contains(*t))
        };
        let folded = ignore.fold_partitions && partition.is_some();
        let database_wide = matches!(item.kind, Kind::Extension | Kind::ExtensionVersion);
        let ignored = ignore.matches(item.kind, &item.object)
            || item
                .kind
                .property_of()
                .is_some_and(|owner| ignore.matches(owner, &item.object))
            || (!database_wide && ignore.matches(Kind::Schema, &item.schema))
            || (item.kind != Kind::Table && item.table.as_deref().is_some_and(table_ignored));
        if folded && !ignored {
            folded_partitions.extend(partition);
        }
        if folded || ignored {
            *result
                .ignored
                .entry(item.kind.as_str().to_string())
                .or_default() += 1;
            continue;
        }
        let shown = |side: Option<&Item>| {
            side.map(|item| match (&item.display_alone, entry.change) {
                (Some(alone), Change::OnlyLocal | Change::OnlyProduction) => alone.clone(),
                _ if entry.renamed => format!(
                    "named {}: {}",
                    item.object.rsplit('.').next().unwrap_or(&item.object),
                    item.display
                ),
                _ => item.display.clone(),
            })
        };
        result.entries.push(DiffEntry {
            kind: item.kind,
            object: item.object.clone(),
            change: entry.change,
            local: shown(entry.local.as_ref()),
            production: shown(entry.production.as_ref()),
        });
    }

    result.folded_partitions = folded_partitions.into_iter().map(String::from).collect();
    if options.strict_column_order {
        tables::column_order(local, production, options, &version_tables, &mut result);
    }
    result
        .entries
        .sort_by(|a, b| (a.kind, &a.object).cmp(&(b.kind, &b.object)));
    result
}

#[cfg(test)]
mod tests;
