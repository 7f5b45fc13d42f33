//! Evidence for pending migrations: does the database already look as if a
//! migration's `upgrade()` had run? (RIS-052: a migration applied by hand, the
//! version table never stamped.)
//!
//! Two pure steps: [`extract_upgrade_effects`] reads the migration source
//! statically, [`assess`] checks each effect against a schema [`Snapshot`].

mod assess;
pub mod extract;
mod model;
pub mod sql;

pub use assess::{assess, describe_effect, rests_on_absences_only, NO_SCHEMA_CHANGES};
pub use extract::extract_upgrade_effects;
pub use model::*;

use crate::schema::Snapshot;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How strongly the snapshot says a pending migration was already applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Every effect is present and nothing is unknown: applied by hand; `alembic stamp` fixes it.
    Applied,
    /// Some effects present, some absent or different.
    Partial,
    /// No effect present.
    NotApplied,
    /// Nothing verifiable, or everything verifiable present but some effects unknown.
    Unknown,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Applied => "applied",
            Evidence::Partial => "partial",
            Evidence::NotApplied => "not_applied",
            Evidence::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The database already looks as if this effect happened.
    Present,
    /// It does not.
    Absent,
    /// The object exists but not as the effect would leave it (e.g. another type).
    Differs,
    /// Cannot be verified statically.
    Unknown,
}

/// The verdict on one effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectCheck {
    /// e.g. "add column users.email_bounced boolean NOT NULL".
    pub description: String,
    /// 1-based line in the migration file.
    pub line: u32,
    pub status: CheckStatus,
    /// What was found, e.g. "column exists: boolean, not null, default false".
    pub detail: String,
    /// Line of a later effect of the same upgrade that undoes this one (the
    /// later effect decides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<u32>,
    /// Whether this check counts towards the verdict: not when superseded, nor
    /// when it re-creates an object the same upgrade dropped earlier (its
    /// presence proves nothing).
    pub counts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub evidence: Evidence,
    pub checks: Vec<EffectCheck>,
    /// Human lines for JSON `pending[].details`, e.g.
    /// "found: column users.email_bounced (boolean not null default false)".
    pub details: Vec<String>,
}

/// Every migration's `upgrade()` effects, in upgrade order, each read from
/// its file, or why the file could not be read.
pub fn extract_all(
    codebase: &crate::migrations::Codebase,
) -> Vec<(&crate::migrations::Revision, std::io::Result<Extraction>)> {
    codebase
        .upgrade_order()
        .into_iter()
        .map(|revision| {
            let read = std::fs::read_to_string(&revision.file)
                .map(|source| extract_upgrade_effects(&source));
            (revision, read)
        })
        .collect()
}

/// Read a migration file, extract its `upgrade()` effects and assess them.
pub fn assess_file(
    path: &Path,
    snapshot: &Snapshot,
    default_schema: &str,
) -> std::io::Result<Assessment> {
    // Callers name the file in their message (`cannot read FILE: error`).
    let source = std::fs::read_to_string(path)?;
    Ok(assess(
        &extract_upgrade_effects(&source),
        snapshot,
        default_schema,
    ))
}
