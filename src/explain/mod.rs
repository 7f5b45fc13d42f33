//! Explaining schema differences: for each one, the migration that would fix
//! it and on which side (`pending`), or that it was made outside migrations
//! (`not_in_migrations`, `dropped_outside_migrations`,
//! `changed_outside_migrations`), or that an unreadable operation may explain
//! it (`unverifiable`).
//!
//! The codebase's [`History`] of every object (built from the statically read
//! `upgrade()` of every migration) is replayed over each side's applied
//! revisions: what each side should have, against what it has. Pure, except
//! [`load_history`], which reads the migration files.

mod history;
pub mod raw_sql;
#[cfg(test)]
mod tests;

pub use history::{created_implicitly, Action, ColumnDefinition, History, Opaque, Touch};

use crate::migrations::Codebase;
use crate::report::{
    Explanation, ExplanationCode, RevisionRef, SchemaDiffEntry, TargetReport, TargetState,
};
use std::collections::{BTreeMap, BTreeSet};

/// Every migration's effects, in upgrade order, read from its file. A file
/// that cannot be read counts as an opaque operation (it may do anything).
pub fn load_history(codebase: &Codebase, default_schema: &str) -> History {
    let extractions: Vec<_> = crate::evidence::extract_all(codebase)
        .into_iter()
        .map(|(revision, read)| {
            let extraction = read.unwrap_or_else(|error| crate::evidence::Extraction {
                effects: vec![crate::evidence::Effect {
                    line: 1,
                    kind: crate::evidence::EffectKind::Unknown {
                        text: format!("(unreadable: {error})"),
                        sql: None,
                        reason: None,
                    },
                }],
                has_upgrade: false,
                syntax_error: None,
            });
            (revision, extraction)
        })
        .collect();
    let pairs: Vec<_> = extractions.iter().map(|(r, e)| (*r, e)).collect();
    History::build(&pairs, default_schema)
}

/// One side of a comparison: its name and the revisions applied there
/// (`None` when its version table does not say: unknown or unreadable).
#[derive(Debug, Clone)]
pub struct Side {
    pub name: String,
    pub applied: Option<BTreeSet<String>>,
}

impl Side {
    /// The revisions a target has applied: every codebase revision but the
    /// ones `alembic upgrade heads` would still run there.
    pub fn of(name: &str, target: Option<&TargetReport>, codebase: &Codebase) -> Side {
        let applied = target.and_then(|t| match t.state {
            TargetState::AtHead
            | TargetState::Behind
            | TargetState::Renamed
            | TargetState::Diverged
            | TargetState::Uninitialized => {
                let pending: BTreeSet<&str> =
                    t.pending.iter().map(|p| p.revision.as_str()).collect();
                Some(
                    codebase
                        .revisions
                        .iter()
                        .filter(|r| !pending.contains(r.revision.as_str()))
                        .map(|r| r.revision.clone())
                        .collect(),
                )
            }
            _ => None,
        });
        Side {
            name: name.to_string(),
            applied,
        }
    }

    fn has(&self, revision: &str) -> bool {
        self.applied.as_ref().is_some_and(|a| a.contains(revision))
    }
}

/// Fill in `explanation` on every schema difference, from the targets'
/// applied revisions (`targets`: the report's, by name).
/// `known`: sides that are no target, with their applied revisions (the
/// expected schema).
pub fn explain_entries(
    entries: &mut [SchemaDiffEntry],
    targets: &BTreeMap<String, TargetReport>,
    known: &BTreeMap<String, BTreeSet<String>>,
    codebase: &Codebase,
    history: &History,
) {
    let pair = |entry: &SchemaDiffEntry| match &entry.environments {
        Some([a, b]) => [a.clone(), b.clone()],
        None => ["local".to_string(), "production".to_string()],
    };
    // Each side's applied revisions, once per name (not once per difference).
    let mut sides: BTreeMap<String, Side> = BTreeMap::new();
    for name in entries.iter().flat_map(pair) {
        if let std::collections::btree_map::Entry::Vacant(slot) = sides.entry(name) {
            let name = slot.key();
            let side = match known.get(name) {
                Some(applied) => Side {
                    name: name.clone(),
                    applied: Some(applied.clone()),
                },
                None => Side::of(name, targets.get(name), codebase),
            };
            slot.insert(side);
        }
    }
    for entry in entries {
        let [left, right] = pair(entry);
        entry.explanation = Some(explain(entry, history, &sides[&left], &sides[&right]));
    }
}

