//! Constraints and indexes as comparable items, and the pairing of those
//! whose names PostgreSQL generated (or someone chose) differently.

use std::collections::HashMap;

use super::item::Item;
use super::{normalize, Change, Kind, Pending};
use crate::schema::Snapshot;

/// Constraints and the indexes no constraint implements.
pub(super) fn push(snapshot: &Snapshot, items: &mut Vec<Item>) {
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
}

/// Pair a constraint or index found on one side only with one on the other
/// side that has the same table and definition. When both names are ones
/// PostgreSQL generates when a migration gave none (`users_email_key`,
/// `users_email_key1`), only the generator differed: not drift. When either
/// name was chosen, it is a rename, and one finding: migrations address
/// constraints and indexes by name (`op.drop_constraint("uq_users_email")`).
pub(super) fn pair_generated_names(pending: &mut Vec<Pending>) {
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
        let production = pending[j].production.take();
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
/// unnamed one (see [`generated_name`]).
fn is_generated_name(item: &Item) -> bool {
    let name = item.object.rsplit('.').next().unwrap_or(&item.object);
    let table = item
        .table
        .as_deref()
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("");
    generated_name(name, table)
}

/// Whether `name` has the shape PostgreSQL gives an unnamed constraint or
/// index of `owner` (a table, or a domain): `<owner>_…_{pkey,key,fkey,check,
/// excl,idx}`, maybe with a digit suffix after a collision.
pub(super) fn generated_name(name: &str, owner: &str) -> bool {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    // The generator truncates long names; the first 20 bytes (whole characters) must match.
    let mut end = owner.len().min(20);
    while !owner.is_char_boundary(end) {
        end -= 1;
    }
    name.starts_with(&owner[..end])
        && ["_pkey", "_key", "_fkey", "_check", "_excl", "_idx"]
            .iter()
            .any(|suffix| base.ends_with(suffix))
}
