//! Schema diff between two snapshots (local vs production). Pure.
//!
//! Each object kind becomes a list of items with a qualified name, a normal
//! form (what is compared) and a one-line definition (what is shown). Items
//! are paired by name; then three passes keep the report to real drift:
//! 1. constraints and indexes left unpaired are matched on table + definition,
//!    so names PostgreSQL generated differently are not drift, and a chosen
//!    name against another is one rename, not a drop plus an add;
//! 2. objects inside a table, schema or partitioned parent that exists on one
//!    side only are folded into that one finding;
//! 3. ignore rules and partition folding drop entries, counting them by kind.

mod ignore;
mod normalize;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::schema::Snapshot;

pub use ignore::{Ignore, IgnorePatternError, IgnoreRules};

/// Kinds of schema objects, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Schema,
    Extension,
    Enum,
    Domain,
    Sequence,
    Table,
    Column,
    Constraint,
    Index,
    View,
    MaterializedView,
    Function,
    Trigger,
    Policy,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Schema,
        Kind::Extension,
        Kind::Enum,
        Kind::Domain,
        Kind::Sequence,
        Kind::Table,
        Kind::Column,
        Kind::Constraint,
        Kind::Index,
        Kind::View,
        Kind::MaterializedView,
        Kind::Function,
        Kind::Trigger,
        Kind::Policy,
    ];

    /// The name used in JSON and reports (`materialized_view`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Extension => "extension",
            Kind::Enum => "enum",
            Kind::Domain => "domain",
            Kind::Sequence => "sequence",
            Kind::Table => "table",
            Kind::Column => "column",
            Kind::Constraint => "constraint",
            Kind::Index => "index",
            Kind::View => "view",
            Kind::MaterializedView => "materialized_view",
            Kind::Function => "function",
            Kind::Trigger => "trigger",
            Kind::Policy => "policy",
        }
    }

    /// The key under `[ignore]` (`indexes`, `policies`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Schema => "schemas",
            Kind::Extension => "extensions",
            Kind::Enum => "enums",
            Kind::Domain => "domains",
            Kind::Sequence => "sequences",
            Kind::Table => "tables",
            Kind::Column => "columns",
            Kind::Constraint => "constraints",
            Kind::Index => "indexes",
            Kind::View => "views",
            Kind::MaterializedView => "materialized_views",
            Kind::Function => "functions",
            Kind::Trigger => "triggers",
            Kind::Policy => "policies",
        }
    }
}

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
    pub include_extension_versions: bool,
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
            include_extension_versions: false,
            include_comments: false,
            ignore: Ignore::default(),
        }
    }
}

/// One object of one snapshot, ready to compare.
#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    object: String,
    schema: String,
    /// Enclosing table (`schema.table`): the owner of a column, constraint,
    /// index, trigger, policy or owned sequence; the parent of a partition.
    table: Option<String>,
    /// Normal form; equal normal forms mean "no drift".
    compare: String,
    /// Compared only when both sides have it (function bodies the connecting
    /// role may not be allowed to read).
    detail: Option<String>,
    display: String,
    /// Display when the object exists on this side only (tables list their columns).
    display_alone: Option<String>,
    /// Name-free identity for pairing generated names (constraints, indexes).
    rename_key: Option<String>,
    partition: bool,
}

impl Item {
    fn new(kind: Kind, object: String, schema: &str, compare: String, display: String) -> Item {
        Item {
            kind,
            object,
            schema: schema.to_string(),
            table: None,
            compare,
            detail: None,
            display,
            display_alone: None,
            rename_key: None,
            partition: false,
        }
    }

