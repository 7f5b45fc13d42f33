//! Check extracted effects against a schema snapshot.

use super::model::*;
use super::{Assessment, CheckStatus, EffectCheck, Evidence};
use crate::schema::{Column, Snapshot};

/// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1).
const PG_IDENTIFIER_MAX: usize = 63;

fn pg_name(name: &str) -> &str {
    if name.len() <= PG_IDENTIFIER_MAX {
        return name;
    }
    let mut end = PG_IDENTIFIER_MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Assess every effect of one `upgrade()` against `snapshot`; effects without an
/// explicit schema live in `default_schema`.
pub fn assess(extraction: &Extraction, snapshot: &Snapshot, default_schema: &str) -> Assessment {
    let ctx = Ctx {
        snapshot,
        default_schema,
        effects: &extraction.effects,
    };
    let mut checks = Vec::with_capacity(extraction.effects.len());
    let mut details = Vec::new();
    if let Some(line) = extraction.syntax_error {
        details.push(format!(
            "syntax error at line {line}: effects may be incomplete"
        ));
    }
    if !extraction.has_upgrade && extraction.syntax_error.is_none() {
        details.push("no upgrade() function found".to_string());
    }

    for (index, effect) in extraction.effects.iter().enumerate() {
        let description = describe(&effect.kind);
        let superseded_by = ctx.superseded_by(index);
        let mut finding = match superseded_by {
            Some(line) => Finding {
                status: CheckStatus::Unknown,
                detail: format!("not checked on its own: line {line} of this upgrade undoes it"),
                summary: None,
            },
            None => ctx.check(index, effect),
        };
        let mut counts = superseded_by.is_none();
        if let (Some(dropped_at), true) = (ctx.replaces(index), counts) {
            counts = judge_recreation(&mut finding, dropped_at);
        }
        if let Some(summary) = finding.summary {
            details.push(summary);
        } else if counts && finding.status == CheckStatus::Unknown {
            let what = match &effect.kind {
                EffectKind::Unknown { text } => text,
                _ => &finding.detail,
            };
            details.push(format!("unknown (line {}): {what}", effect.line));
        }
        checks.push(EffectCheck {
            description,
            line: effect.line,
            status: finding.status,
            detail: finding.detail,
            superseded_by,
            counts,
        });
    }

    let evidence = verdict(extraction, &checks);
    if evidence == Evidence::Applied && checks.is_empty() {
        details.push(NO_SCHEMA_CHANGES.to_string());
    }
    Assessment {
        evidence,
        checks,
        details,
    }
}

/// The detail of an upgrade that changes no schema (a merge point, a data fix
/// with nothing to check): its "applied" is vacuous, true of any database.
pub const NO_SCHEMA_CHANGES: &str = "no schema changes";

/// End of the detail of a drop whose object is absent.
const ALREADY_DROPPED: &str = " already dropped";

/// The check of an effect that removes `subject`: done when it is gone.
/// `still_there` is what was found instead (`Some("")`: found, nothing to show);
/// `detail_shown` is added to the short detail line.
fn dropped(subject: &str, still_there: Option<&str>, detail_shown: Option<&str>) -> Finding {
    match still_there {
        Some(found) => Finding::new(
            CheckStatus::Absent,
            if found.is_empty() {
                format!("{subject} still exists")
            } else {
                format!("{subject} still exists: {found}")
            },
            match detail_shown {
                Some(shown) => format!("still present: {subject} ({shown})"),
                None => format!("still present: {subject}"),
            },
        ),
        None => Finding::new(
            CheckStatus::Present,
            format!("{subject} not found, as after the drop"),
            format!("found: {subject}{ALREADY_DROPPED}"),
        ),
    }
}

/// Whether an assessment's details are all drops whose objects are absent:
/// such "applied" evidence holds just as well when the objects never existed
/// (an earlier, unapplied migration would have created them).
pub fn rests_on_absences_only(details: &[String]) -> bool {
    !details.is_empty()
        && details
            .iter()
            .all(|d| d.starts_with("found: ") && d.ends_with(ALREADY_DROPPED))
}

/// An object this upgrade drops and creates again (a redefined constraint)
/// existed before the upgrade too. Found as the migration defines it, it proves
/// nothing either way (returns `false`: not counted); found in another shape, it
/// is most likely the old version, so the change is not done.
fn judge_recreation(finding: &mut Finding, dropped_at: u32) -> bool {
    match finding.status {
        CheckStatus::Differs => {
            finding.status = CheckStatus::Absent;
            finding.detail = format!(
                "{}; likely the version this upgrade drops (line {dropped_at}) and replaces",
                finding.detail
            );
            finding.summary = finding.summary.as_ref().map(|s| {
                format!(
                    "{} (still the version this upgrade replaces)",
                    s.replacen("differs: ", "missing: ", 1)
                )
            });
            true
        }
        CheckStatus::Present => {
            finding.detail = format!(
                "{}; not evidence: it existed before this upgrade too (dropped at line {dropped_at}, re-created here)",
                finding.detail
            );
            finding.summary = finding
                .summary
                .as_ref()
                .map(|s| format!("{s} (re-created by this upgrade; existed before it too)"));
            false
        }
        CheckStatus::Absent | CheckStatus::Unknown => true,
    }
}

fn verdict(extraction: &Extraction, checks: &[EffectCheck]) -> Evidence {
    if !extraction.has_upgrade || extraction.syntax_error.is_some() {
        return Evidence::Unknown;
    }
    if checks.is_empty() {
        // An empty upgrade (merge migration) changes nothing: stamping is safe.
        return Evidence::Applied;
    }
    let (mut present, mut absent, mut differs, mut unknown) = (0, 0, 0, 0);
    // A dropped object that is not there is weak evidence: it may never have
    // existed here (an earlier pending migration creates it). It confirms a
    // migration nothing contradicts, but does not make a migration whose
    // other changes are missing "partial".
    let mut absent_after_drop = 0;
    for (check, effect) in checks.iter().zip(&extraction.effects) {
        if !check.counts {
            continue;
        }
        match check.status {
            CheckStatus::Present if is_drop(&effect.kind) => absent_after_drop += 1,
            CheckStatus::Present => present += 1,
            CheckStatus::Absent => absent += 1,
            CheckStatus::Differs => differs += 1,
            CheckStatus::Unknown => unknown += 1,
        }
    }
    if present == 0 && absent + differs == 0 {
        present = absent_after_drop;
    }
    match (present, absent + differs) {
        (0, 0) => Evidence::Unknown,
        (_, 0) if unknown > 0 => Evidence::Unknown,
        (_, 0) => Evidence::Applied,
        // An object that exists in another shape is a trace of the migration.
        (0, _) if differs == 0 => Evidence::NotApplied,
        _ => Evidence::Partial,
    }
}

fn is_drop(kind: &EffectKind) -> bool {
    matches!(
        kind,
        EffectKind::DropTable { .. }
            | EffectKind::DropColumn { .. }
            | EffectKind::DropIndex { .. }
            | EffectKind::DropConstraint { .. }
    )
}

struct Finding {
    status: CheckStatus,
    detail: String,
    /// Line for `Assessment::details`; `None` for unknowns (added by the caller).
    summary: Option<String>,
}

impl Finding {
    fn new(status: CheckStatus, detail: String, summary: String) -> Self {
        Finding {
            status,
            detail,
            summary: Some(summary),
        }
    }
    fn unknown(detail: String) -> Self {
        Finding {
            status: CheckStatus::Unknown,
            detail,
            summary: None,
        }
    }
}

fn display_table(table: &TableRef) -> String {
    match &table.schema {
        Some(schema) => format!("{schema}.{}", table.name),
        None => table.name.clone(),
    }
}

fn describe_column(column: &ColumnSpec) -> String {
    let mut out = column.name.clone();
    if let Some(t) = &column.data_type {
        out.push(' ');
        out.push_str(t);
    }
    if !column.nullable {
        out.push_str(" NOT NULL");
    }
    if let Some(DefaultSpec::Sql(d) | DefaultSpec::Opaque(d)) = &column.server_default {
        out.push_str(" DEFAULT ");
        out.push_str(d);
    }
    out
}

fn describe_constraint(c: &ConstraintSpec) -> String {
    let mut out = c.kind.label().to_string();
    if let Some(name) = &c.name {
        out.push(' ');
        out.push_str(name);
    }
    if !c.columns.is_empty() {
        out.push_str(&format!(" ({})", c.columns.join(", ")));
    }
    if let Some(r) = &c.references {
        out.push_str(&format!(" → {r}"));
    }
    if let Some(action) = &c.on_delete {
        out.push_str(&format!(" ON DELETE {action}"));
    }
    if let Some(action) = &c.on_update {
        out.push_str(&format!(" ON UPDATE {action}"));
    }
    out
}

fn describe(kind: &EffectKind) -> String {
    match kind {
        EffectKind::CreateTable { table, columns, .. } => format!(
            "create table {} ({} columns)",
            display_table(table),
            columns.len()
        ),
        EffectKind::DropTable { table } => format!("drop table {}", display_table(table)),
        EffectKind::RenameTable { table, new_name } => {
            format!("rename table {} to {new_name}", display_table(table))
        }
        EffectKind::AddColumn { table, column } => {
            format!(
                "add column {}.{}",
                display_table(table),
                describe_column(column)
            )
        }
        EffectKind::DropColumn { table, column } => {
            format!("drop column {}.{column}", display_table(table))
        }
        EffectKind::CreateIndex {
            table,
            name,
            columns,
            unique,
        } => format!(
            "create {}index {name} on {} ({})",
            if *unique { "unique " } else { "" },
            display_table(table),
            columns.join(", ")
        ),
        EffectKind::DropIndex { name, schema, .. } => match schema {
            Some(s) => format!("drop index {s}.{name}"),
            None => format!("drop index {name}"),
        },
        EffectKind::CreateConstraint { table, constraint } => format!(
            "create {} on {}",
            describe_constraint(constraint),
            display_table(table)
        ),
        EffectKind::DropConstraint { table, name, kind } => format!(
            "drop {} {name} on {}",
            kind.map(ConstraintKind::label).unwrap_or("constraint"),
            display_table(table)
        ),
        EffectKind::AlterColumn {
            table,
            column,
            nullable,
            type_,
            new_name,
            server_default,
        } => {
            let mut changes = Vec::new();
            if let Some(n) = new_name {
                changes.push(format!("rename to {n}"));
            }
            match nullable {
                Some(true) => changes.push("DROP NOT NULL".to_string()),
                Some(false) => changes.push("SET NOT NULL".to_string()),
                None => {}
            }
            match type_ {
                Some(TypeChange::Mapped(t) | TypeChange::Unmapped(t)) => {
                    changes.push(format!("type {t}"))
                }
                None => {}
            }
            match server_default {
                Some(DefaultSpec::Null) => changes.push("DROP DEFAULT".to_string()),
                Some(DefaultSpec::Sql(d) | DefaultSpec::Opaque(d)) => {
                    changes.push(format!("DEFAULT {d}"))
                }
                None => {}
            }
            format!(
                "alter column {}.{column}: {}",
                display_table(table),
                if changes.is_empty() {
                    "no change".to_string()
                } else {
                    changes.join(", ")
                }
            )
        }
        EffectKind::Unknown { text } => format!("unrecognised: {text}"),
    }
}

/// `boolean not null default false`.
fn render_column(column: &Column) -> String {
    let mut out = column.data_type.clone();
    if !column.nullable {
        out.push_str(" not null");
    }
    if let Some(d) = &column.default {
        out.push_str(" default ");
        out.push_str(d);
    }
    out
}

/// Compare default expressions loosely: the catalog adds casts
/// (`'user'::character varying`, `timezone('utc'::text, now())`) that the
/// migration source does not write; casts, whitespace, case and the quotes of a
/// lone literal are ignored.
fn normalise_default(expr: &str) -> String {
    let without_casts = strip_casts(expr.trim());
    let trimmed = without_casts.trim();
    if let Some(literal) = lone_literal(trimmed) {
        return literal.to_lowercase();
    }
    trimmed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Whether a catalog default matches the migration's, for a column of `data_type`.
fn defaults_match(actual: &str, expected: &str, data_type: &str) -> bool {
    let (actual, expected) = (normalise_default(actual), normalise_default(expected));
    if data_type == "boolean" {
        // PostgreSQL accepts '0', 'f', 'no', 'off' ... and stores `false`.
        let truth = |v: &str| match v {
            "t" | "true" | "1" | "y" | "yes" | "on" => Some(true),
            "f" | "false" | "0" | "n" | "no" | "off" => Some(false),
            _ => None,
        };
        if let (Some(a), Some(e)) = (truth(&actual), truth(&expected)) {
            return a == e;
        }
    }
    actual == expected
}

/// Remove `::type` casts outside string literals.
fn strip_casts(expr: &str) -> String {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len());
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_quote = !in_quote; // '' inside a literal toggles twice: still correct
            out.push(c);
            i += 1;
        } else if !in_quote && c == ':' && chars.get(i + 1) == Some(&':') {
            i += 2;
            // Type names may have several words: `timestamp with time zone`.
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '"' | '.' | ' '))
            {
                i += 1;
            }
            if chars.get(i) == Some(&'(') {
                let close = chars[i..].iter().position(|&c| c == ')');
                let modifier_only = close.is_some_and(|end| {
                    chars[i + 1..i + end]
                        .iter()
                        .all(|c| c.is_ascii_digit() || matches!(c, ',' | ' '))
                });
                if let (true, Some(end)) = (modifier_only, close) {
                    i += end + 1;
                }
            }
            while chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
                i += 2;
            }
            // Keep one separator where the type name swallowed trailing spaces.
            if i < chars.len() && chars[i - 1] == ' ' {
                out.push(' ');
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `'it''s'` → `it's`, when the whole expression is one quoted literal.
fn lone_literal(expr: &str) -> Option<String> {
    let rest = expr.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                value.push('\'');
                continue;
            }
            return chars.next().is_none().then_some(value);
        }
        value.push(c);
    }
    None
}