/// Whether the object should exist after a side's applied revisions.
fn expected(touches: &[&Touch], side: &Side) -> bool {
    let mut present = false;
    for touch in touches.iter().filter(|t| side.has(&t.revision)) {
        match touch.action {
            Action::Create => present = true,
            Action::Drop => present = false,
            Action::Alter => {}
        }
    }
    present
}

fn reference(touch: &Touch) -> RevisionRef {
    RevisionRef {
        revision: touch.revision.clone(),
        file: touch.file.clone(),
        line: Some(touch.line),
    }
}

fn at(touch: &Touch) -> String {
    format!("`{}` ({}:{})", touch.revision, touch.file, touch.line)
}

/// Why one difference exists.
pub fn explain(
    entry: &SchemaDiffEntry,
    history: &History,
    left: &Side,
    right: &Side,
) -> Explanation {
    let object = &entry.object;
    let kind = entry.kind;
    // An enum the history names (created by raw SQL, a `create_table` column
    // or `.create(bind)`) is followed like any object.
    if created_implicitly(kind) && history.touches(kind, object).is_empty() {
        return Explanation {
            code: ExplanationCode::Unverifiable,
            side: None,
            revisions: Vec::new(),
            message: format!(
                "a migration may create {kind} `{object}` without naming it (a `sa.Enum` column, a serial key), which driftcheck does not follow yet: compare it with the migrations by hand"
            ),
            suggestion: None,
        };
    }
    if let Some(explanation) = unfollowed(entry, history) {
        return explanation;
    }
    for side in [left, right] {
        if side.applied.is_none() {
            return Explanation {
                code: ExplanationCode::Unverifiable,
                side: None,
                revisions: Vec::new(),
                message: format!(
                    "{}'s version table does not say which migrations it has applied",
                    side.name
                ),
                suggestion: None,
            };
        }
    }
    let touches = history.touches(kind, object);
    let on_one_side: Vec<&Touch> = touches
        .iter()
        .copied()
        .filter(|t| left.has(&t.revision) != right.has(&t.revision))
        .collect();
    let present = [entry.local.is_some(), entry.production.is_some()];
    let expect = [expected(&touches, left), expected(&touches, right)];
    let sides = [left, right];

    // Pending: the migrations applied on one side only account for it.
    let pending_side = |relevant: &[&Touch]| -> Option<usize> {
        let lacking: BTreeSet<usize> = relevant
            .iter()
            .map(|t| if left.has(&t.revision) { 1 } else { 0 })
            .collect();
        (lacking.len() == 1).then(|| *lacking.iter().next().unwrap())
    };
    let accounted = match entry.change {
        crate::compare::Change::Differs => !on_one_side.is_empty(),
        _ => expect == present && expect[0] != expect[1],
    };
    if accounted {
        if let Some(lacking) = pending_side(&on_one_side) {
            let side = sides[lacking];
            let last = on_one_side.last().expect("on one side");
            let revisions: Vec<String> = on_one_side.iter().map(|t| at(t)).collect();
            let verb = match entry.change {
                crate::compare::Change::Differs => "change",
                _ if present[lacking] => "drop",
                _ => "create",
            };
            let mut message = format!(
                "`alembic upgrade` on {} would {verb} `{object}`: {} {} applied on {} only",
                side.name,
                revisions.join(", "),
                if on_one_side.len() == 1 { "is" } else { "are" },
                sides[1 - lacking].name
            );
            if let Some((note, _)) = definition_note(entry, &on_one_side, sides) {
                message.push_str(&format!("; {note}"));
            }
            return Explanation {
                code: ExplanationCode::Pending,
                side: Some(side.name.clone()),
                revisions: on_one_side.iter().map(|t| reference(t)).collect(),
                message,
                suggestion: Some(format!("alembic upgrade {}", last.revision)),
            };
        }
    }

    // Outside migrations, unless an unreadable operation applied on either
    // side may have done it.
    let names = entry_names(entry);
    let opaque: Vec<&Opaque> = history
        .opaque
        .iter()
        .filter(|o| left.has(&o.revision) || right.has(&o.revision))
        .filter(|o| {
            o.objects
                .as_ref()
                .is_none_or(|objects| !objects.is_disjoint(&names))
        })
        .collect();
    if !opaque.is_empty() {
        let places: Vec<String> = opaque
            .iter()
            .take(3)
            .map(|o| format!("`{}` ({}:{})", o.revision, o.file, o.line))
            .collect();
        return Explanation {
            code: ExplanationCode::Unverifiable,
            side: None,
            revisions: opaque
                .iter()
                .map(|o| RevisionRef {
                    revision: o.revision.clone(),
                    file: o.file.clone(),
                    line: Some(o.line),
                })
                .collect(),
            message: format!(
                "an operation driftcheck cannot read may explain `{object}`: {}{}",
                places.join(", "),
                if opaque.len() > 3 {
                    format!(" and {} more", opaque.len() - 3)
                } else {
                    String::new()
                }
            ),
            suggestion: None,
        };
    }

    let revisions: Vec<RevisionRef> = touches.iter().map(|t| reference(t)).collect();
    match entry.change {
        crate::compare::Change::Differs => {
            let defining: Vec<String> = touches.iter().map(|t| at(t)).collect();
            let note = definition_note(entry, &touches, sides);
            let side = note.as_ref().and_then(|(_, deviating)| *deviating);
            let mut message = if defining.is_empty() {
                format!(
                    "`{object}` differs and no migration defines it: changed outside migrations"
                )
            } else {
                format!(
                    "both sides are past {}, which define `{object}`, yet it differs: changed outside migrations",
                    defining.join(", ")
                )
            };
            if let Some((note, _)) = &note {
                message.push_str(&format!("; {note}"));
            }
            Explanation {
                code: ExplanationCode::ChangedOutsideMigrations,
                side: side.map(|i| sides[i].name.clone()),
                revisions,
                suggestion: Some(match side {
                    Some(i) => format!(
                        "restore `{object}` on {} as the migrations define it, or write a migration for the change",
                        sides[i].name
                    ),
                    None => format!(
                        "decide which definition of `{object}` is right and write a migration for it"
                    ),
                }),
                message,
            }
        }
        _ => {
            let (has, lacks) = if present[0] { (0, 1) } else { (1, 0) };
            if expect[has] && expect[lacks] {
                let created: Vec<String> = touches
                    .iter()
                    .filter(|t| t.action == Action::Create)
                    .map(|t| at(t))
                    .collect();
                Explanation {
                    code: ExplanationCode::DroppedOutsideMigrations,
                    side: Some(sides[lacks].name.clone()),
                    revisions,
                    message: format!(
                        "{} creates `{object}` and no migration drops it, yet {} lacks it: dropped outside migrations",
                        created.join(", "),
                        sides[lacks].name
                    ),
                    suggestion: Some(format!(
                        "restore `{object}` on {}, or write a migration that drops it",
                        sides[lacks].name
                    )),
                }
            } else if !expect[has] && !expect[lacks] {
                let dropped: Vec<String> = touches
                    .iter()
                    .filter(|t| t.action == Action::Drop)
                    .map(|t| at(t))
                    .collect();
                Explanation {
                    code: ExplanationCode::NotInMigrations,
                    side: Some(sides[has].name.clone()),
                    revisions,
                    message: if dropped.is_empty() {
                        format!(
                            "no migration creates `{object}`, yet {} has it: made outside migrations",
                            sides[has].name
                        )
                    } else {
                        format!(
                            "{} drops `{object}`, yet {} has it: made outside migrations",
                            dropped.join(", "),
                            sides[has].name
                        )
                    },
                    suggestion: Some(format!(
                        "write a migration that creates `{object}`, or drop it on {}",
                        sides[has].name
                    )),
                }
            } else {
                // Each side has what the other should have.
                Explanation {
                    code: ExplanationCode::NotInMigrations,
                    side: None,
                    revisions,
                    message: format!(
                        "neither side has `{object}` as its migrations say: {} has it, {} lacks it",
                        sides[has].name, sides[lacks].name
                    ),
                    suggestion: None,
                }
            }
        }
    }
}