    fn same_as(&self, other: &Item) -> bool {
        self.compare == other.compare
            && match (&self.detail, &other.detail) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

fn owner_and_grants(options: &DiffOptions, owner: &Option<String>, acl: &Option<String>) -> String {
    let mut text = String::new();
    if options.include_owners {
        if let Some(owner) = owner {
            text.push_str(&format!(", owner {owner}"));
        }
    }
    if options.include_privileges {
        if let Some(acl) = acl {
            text.push_str(&format!(", grants {acl}"));
        }
    }
    text
}

fn comment_text(options: &DiffOptions, comment: &Option<String>) -> String {
    match comment {
        Some(comment) if options.include_comments => format!(", comment '{comment}'"),
        _ => String::new(),
    }
}

/// Every object of a snapshot as comparable items.
fn items(snapshot: &Snapshot, options: &DiffOptions) -> Vec<Item> {
    let mut items = Vec::new();

    for schema in &snapshot.schemas {
        let text = format!(
            "schema{}",
            owner_and_grants(options, &schema.owner, &schema.acl)
        );
        items.push(Item::new(
            Kind::Schema,
            schema.name.clone(),
            &schema.name,
            text.clone(),
            text,
        ));
    }

    for extension in &snapshot.extensions {
        let mut text = format!("extension in schema {}", extension.schema);
        if options.include_extension_versions {
            text.push_str(&format!(", version {}", extension.version));
        }
        items.push(Item::new(
            Kind::Extension,
            extension.key(),
            &extension.schema,
            text.clone(),
            text,
        ));
    }

    for enum_type in &snapshot.enums {
        let values: Vec<String> = enum_type
            .values
            .iter()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect();
        let mut text = format!("enum ({})", values.join(", "));
        if options.include_owners {
            if let Some(owner) = &enum_type.owner {
                text.push_str(&format!(", owner {owner}"));
            }
        }
        items.push(Item::new(
            Kind::Enum,
            enum_type.key(),
            &enum_type.schema,
            text.clone(),
            text,
        ));
    }

    for domain in &snapshot.domains {
        let mut display = domain.data_type.clone();
        let mut compare = domain.data_type.to_lowercase();
        if domain.not_null {
            display.push_str(" not null");
            compare.push_str(" not null");
        }
        if let Some(default) = &domain.default {
            display.push_str(&format!(" default {}", normalize::one_line(default)));
            compare.push_str(&format!(" default {}", normalize::expression(default)));
        }
        for check in &domain.checks {
            display.push_str(&format!(" {}", normalize::one_line(check)));
            compare.push_str(&format!(" {}", normalize::expression(check)));
        }
        if options.include_owners {
            if let Some(owner) = &domain.owner {
                display.push_str(&format!(", owner {owner}"));
                compare.push_str(&format!(", owner {owner}"));
            }
        }
        items.push(Item::new(
            Kind::Domain,
            domain.key(),
            &domain.schema,
            compare,
            display,
        ));
    }

    for sequence in &snapshot.sequences {
        let mut text = format!(
            "{} start {} increment {} min {} max {}",
            sequence.data_type, sequence.start, sequence.increment, sequence.min, sequence.max
        );
        if sequence.cycle {
            text.push_str(" cycle");
        }
        if let Some(owned_by) = &sequence.owned_by {
            text.push_str(&format!(" owned by {owned_by}"));
        }
        text.push_str(&owner_and_grants(options, &sequence.owner, &sequence.acl));
        let mut item = Item::new(
            Kind::Sequence,
            sequence.key(),
            &sequence.schema,
            text.clone(),
            text,
        );
        item.table = sequence
            .owned_by
            .as_deref()
            .and_then(|column| column.rsplit_once('.'))
            .map(|(table, _)| table.to_string());
        items.push(item);
    }

    // One pass over the columns: looking them up per table is quadratic in
    // catalog size (seconds at a few thousand tables).
    let mut columns_by_table: HashMap<(&str, &str), Vec<&crate::schema::Column>> = HashMap::new();
    for column in &snapshot.columns {
        columns_by_table
            .entry((column.schema.as_str(), column.table.as_str()))
            .or_default()
            .push(column);
    }
    for table in &snapshot.tables {
        let mut text = match (table.kind.as_str(), &table.partition_key) {
            ("partitioned_table", Some(key)) => format!("partitioned table, partition by {key}"),
            ("partitioned_table", None) => "partitioned table".to_string(),
            ("foreign_table", _) => "foreign table".to_string(),
            _ => "table".to_string(),
        };
        if let Some(parent) = &table.partition_of {
            text.push_str(&format!(", partition of {parent}"));
            if let Some(bound) = &table.partition_bound {
                text.push_str(&format!(" {}", normalize::one_line(bound)));
            }
        }
        if table.rls_forced {
            text.push_str(", row level security forced");
        } else if table.rls_enabled {
            text.push_str(", row level security");
        }
        text.push_str(&owner_and_grants(options, &table.owner, &table.acl));
        text.push_str(&comment_text(options, &table.comment));
        let mut columns = columns_by_table
            .remove(&(table.schema.as_str(), table.name.as_str()))
            .unwrap_or_default();
        columns.sort_by_key(|c| c.position);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let mut item = Item::new(
            Kind::Table,
            table.key(),
            &table.schema,
            text.clone(),
            text.clone(),
        );
        item.display_alone = Some(format!("{text} ({})", names.join(", ")));
        item.table = table.partition_of.clone();
        item.partition = table.partition_of.is_some();
        items.push(item);
    }

    for column in &snapshot.columns {
        let mut display = column.data_type.clone();
        let mut compare = column.data_type.to_lowercase();
        if let Some(collation) = &column.collation {
            display.push_str(&format!(" collate {collation}"));
            compare.push_str(&format!(" collate {collation}"));
        }
        if !column.nullable {
            display.push_str(" not null");
            compare.push_str(" not null");
        }
        if let Some(default) = &column.default {
            display.push_str(&format!(" default {}", normalize::one_line(default)));
            compare.push_str(&format!(" default {}", normalize::expression(default)));
        }
        if let Some(identity) = &column.identity {
            let text = match identity.as_str() {
                "always" => " generated always as identity".to_string(),
                "by_default" => " generated by default as identity".to_string(),
                other => format!(" identity {other}"),
            };
            display.push_str(&text);
            compare.push_str(&text);
        }
        if let Some(generated) = &column.generated {
            display.push_str(&format!(
                " generated always as ({}) stored",
                normalize::one_line(generated)
            ));
            compare.push_str(&format!(" generated {}", normalize::expression(generated)));
        }
        let comment = comment_text(options, &column.comment);
        display.push_str(&comment);
        compare.push_str(&comment);
        let mut item = Item::new(Kind::Column, column.key(), &column.schema, compare, display);
        item.table = Some(column.table_key());
        items.push(item);
    }

    for constraint in &snapshot.constraints {
        let definition = normalize::expression(&constraint.definition);
        let mut item = Item::new(
            Kind::Constraint,
            constraint.key(),
            &constraint.schema,
            format!("{} {definition}", constraint.kind),
            normalize::one_line(&constraint.definition),
        );
        item.rename_key = Some(format!(
            "{} {} {definition}",
            constraint.table_key(),
            constraint.kind
        ));
        item.table = Some(constraint.table_key());
        items.push(item);
    }

    for index in &snapshot.indexes {
        // The constraint it implements is compared (and reported) instead.
        if index.constraint.is_some() {
            continue;
        }
        let mut item = Item::new(
            Kind::Index,
            index.key(),
            &index.schema,
            normalize::expression(&index.definition),
            normalize::one_line(&index.definition),
        );
        item.rename_key = Some(normalize::expression(&normalize::index_without_name(
            &index.definition,
        )));
        item.table = Some(index.table_key());
        items.push(item);
    }

    for view in &snapshot.views {
        let kind = if view.materialized {
            Kind::MaterializedView
        } else {
            Kind::View
        };
        let extra = owner_and_grants(options, &view.owner, &view.acl);
        items.push(Item::new(
            kind,
            view.key(),
            &view.schema,
            format!("{}{extra}", normalize::text(&view.definition)),
            format!("{}{extra}", normalize::one_line(&view.definition)),
        ));
    }

    for function in &snapshot.functions {
        let mut header = format!("{}({})", function.kind, function.arguments);
        if let Some(result) = &function.result {
            header.push_str(&format!(" returns {result}"));
        }
        header.push_str(&format!(" language {}", function.language));
        header.push_str(&owner_and_grants(options, &function.owner, &function.acl));
        let display = match &function.definition {
            Some(definition) => normalize::one_line(definition),
            None => header.clone(),
        };
        let mut item = Item::new(
            Kind::Function,
            function.key(),
            &function.schema,
            header,
            display,
        );
        item.detail = function.definition.as_deref().map(normalize::text);
        items.push(item);
    }

    for trigger in &snapshot.triggers {
        let state = match trigger.enabled.as_str() {
            "D" => " (disabled)",
            "R" => " (enabled on replica only)",
            "A" => " (enabled always)",
            _ => "",
        };
        let mut item = Item::new(
            Kind::Trigger,
            trigger.key(),
            &trigger.schema,
            format!("{}{state}", normalize::text(&trigger.definition)),
            format!("{}{state}", normalize::one_line(&trigger.definition)),
        );
        item.table = Some(format!("{}.{}", trigger.schema, trigger.table));
        items.push(item);
    }

    for policy in &snapshot.policies {
        let mut display = format!(
            "{} for {} to {}",
            if policy.permissive {
                "permissive"
            } else {
                "restrictive"
            },
            policy.command,
            policy.roles.join(", ")
        );
        let mut compare = display.clone();
        if let Some(using) = &policy.using {
            display.push_str(&format!(" using ({})", normalize::one_line(using)));
            compare.push_str(&format!(" using {}", normalize::expression(using)));
        }
        if let Some(check) = &policy.with_check {
            display.push_str(&format!(" with check ({})", normalize::one_line(check)));
            compare.push_str(&format!(" with check {}", normalize::expression(check)));
        }
        let mut item = Item::new(Kind::Policy, policy.key(), &policy.schema, compare, display);
        item.table = Some(format!("{}.{}", policy.schema, policy.table));
        items.push(item);
    }

    items
}

/// A difference before folding and ignore rules.
struct Pending<'a> {
    change: Change,
    local: Option<&'a Item>,
    production: Option<&'a Item>,
    /// The same constraint or index under another, chosen name on each side.
    renamed: bool,
}

impl Pending<'_> {
    fn item(&self) -> &Item {
        self.local.or(self.production).expect("one side is present")
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

/// Compare two snapshots. Deterministic: entries sorted by kind, then object.
pub fn diff(local: &Snapshot, production: &Snapshot, options: &DiffOptions) -> SchemaDiff {
    let local_items = items(local, options);
    let production_items = items(production, options);
    // Borrowed keys: at 5,000 tables, owned copies of every name cost ~20 MB.
    fn index(items: &[Item]) -> BTreeMap<(Kind, &str), usize> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| ((item.kind, item.object.as_str()), i))
            .collect()
    }
    let local_index = index(&local_items);
    let production_index = index(&production_items);

