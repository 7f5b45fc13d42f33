//! The expected schema (`--expected-snapshot`): a snapshot of a database
//! migrated to the codebase heads by real Alembic, compared with every
//! database read, so one database's hand-made changes are found without a
//! second database. Pure.

use super::Observed;
use crate::compare::{self, DiffOptions};
use crate::migrations::Codebase;
use crate::report::{Finding, SchemaDiffEntry, Severity};
use crate::schema::Snapshot;
use std::collections::BTreeSet;

/// The name the expected schema goes by in the diff (`environments[0]`).
pub const EXPECTED: &str = "expected";

/// What the snapshot's version table says, checked against the codebase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedHeads {
    /// Every revision applied in the database the snapshot was taken from.
    pub applied: BTreeSet<String>,
    /// A warning when its heads are not the codebase heads.
    pub stale: Option<Finding>,
}

/// The snapshot's revisions against the codebase: unknown ones are an input
/// error (another codebase, or a branch not checked out), other heads a
/// stale-snapshot warning.
pub fn heads(
    snapshot: &Snapshot,
    codebase: &Codebase,
    file: &str,
) -> Result<ExpectedHeads, String> {
    let Some(version_table) = snapshot
        .version_table
        .as_ref()
        .filter(|v| !v.revisions.is_empty())
    else {
        return Err(format!(
            "expected snapshot {file} records no Alembic revision (no version table rows): take it from a database migrated with `alembic upgrade heads`"
        ));
    };
    let mut revisions = Vec::new();
    let mut unknown = Vec::new();
    for stored in &version_table.revisions {
        match codebase
            .get(stored)
            .or_else(|| codebase.find_by_alias(stored))
        {
            Some(revision) => revisions.push(revision.revision.clone()),
            None => unknown.push(stored.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "expected snapshot {file} was taken at revision {} which this codebase does not have (heads {}): take it again from a database migrated to this codebase's heads",
            unknown.join(", "),
            codebase.heads.join(", ")
        ));
    }
    let starts: Vec<&str> = revisions.iter().map(String::as_str).collect();
    let applied = crate::migrations::graph::closure(codebase, &starts);
    let snapshot_heads: BTreeSet<&str> = revisions.iter().map(String::as_str).collect();
    let codebase_heads: BTreeSet<&str> = codebase.heads.iter().map(String::as_str).collect();
    let stale = (snapshot_heads != codebase_heads).then(|| Finding {
        code: "stale_expected_snapshot".into(),
        severity: Severity::Warning,
        message: format!(
            "expected snapshot {file} was taken at {}, not at the codebase heads {}: differences from later migrations are reported against an old schema",
            revisions.join(", "),
            codebase.heads.join(", ")
        ),
        suggestion: Some(
            "take the snapshot again after `alembic upgrade heads` (see the CI recipe in the README)"
                .into(),
        ),
        target: None,
    });
    Ok(ExpectedHeads { applied, stale })
}

/// Every database read, against the expected schema.
pub fn diff(
    expected: &Snapshot,
    observed: &[(String, Observed)],
    options: &DiffOptions,
) -> Vec<SchemaDiffEntry> {
    let mut entries = Vec::new();
    for (name, observed) in observed {
        let Some(snapshot) = observed.snapshot() else {
            continue;
        };
        let diff = crate::logging::timed("the diff against the expected schema", || {
            compare::diff(expected, snapshot, options)
        });
        entries.extend(
            diff.entries
                .into_iter()
                .map(|e| SchemaDiffEntry::new(e, Some([EXPECTED.to_string(), name.clone()]))),
        );
    }
    entries
}
