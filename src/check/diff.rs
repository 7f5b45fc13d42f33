//! The schema diff of a check: local against production, or each named
//! environment against the reference (the first database that was read).

use super::Observed;
use crate::compare::{self, DiffOptions};
use crate::report::SchemaDiffEntry;
use std::collections::BTreeMap;

/// The diff entries, the per-kind counts of ignored differences and the
/// partitions folded into their parents (sorted).
pub type SchemaDiff = (Vec<SchemaDiffEntry>, BTreeMap<String, usize>, Vec<String>);

/// Local (first) against production (second), when both were read.
pub fn local_production(observed: &[(String, Observed)], options: &DiffOptions) -> SchemaDiff {
    match (
        observed.first().and_then(|(_, o)| o.snapshot()),
        observed.get(1).and_then(|(_, o)| o.snapshot()),
    ) {
        (Some(local), Some(production)) => {
            let diff = crate::logging::timed("the schema diff", || {
                compare::diff(local, production, options)
            });
            (
                diff_entries(diff.entries, None),
                diff.ignored,
                diff.folded_partitions,
            )
        }
        _ => Default::default(),
    }
}

/// Named environments: each one's schema against the reference, the first
/// database that was read (local when configured, else the first environment).
pub fn environments(observed: &[(String, Observed)], options: &DiffOptions) -> SchemaDiff {
    let mut entries = Vec::new();
    let mut ignored = BTreeMap::new();
    let mut folded = std::collections::BTreeSet::new();
    let mut read = observed
        .iter()
        .filter_map(|(name, o)| o.snapshot().map(|s| (name, s)));
    let Some((reference_name, reference)) = read.next() else {
        return (entries, ignored, Vec::new());
    };
    for (name, snapshot) in read {
        let diff = crate::logging::timed("a schema diff", || {
            compare::diff(reference, snapshot, options)
        });
        entries.extend(diff_entries(
            diff.entries,
            Some([reference_name.clone(), name.clone()]),
        ));
        for (kind, count) in diff.ignored {
            *ignored.entry(kind).or_insert(0) += count;
        }
        folded.extend(diff.folded_partitions);
    }
    (entries, ignored, folded.into_iter().collect())
}

fn diff_entries(
    entries: Vec<compare::DiffEntry>,
    pair: Option<[String; 2]>,
) -> Vec<SchemaDiffEntry> {
    entries
        .into_iter()
        .map(|e| SchemaDiffEntry::new(e, pair.clone()))
        .collect()
}