    let keys: BTreeSet<&(Kind, &str)> = local_index.keys().chain(production_index.keys()).collect();
    let mut pending: Vec<Pending> = Vec::new();
    for key in keys {
        let l = local_index.get(key).map(|&i| &local_items[i]);
        let p = production_index.get(key).map(|&i| &production_items[i]);
        let change = match (l, p) {
            (Some(l), Some(p)) if l.same_as(p) => continue,
            (Some(_), Some(_)) => Change::Differs,
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

    pair_generated_names(&mut pending);

    let version_tables = version_tables(&options.version_table, [local, production]);
    // Tables and schemas present on one side only: what they contain is part
    // of that one finding.
    let mut alone: HashMap<(Kind, &str), Change> = HashMap::new();
    for entry in &pending {
        let item = entry.item();
        if matches!(item.kind, Kind::Table | Kind::Schema) && entry.change != Change::Differs {
            alone.insert((item.kind, item.object.as_str()), entry.change);
        }
    }
    let partitions: BTreeSet<&str> = local_items
        .iter()
        .chain(&production_items)
        .filter(|item| item.partition)
        .map(|item| item.object.as_str())
        .collect();
    let ignore = &options.ignore;
    let table_ignored = |table: &str| {
        ignore.matches(Kind::Table, table)
            || table
                .split_once('.')
                .is_some_and(|(schema, _)| ignore.matches(Kind::Schema, schema))
    };

    let mut result = SchemaDiff::default();
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
        let folded = ignore.fold_partitions
            && ((item.kind == Kind::Table && item.partition)
                || item
                    .table
                    .as_deref()
                    .is_some_and(|t| partitions.contains(t)));
        let ignored = ignore.matches(item.kind, &item.object)
            || (item.kind != Kind::Extension && ignore.matches(Kind::Schema, &item.schema))
            || (item.kind != Kind::Table && item.table.as_deref().is_some_and(table_ignored));
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
            local: shown(entry.local),
            production: shown(entry.production),
        });
    }

    if options.strict_column_order {
        column_order(local, production, options, &version_tables, &mut result);
    }
    result
        .entries
        .sort_by(|a, b| (a.kind, &a.object).cmp(&(b.kind, &b.object)));
    result
}