/// What a later effect does to an object.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Exists,
    Gone,
    Modified,
}

#[derive(Clone, PartialEq, Eq)]
enum Obj {
    Table(String, String),
    Column(String, String, String),
    /// Indexes are found by schema + name; the table is for drop-table cascades.
    Index(String, String, Option<String>),
    Constraint(String, String, String),
}

impl Obj {
    fn same(&self, other: &Obj) -> bool {
        match (self, other) {
            (Obj::Index(s1, n1, _), Obj::Index(s2, n2, _)) => s1 == s2 && n1 == n2,
            _ => self == other,
        }
    }

    /// The table this object belongs to (for cascades of drop/rename table).
    fn table(&self) -> Option<(&str, &str)> {
        match self {
            Obj::Table(s, t) | Obj::Column(s, t, _) | Obj::Constraint(s, t, _) => Some((s, t)),
            Obj::Index(s, _, t) => t.as_deref().map(|t| (s.as_str(), t)),
        }
    }
}

struct Ctx<'a> {
    snapshot: &'a Snapshot,
    default_schema: &'a str,
    effects: &'a [Effect],
}

impl<'a> Ctx<'a> {
    fn schema_of(&self, table: &'a TableRef) -> &'a str {
        table.schema.as_deref().unwrap_or(self.default_schema)
    }

    fn qualify(&self, table: &TableRef) -> String {
        format!("{}.{}", self.schema_of_owned(table), table.name)
    }

    fn schema_of_owned(&self, table: &TableRef) -> String {
        table
            .schema
            .clone()
            .unwrap_or_else(|| self.default_schema.to_string())
    }

    /// The objects an effect creates, removes or modifies.
    fn outcomes(&self, kind: &EffectKind) -> Vec<(Obj, Outcome)> {
        match kind {
            // Columns and constraints of a new table are checked with the table;
            // a later drop of one of them is handled in `check_create_table`.
            EffectKind::CreateTable { table, .. } => vec![(
                Obj::Table(self.schema_of_owned(table), table.name.clone()),
                Outcome::Exists,
            )],
            EffectKind::DropTable { table } => vec![(
                Obj::Table(self.schema_of_owned(table), table.name.clone()),
                Outcome::Gone,
            )],
            EffectKind::RenameTable { table, new_name } => {
                let s = self.schema_of_owned(table);
                vec![
                    (Obj::Table(s.clone(), table.name.clone()), Outcome::Gone),
                    (Obj::Table(s, new_name.clone()), Outcome::Exists),
                ]
            }
            EffectKind::AddColumn { table, column } => vec![(
                Obj::Column(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    column.name.clone(),
                ),
                Outcome::Exists,
            )],
            EffectKind::DropColumn { table, column } => vec![(
                Obj::Column(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    column.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::CreateIndex { table, name, .. } => vec![(
                Obj::Index(
                    self.schema_of_owned(table),
                    name.clone(),
                    Some(table.name.clone()),
                ),
                Outcome::Exists,
            )],
            EffectKind::DropIndex {
                table,
                schema,
                name,
            } => vec![(
                Obj::Index(
                    schema
                        .clone()
                        .unwrap_or_else(|| self.default_schema.to_string()),
                    name.clone(),
                    table.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::CreateConstraint { table, constraint } => match &constraint.name {
                Some(name) => vec![(
                    Obj::Constraint(
                        self.schema_of_owned(table),
                        table.name.clone(),
                        name.clone(),
                    ),
                    Outcome::Exists,
                )],
                None => Vec::new(),
            },
            EffectKind::DropConstraint { table, name, .. } => vec![(
                Obj::Constraint(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    name.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::AlterColumn {
                table,
                column,
                new_name,
                ..
            } => {
                let s = self.schema_of_owned(table);
                let old = Obj::Column(s.clone(), table.name.clone(), column.clone());
                match new_name {
                    Some(n) => vec![
                        (old, Outcome::Gone),
                        (
                            Obj::Column(s, table.name.clone(), n.clone()),
                            Outcome::Exists,
                        ),
                    ],
                    None => vec![(old, Outcome::Modified)],
                }
            }
            EffectKind::Unknown { .. } => Vec::new(),
        }
    }

    /// Line of the first later effect that undoes what effect `index` did.
    fn superseded_by(&self, index: usize) -> Option<u32> {
        let mine = self.outcomes(&self.effects[index].kind);
        if mine.is_empty() {
            return None;
        }
        for later in &self.effects[index + 1..] {
            for (obj, outcome) in self.outcomes(&later.kind) {
                for (my_obj, my_outcome) in &mine {
                    let undone = match (my_outcome, outcome) {
                        (Outcome::Exists | Outcome::Modified, Outcome::Gone) => {
                            my_obj.same(&obj) || cascades(&obj, my_obj)
                        }
                        (Outcome::Gone, Outcome::Exists) => my_obj.same(&obj),
                        _ => false,
                    };
                    if undone {
                        return Some(later.line);
                    }
                }
            }
        }
        None
    }

    /// Line of an earlier effect that removed an object effect `index` creates again.
    fn replaces(&self, index: usize) -> Option<u32> {
        let mine = self.outcomes(&self.effects[index].kind);
        self.effects[..index].iter().rev().find_map(|earlier| {
            let removed = self
                .outcomes(&earlier.kind)
                .into_iter()
                .any(|(obj, outcome)| {
                    outcome == Outcome::Gone
                        && mine
                            .iter()
                            .any(|(o, my)| *my == Outcome::Exists && o.same(&obj))
                });
            removed.then_some(earlier.line)
        })
    }

    /// Whether an effect after `index` removes `obj` (drop or rename).
    fn removed_later(&self, index: usize, obj: &Obj) -> bool {
        self.effects[index + 1..].iter().any(|later| {
            self.outcomes(&later.kind)
                .iter()
                .any(|(o, outcome)| *outcome == Outcome::Gone && o.same(obj))
        })
    }

    /// Whether a later `alter_column` (after effect `index`) changes nullability / type of a column.
    fn later_alters(
        &self,
        index: usize,
        schema: &str,
        table: &str,
        column: &str,
    ) -> (bool, bool, bool) {
        let (mut nullable, mut type_, mut default) = (false, false, false);
        for later in &self.effects[index + 1..] {
            if let EffectKind::AlterColumn {
                table: t,
                column: c,
                nullable: n,
                type_: ty,
                server_default: d,
                ..
            } = &later.kind
            {
                if t.name == table && self.schema_of(t) == schema && c == column {
                    nullable |= n.is_some();
                    type_ |= ty.is_some();
                    default |= d.is_some();
                }
            }
        }
        (nullable, type_, default)
    }

    fn check(&self, index: usize, effect: &Effect) -> Finding {
        let snap = self.snapshot;
        match &effect.kind {
            EffectKind::Unknown { text } => {
                Finding::unknown(format!("not verifiable statically: {text}"))
            }
            EffectKind::AddColumn { table, column } => {
                let schema = self.schema_of(table);
                let subject = format!("column {}.{}", display_table(table), column.name);
                if snap.table(schema, pg_name(&table.name)).is_none() {
                    return Finding::new(
                        CheckStatus::Absent,
                        format!("table {} not found", self.qualify(table)),
                        format!(
                            "missing: {subject} (table {} not found)",
                            display_table(table)
                        ),
                    );
                }
                let Some(found) = snap.column(schema, pg_name(&table.name), pg_name(&column.name))
                else {
                    return Finding::new(
                        CheckStatus::Absent,
                        format!("{subject} not found"),
                        format!("missing: {subject}"),
                    );
                };
                let overridden = self.later_alters(index, schema, &table.name, &column.name);
                let problems = column_problems(column, found, overridden);
                self.column_finding(&subject, found, problems)
            }
            EffectKind::DropColumn { table, column } => {
                let schema = self.schema_of(table);
                let subject = format!("column {}.{column}", display_table(table));
                if let Some(missing) = self.missing_table_of_drop(table) {
                    return missing;
                }
                let found = snap.column(schema, pg_name(&table.name), pg_name(column));
                let rendered = found.map(render_column);
                dropped(&subject, rendered.as_deref(), rendered.as_deref())
            }
            EffectKind::CreateTable {
                table,
                columns,
                constraints,
            } => self.check_create_table(index, table, columns, constraints),
            EffectKind::DropTable { table } => {
                let subject = format!("table {}", display_table(table));
                let found = snap.table(self.schema_of(table), pg_name(&table.name));
                dropped(&subject, found.map(|_| ""), None)
            }
            EffectKind::RenameTable { table, new_name } => {
                let schema = self.schema_of(table);
                let subject = format!("table {} renamed to {new_name}", display_table(table));
                let old = snap.table(schema, pg_name(&table.name)).is_some();
                let new = snap.table(schema, pg_name(new_name)).is_some();
                match (old, new) {
                    (false, true) => Finding::new(
                        CheckStatus::Present,
                        format!(
                            "table {schema}.{new_name} exists and {schema}.{} does not",
                            table.name
                        ),
                        format!("found: {subject}"),
                    ),
                    (true, true) => Finding::new(
                        CheckStatus::Differs,
                        format!("both {schema}.{} and {schema}.{new_name} exist", table.name),
                        format!("differs: {subject} (both tables exist)"),
                    ),
                    (true, false) => Finding::new(
                        CheckStatus::Absent,
                        format!("table {schema}.{} still has its old name", table.name),
                        format!("missing: {subject}"),
                    ),
                    (false, false) => Finding::new(
                        CheckStatus::Absent,
                        format!(
                            "neither {schema}.{} nor {schema}.{new_name} found",
                            table.name
                        ),
                        format!("missing: {subject} (neither table found)"),
                    ),
                }
            }
            EffectKind::CreateIndex {
                table,
                name,
                columns,
                unique,
            } => {
                let schema = self.schema_of(table);
                let subject = format!("index {name} on {}", display_table(table));
                let Some(found) = snap.index(schema, pg_name(name)) else {
                    return Finding::new(
                        CheckStatus::Absent,
                        format!("index {schema}.{name} not found"),
                        format!("missing: {subject}"),
                    );
                };
                let mut problems = Vec::new();
                if found.table != pg_name(&table.name) {
                    problems.push(format!("it is on table {}", found.table));
                }
                if found.unique != *unique {
                    problems.push(format!(
                        "it is {}unique",
                        if found.unique { "" } else { "not " }
                    ));
                }
                if !columns.is_empty() && !found.columns.is_empty() && found.columns != *columns {
                    problems.push(format!(
                        "columns ({}), expected ({})",
                        found.columns.join(", "),
                        columns.join(", ")
                    ));
                }
                differs_or_present(&subject, &found.definition, problems)
            }
            EffectKind::DropIndex {
                schema,
                name,
                table,
            } => {
                if let Some(table) = table {
                    let table_ref = TableRef {
                        schema: schema.clone(),
                        name: table.clone(),
                    };
                    if let Some(missing) = self.missing_table_of_drop(&table_ref) {
                        return missing;
                    }
                }
                let schema = schema.as_deref().unwrap_or(self.default_schema);
                let subject = format!("index {schema}.{name}");
                let found = snap.index(schema, pg_name(name));
                dropped(&subject, found.map(|i| i.definition.as_str()), None)
            }
            EffectKind::CreateConstraint { table, constraint } => {
                self.check_constraint(table, constraint)
            }
            EffectKind::DropConstraint { table, name, .. } => {
                let subject = format!("constraint {}.{name}", display_table(table));
                if let Some(missing) = self.missing_table_of_drop(table) {
                    return missing;
                }
                let found =
                    snap.constraint(self.schema_of(table), pg_name(&table.name), pg_name(name));
                dropped(&subject, found.map(|c| c.definition.as_str()), None)
            }
            EffectKind::AlterColumn {
                table,
                column,
                nullable,
                type_,
                new_name,
                server_default,
            } => self.check_alter(
                index,
                table,
                column,
                *nullable,
                type_.as_ref(),
                new_name.as_deref(),
                server_default.as_ref(),
            ),
        }
    }

    /// Dropping something from a table that does not exist: the database is in
    /// neither the before nor the after state of the migration.
    fn missing_table_of_drop(&self, table: &TableRef) -> Option<Finding> {
        self.snapshot
            .table(self.schema_of(table), pg_name(&table.name))
            .is_none()
            .then(|| {
                Finding::unknown(format!(
                    "table {} not found: cannot tell whether the drop happened",
                    self.qualify(table)
                ))
            })
    }

    fn column_finding(&self, subject: &str, found: &Column, problems: Vec<String>) -> Finding {
        let rendered = render_column(found);
        if problems.is_empty() {
            Finding::new(
                CheckStatus::Present,
                format!(
                    "column exists: {}, {}{}",
                    found.data_type,
                    if found.nullable {
                        "nullable"
                    } else {
                        "not null"
                    },
                    found
                        .default
                        .as_ref()
                        .map(|d| format!(", default {d}"))
                        .unwrap_or_default()
                ),
                format!("found: {subject} ({rendered})"),
            )
        } else {
            Finding::new(
                CheckStatus::Differs,
                format!("column exists but {}", problems.join("; ")),
                format!("differs: {subject} ({rendered}; {})", problems.join("; ")),
            )
        }
    }

    fn check_create_table(
        &self,
        index: usize,
        table: &TableRef,
        columns: &[ColumnSpec],
        constraints: &[ConstraintSpec],
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let name = pg_name(&table.name);
        let subject = format!("table {}", display_table(table));
        if snap.table(schema, name).is_none() {
            return Finding::new(
                CheckStatus::Absent,
                format!("table {} not found", self.qualify(table)),
                format!("missing: {subject}"),
            );
        }
        let mut problems = Vec::new();
        for column in columns {
            let column_obj =
                Obj::Column(schema.to_string(), table.name.clone(), column.name.clone());
            if self.removed_later(index, &column_obj) {
                continue;
            }
            match snap.column(schema, name, pg_name(&column.name)) {
                None => problems.push(format!("column {} missing", column.name)),
                Some(found) => {
                    let overridden = self.later_alters(index, schema, &table.name, &column.name);
                    for p in column_problems(column, found, overridden) {
                        problems.push(format!("column {}: {p}", column.name));
                    }
                }
            }
        }
        for constraint in constraints {
            if constraint.kind == ConstraintKind::Check && constraint.name.is_none() {
                continue; // unnamed checks cannot be matched; the table check stands
            }
            if !self.constraint_found(schema, name, constraint) {
                problems.push(format!("{} missing", describe_constraint(constraint)));
            }
        }
        let found_desc = format!("table exists with {} expected columns", columns.len());
        differs_or_present(&subject, &found_desc, problems)
    }

    fn constraint_found(&self, schema: &str, table: &str, c: &ConstraintSpec) -> bool {
        match &c.name {
            Some(name) => self
                .snapshot
                .constraint(schema, table, pg_name(name))
                .is_some(),
            None => self
                .snapshot
                .constraints_of(schema, table)
                .any(|f| f.kind == c.kind.catalog_kind() && f.columns == c.columns),
        }
    }

    fn check_constraint(&self, table: &TableRef, c: &ConstraintSpec) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let tname = pg_name(&table.name);
        let subject = match &c.name {
            Some(name) => format!("{} {}.{name}", c.kind.label(), display_table(table)),
            None => format!(
                "unnamed {} on {} ({})",
                c.kind.label(),
                display_table(table),
                c.columns.join(", ")
            ),
        };
        if snap.table(schema, tname).is_none() {
            return Finding::new(
                CheckStatus::Absent,
                format!("table {} not found", self.qualify(table)),
                format!(
                    "missing: {subject} (table {} not found)",
                    display_table(table)
                ),
            );
        }
        match &c.name {
            Some(name) => match snap.constraint(schema, tname, pg_name(name)) {
                None => Finding::new(
                    CheckStatus::Absent,
                    format!("{subject} not found"),
                    format!("missing: {subject}"),
                ),
                Some(found) => {
                    let mut problems = Vec::new();
                    if found.kind != c.kind.catalog_kind() {
                        problems.push(format!("it is a {} constraint", found.kind));
                    }
                    if !c.columns.is_empty()
                        && !found.columns.is_empty()
                        && found.columns != c.columns
                    {
                        problems.push(format!(
                            "columns ({}), expected ({})",
                            found.columns.join(", "),
                            c.columns.join(", ")
                        ));
                    }
                    problems.extend(foreign_key_problems(c, found, self.default_schema));
                    differs_or_present(&subject, &found.definition, problems)
                }
            },
            None if c.kind == ConstraintKind::Check => {
                Finding::unknown("unnamed check constraint: cannot be matched by name".to_string())
            }
            None => {
                match snap
                    .constraints_of(schema, tname)
                    .find(|f| f.kind == c.kind.catalog_kind() && f.columns == c.columns)
                {
                    Some(found) => differs_or_present(
                        &format!("{subject} as {}", found.name),
                        &found.definition,
                        foreign_key_problems(c, found, self.default_schema),
                    ),
                    None => Finding::new(
                        CheckStatus::Absent,
                        format!("no {} on ({}) found", c.kind.label(), c.columns.join(", ")),
                        format!("missing: {subject}"),
                    ),
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_alter(
        &self,
        index: usize,
        table: &TableRef,
        column: &str,
        nullable: Option<bool>,
        type_: Option<&TypeChange>,
        new_name: Option<&str>,
        server_default: Option<&DefaultSpec>,
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let tname = pg_name(&table.name);
        let subject = format!("column {}.{column}", display_table(table));
        let mut missing = Vec::new();
        let mut unverifiable = Vec::new();
        let mut confirmed = Vec::new();
        let target_name = new_name.unwrap_or(column);
        let target = snap.column(schema, tname, pg_name(target_name));
        if let Some(new) = new_name {
            let old_exists = snap.column(schema, tname, pg_name(column)).is_some();
            match (old_exists, target.is_some()) {
                (false, true) => confirmed.push(format!("renamed to {new}")),
                (true, true) => missing.push(format!("both {column} and {new} exist")),
                (true, false) => missing.push(format!("not renamed to {new}")),
                (false, false) => missing.push(format!("neither {column} nor {new} found")),
            }
        }
        let Some(found) = target else {
            if new_name.is_none() {
                return Finding::new(
                    CheckStatus::Absent,
                    format!("{subject} not found"),
                    format!("missing: {subject}"),
                );
            }
            return Finding::new(
                CheckStatus::Absent,
                missing.join("; "),
                format!("missing: {subject} ({})", missing.join("; ")),
            );
        };
        let (later_nullable, later_type, later_default) =
            self.later_alters(index, schema, &table.name, target_name);
        if let Some(n) = nullable.filter(|_| !later_nullable) {
            if found.nullable == n {
                confirmed.push(if n { "nullable" } else { "not null" }.to_string());
            } else {
                missing.push(format!(
                    "is {}",
                    if found.nullable {
                        "nullable"
                    } else {
                        "not null"
                    }
                ));
            }
        }
        match type_.filter(|_| !later_type) {
            Some(TypeChange::Mapped(t)) if t.eq_ignore_ascii_case(&found.data_type) => {
                confirmed.push(format!("type {t}"))
            }
            Some(TypeChange::Mapped(t)) => {
                missing.push(format!("type is {}, expected {t}", found.data_type))
            }
            Some(TypeChange::Unmapped(t)) => unverifiable.push(format!("type {t}")),
            None => {}
        }
        match server_default.filter(|_| !later_default) {
            Some(DefaultSpec::Null) if found.default.is_none() => {
                confirmed.push("no default".to_string())
            }
            Some(DefaultSpec::Null) => missing.push(format!(
                "default is {}, expected none",
                found.default.as_deref().unwrap_or_default()
            )),
            Some(DefaultSpec::Sql(d)) => match &found.default {
                Some(actual) if defaults_match(actual, d, &found.data_type) => {
                    confirmed.push(format!("default {actual}"))
                }
                Some(actual) => missing.push(format!("default is {actual}, expected {d}")),
                None => missing.push(format!("no default, expected {d}")),
            },
            Some(DefaultSpec::Opaque(d)) => unverifiable.push(format!("default {d}")),
            None => {}
        }
        let rendered = render_column(found);
        if !missing.is_empty() {
            Finding::new(
                CheckStatus::Absent,
                format!("{}: {}", rendered, missing.join("; ")),
                format!("missing: alter {subject} ({})", missing.join("; ")),
            )
        } else if confirmed.is_empty() {
            Finding::unknown(format!(
                "cannot verify {} on {subject}",
                if unverifiable.is_empty() {
                    "a no-op alter".to_string()
                } else {
                    unverifiable.join(", ")
                }
            ))
        } else {
            Finding::new(
                CheckStatus::Present,
                format!("column is {rendered}"),
                format!("found: alter {subject} ({})", confirmed.join(", ")),
            )
        }
    }
}

/// Whether dropping/renaming table `gone` removes `obj` with it.
fn cascades(gone: &Obj, obj: &Obj) -> bool {
    match (gone, obj.table()) {
        (Obj::Table(s, t), Some((os, ot))) => !matches!(obj, Obj::Table(..)) && s == os && t == ot,
        _ => false,
    }
}

/// Differences between an expected column and the catalog's, skipping
/// attributes a later `alter_column` of the same upgrade changes.
fn column_problems(
    expected: &ColumnSpec,
    found: &Column,
    overridden: (bool, bool, bool),
) -> Vec<String> {
    let (later_nullable, later_type, later_default) = overridden;
    let mut problems = Vec::new();
    if let Some(t) = expected.data_type.as_ref().filter(|_| !later_type) {
        if !t.eq_ignore_ascii_case(&found.data_type) {
            problems.push(format!("type is {}, expected {t}", found.data_type));
        }
    }
    if let Some(DefaultSpec::Sql(d)) = expected.server_default.as_ref().filter(|_| !later_default) {
        match &found.default {
            Some(actual) if defaults_match(actual, d, &found.data_type) => {}
            Some(actual) => problems.push(format!("default is {actual}, expected {d}")),
            None => problems.push(format!("no default, expected {d}")),
        }
    }
    if !later_nullable && found.nullable != expected.nullable {
        problems.push(format!(
            "is {}, expected {}",
            if found.nullable {
                "nullable"
            } else {
                "not null"
            },
            if expected.nullable {
                "nullable"
            } else {
                "not null"
            }
        ));
    }
    problems
}

/// Referenced table and `ON DELETE` / `ON UPDATE` actions of a foreign key.
fn foreign_key_problems(
    expected: &ConstraintSpec,
    found: &crate::schema::Constraint,
    default_schema: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    if expected.kind != ConstraintKind::ForeignKey || found.kind != "foreign_key" {
        return problems;
    }
    if let (Some(want), Some(have)) = (&expected.references, &found.references) {
        let want = if want.contains('.') {
            want.clone()
        } else {
            format!("{default_schema}.{want}")
        };
        if want != *have {
            problems.push(format!("references {have}, expected {want}"));
        }
    }
    let definition = found.definition.to_uppercase();
    for (clause, action) in [
        ("ON DELETE", &expected.on_delete),
        ("ON UPDATE", &expected.on_update),
    ] {
        let Some(action) = action else { continue };
        // NO ACTION is the default and pg_get_constraintdef leaves it out.
        let ok = if action == "NO ACTION" {
            !definition.contains(clause)
        } else {
            definition.contains(&format!("{clause} {action}"))
        };
        if !ok {
            problems.push(format!("expected {clause} {action}"));
        }
    }
    problems
}

fn differs_or_present(subject: &str, found: &str, problems: Vec<String>) -> Finding {
    if problems.is_empty() {
        Finding::new(
            CheckStatus::Present,
            format!("exists: {found}"),
            format!("found: {subject}"),
        )
    } else {
        Finding::new(
            CheckStatus::Differs,
            format!("exists but {}", problems.join("; ")),
            format!("differs: {subject} ({})", problems.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests;