/// A difference in what a migration may set without driftcheck reading it
/// (`create_table` keyword arguments, `comment=`, the version `CREATE
/// EXTENSION` picks): `unverifiable` when a migration defines the object.
fn unfollowed(entry: &SchemaDiffEntry, history: &History) -> Option<Explanation> {
    use crate::compare::{Change, Kind};
    let object = &entry.object;
    let unverifiable = |message: String, revisions: Vec<RevisionRef>| Explanation {
        code: ExplanationCode::Unverifiable,
        side: None,
        revisions,
        message,
        suggestion: None,
    };
    if entry.kind == Kind::ExtensionVersion {
        return Some(unverifiable(
            format!("`CREATE EXTENSION` installs the version of `{object}` the server's packages hold unless it names one, and migrations do not record it: compare the versions by hand"),
            Vec::new(),
        ));
    }
    let (Change::Differs, Some(l), Some(p)) = (entry.change, &entry.local, &entry.production)
    else {
        return None;
    };
    let without_comment = |s: &str| s.find(", comment '").map_or(s.len(), |i| i);
    let inherits = |s: &str| {
        let start = s.find(", inherits ")?;
        let rest = &s[start + 2..];
        let end = [
            ", row level",
            ", replica identity",
            ", owner ",
            ", grants ",
            ", comment '",
        ]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
        Some(rest[..end].to_string())
    };
    let what = if entry.kind == Kind::StorageParameters {
        "storage parameters (`postgresql_with`)"
    } else if l[..without_comment(l)] == p[..without_comment(p)] {
        "comments (`comment=`, `op.create_table_comment`)"
    } else if entry.kind == Kind::Table
        && (l.starts_with("unlogged ") != p.starts_with("unlogged ") || inherits(l) != inherits(p))
    {
        "persistence and inheritance (`prefixes=[\"UNLOGGED\"]`, `postgresql_inherits`)"
    } else {
        return None;
    };
    let owner = if entry.kind == Kind::StorageParameters {
        Kind::Table
    } else {
        entry.kind
    };
    let touches = history.touches(owner, object);
    let defining: Vec<&&Touch> = touches
        .iter()
        .filter(|t| t.action != Action::Drop)
        .collect();
    let first = defining.first()?;
    Some(unverifiable(
        format!(
            "{} defines `{object}`, and a migration may set its {what}, which driftcheck does not read: compare them by hand",
            at(first)
        ),
        defining.iter().map(|t| reference(t)).collect(),
    ))
}