/// Pair a constraint or index found on one side only with one on the other
/// side that has the same table and definition. When both names are ones
/// PostgreSQL generates when a migration gave none (`users_email_key`,
/// `users_email_key1`), only the generator differed: not drift. When either
/// name was chosen, it is a rename, and one finding: migrations address
/// constraints and indexes by name (`op.drop_constraint("uq_users_email")`).
fn pair_generated_names(pending: &mut Vec<Pending>) {
    let mut production_by_key: HashMap<(Kind, String), Vec<usize>> = HashMap::new();
    for (i, entry) in pending.iter().enumerate() {
        if entry.change == Change::OnlyProduction {
            if let Some(key) = &entry.item().rename_key {
                production_by_key
                    .entry((entry.item().kind, key.clone()))
                    .or_default()
                    .push(i);
            }
        }
    }
    let mut drop = vec![false; pending.len()];
    let mut renames = Vec::new();
    for (i, entry) in pending.iter().enumerate() {
        if entry.change != Change::OnlyLocal {
            continue;
        }
        let Some(key) = &entry.item().rename_key else {
            continue;
        };
        if let Some(candidates) = production_by_key.get_mut(&(entry.item().kind, key.clone())) {
            if let Some(j) = candidates.pop() {
                drop[j] = true;
                if is_generated_name(entry.item()) && is_generated_name(pending[j].item()) {
                    drop[i] = true;
                } else {
                    renames.push((i, j));
                }
            }
        }
    }
    for (i, j) in renames {
        let production = pending[j].production;
        let entry = &mut pending[i];
        entry.change = Change::Differs;
        entry.production = production;
        entry.renamed = true;
    }
    let mut position = 0;
    pending.retain(|_| {
        let keep = !drop[position];
        position += 1;
        keep
    });
}

