//! One schema object of one snapshot as a comparable item: a qualified name,
//! a normal form (what is compared) and a one-line definition (what is shown).
//! Each kind family builds its items in its own module.

use std::collections::HashMap;

use super::{constraints, definitions, tables, types, DiffOptions, Kind};
use crate::schema::{Comment, Snapshot};

/// One object of one snapshot, ready to compare.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) kind: Kind,
    pub(super) object: String,
    pub(super) schema: String,
    /// Enclosing table (`schema.table`): the owner of a column, constraint,
    /// index, trigger, policy or owned sequence; the parent of a partition.
    pub(super) table: Option<String>,
    /// Normal form; equal normal forms mean "no drift".
    pub(super) compare: String,
    /// Compared only when both sides have it (function bodies the connecting
    /// role may not be allowed to read).
    pub(super) detail: Option<String>,
    pub(super) display: String,
    /// Display when the object exists on this side only (tables list their columns).
    pub(super) display_alone: Option<String>,
    /// Name-free identity for pairing generated names (constraints, indexes).
    pub(super) rename_key: Option<String>,
    pub(super) partition: bool,
}

impl Item {
    pub(super) fn new(
        kind: Kind,
        object: String,
        schema: &str,
        compare: String,
        display: String,
    ) -> Item {
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

    pub(super) fn same_as(&self, other: &Item) -> bool {
        self.compare == other.compare
            && match (&self.detail, &other.detail) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

pub(super) fn owner_and_grants(
    options: &DiffOptions,
    owner: &Option<String>,
    acl: &Option<String>,
) -> String {
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

pub(super) fn comment_text(
    options: &DiffOptions,
    comment: &Option<impl std::fmt::Display>,
) -> String {
    match comment {
        Some(comment) if options.include_comments => format!(", comment '{comment}'"),
        _ => String::new(),
    }
}

/// The kind families, each built by its own module: the diff builds, pairs
/// and drops one family at a time, so only one family's items are alive.
pub(super) const FAMILIES: usize = 4;

/// One family of a snapshot's objects as comparable items: the objects of
/// `snapshot` (the rows that differ), with `whole`, the snapshot they come
/// from, for what a table on one side only shows (all its columns).
pub(super) fn family_items(
    snapshot: &Snapshot,
    whole: &Snapshot,
    options: &DiffOptions,
    family: usize,
) -> Vec<Item> {
    // Sized up front: growing a vector of items moves every item again.
    let s = snapshot;
    let mut items = Vec::with_capacity(match family {
        0 => {
            s.schemas.len()
                + 2 * s.extensions.len()
                + s.enums.len()
                + s.domains.len()
                + s.types.len()
                + s.sequences.len()
        }
        1 => 2 * s.tables.len() + s.columns.len(),
        2 => s.constraints.len() + s.indexes.len(),
        _ => {
            s.views.len()
                + s.functions.len()
                + s.triggers.len()
                + s.rules.len()
                + s.event_triggers.len()
                + s.policies.len()
        }
    });
    match family {
        0 => types::push(snapshot, options, &mut items),
        1 => tables::push(snapshot, &whole.columns, options, &mut items),
        2 => constraints::push(snapshot, &mut items),
        _ => definitions::push(snapshot, options, &mut items),
    }
    if options.include_comments {
        add_comments(snapshot, options, &mut items);
    }
    items
}

/// With `include_comments`: the `COMMENT ON` text of every object other than
/// tables and columns (which carry theirs) joins its normal form.
fn add_comments(snapshot: &Snapshot, options: &DiffOptions, items: &mut [Item]) {
    let comments: HashMap<(&str, &str), &Comment> = snapshot
        .comments
        .iter()
        .map(|c| ((c.kind.as_str(), c.object.as_str()), c))
        .collect();
    for item in items {
        if matches!(item.kind, Kind::Table | Kind::Column) || item.kind.property_of().is_some() {
            continue;
        }
        let Some(comment) = comments.get(&(item.kind.as_str(), item.object.as_str())) else {
            continue;
        };
        let text = comment_text(options, &Some(comment.text.clone()));
        item.compare.push_str(&text);
        item.display.push_str(&text);
        if let Some(alone) = &mut item.display_alone {
            alone.push_str(&text);
        }
    }
}