/// The unqualified names raw SQL would use for the entry's object and its
/// table: `orders` and `status` for `public.orders.status`; an index's
/// table from its definition (`CREATE INDEX ix ON public.orders …`).
fn entry_names(entry: &SchemaDiffEntry) -> BTreeSet<String> {
    use crate::compare::Kind;
    let parts: Vec<&str> = entry.object.split('.').collect();
    let mut names = BTreeSet::new();
    names.extend(parts.last().map(|s| s.to_string()));
    let on_a_table = matches!(
        entry.kind,
        Kind::Column | Kind::Constraint | Kind::Trigger | Kind::Rule | Kind::Policy
    );
    if on_a_table && parts.len() >= 3 {
        names.insert(parts[parts.len() - 2].to_string());
    }
    if entry.kind == Kind::Index {
        for definition in [&entry.local, &entry.production].into_iter().flatten() {
            if let Some((_, rest)) = definition.split_once(" ON ") {
                let rest = rest.trim_start_matches("ONLY ");
                let table = rest.split_whitespace().next().unwrap_or_default();
                let table = table.rsplit('.').next().unwrap_or_default();
                names.insert(table.trim_matches('"').to_string());
            }
        }
    }
    names
}

/// Where the last migration touching a column states its type or
/// nullability: which side matches it (and the index of the one that does
/// not, when exactly one does not).
fn definition_note(
    entry: &SchemaDiffEntry,
    touches: &[&Touch],
    sides: [&Side; 2],
) -> Option<(String, Option<usize>)> {
    let touch = touches.iter().rev().find(|t| t.definition.is_some())?;
    let definition = touch.definition.as_ref()?;
    let data_type = definition.data_type.as_deref()?;
    let matches = |display: Option<&str>| {
        display.is_some_and(|d| d == data_type || d.starts_with(&format!("{data_type} ")))
    };
    let matching = [
        matches(entry.local.as_deref()),
        matches(entry.production.as_deref()),
    ];
    let stated = format!("migration `{}` states {data_type}", touch.revision);
    match matching {
        [true, false] => Some((format!("{stated}, which {} has", sides[0].name), Some(1))),
        [false, true] => Some((format!("{stated}, which {} has", sides[1].name), Some(0))),
        [false, false] => Some((format!("{stated}, which neither side has"), None)),
        [true, true] => None,
    }
}