/// Whether a constraint's or index's name has the shape PostgreSQL gives an
/// unnamed one: `<table>_…_{pkey,key,fkey,check,excl,idx}`, maybe with a digit
/// suffix after a collision.
fn is_generated_name(item: &Item) -> bool {
    let name = item.object.rsplit('.').next().unwrap_or(&item.object);
    let table = item
        .table
        .as_deref()
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("");
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let table_prefix = &table[..table.len().min(20)];
    name.starts_with(table_prefix)
        && ["_pkey", "_key", "_fkey", "_check", "_excl", "_idx"]
            .iter()
            .any(|suffix| base.ends_with(suffix))
}

/// With `strict_column_order`: tables on both sides whose shared columns are
/// in a different order. Merged into the table's entry when it has one.
fn column_order(
    local: &Snapshot,
    production: &Snapshot,
    options: &DiffOptions,
    version_tables: &BTreeSet<String>,
    result: &mut SchemaDiff,
) {
    // Indexed once: per-table lookups by scanning are quadratic in catalog size.
    fn by_table(snapshot: &Snapshot) -> HashMap<(&str, &str), Vec<&crate::schema::Column>> {
        let mut map: HashMap<(&str, &str), Vec<&crate::schema::Column>> = HashMap::new();
        for column in &snapshot.columns {
            map.entry((column.schema.as_str(), column.table.as_str()))
                .or_default()
                .push(column);
        }
        map
    }
    let (local_columns, production_columns) = (by_table(local), by_table(production));
    let production_tables: HashMap<(&str, &str), &crate::schema::Table> = production
        .tables
        .iter()
        .map(|t| ((t.schema.as_str(), t.name.as_str()), t))
        .collect();
    for table in &local.tables {
        let key = table.key();
        let Some(other) = production_tables.get(&(table.schema.as_str(), table.name.as_str()))
        else {
            continue;
        };
        if version_tables.contains(&key)
            || (options.ignore.fold_partitions
                && (table.partition_of.is_some() || other.partition_of.is_some()))
            || options.ignore.matches(Kind::Table, &key)
            || options.ignore.matches(Kind::Schema, &table.schema)
        {
            continue;
        }
        let table_id = (table.schema.as_str(), table.name.as_str());
        let none = Vec::new();
        let (mine, theirs) = (
            local_columns.get(&table_id).unwrap_or(&none),
            production_columns.get(&table_id).unwrap_or(&none),
        );
        let order = |columns: &[&crate::schema::Column],
                     shared_with: &[&crate::schema::Column]|
         -> Vec<String> {
            let mut columns: Vec<_> = columns
                .iter()
                .filter(|c| shared_with.iter().any(|o| o.name == c.name))
                .collect();
            columns.sort_by_key(|c| c.position);
            columns.iter().map(|c| c.name.clone()).collect()
        };
        let local_order = order(mine, theirs);
        let production_order = order(theirs, mine);
        if local_order == production_order {
            continue;
        }
        let describe = |names: &[String]| format!("column order: {}", names.join(", "));
        let (l, p) = (describe(&local_order), describe(&production_order));
        if let Some(entry) = result
            .entries
            .iter_mut()
            .find(|e| e.kind == Kind::Table && e.object == key)
        {
            entry.local = Some(format!("{}; {l}", entry.local.as_deref().unwrap_or("")));
            entry.production = Some(format!(
                "{}; {p}",
                entry.production.as_deref().unwrap_or("")
            ));
        } else {
            result.entries.push(DiffEntry {
                kind: Kind::Table,
                object: key,
                change: Change::Differs,
                local: Some(l),
                production: Some(p),
            });
        }
    }
}

#[cfg(test)]
mod tests;
