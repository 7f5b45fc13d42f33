//! The codebase side: discover Alembic version directories, parse migration
//! files statically (never importing them) and build the revision graph.
//!
//! OWNER: migrations helper (issue 3). The public API below is what the rest of
//! the crate calls; keep these names and signatures.

use serde::Serialize;
use std::path::PathBuf;

/// How to find the migration directories.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// `--migrations DIR` (repeatable). When non-empty, alembic.ini is not consulted.
    pub migration_dirs: Vec<PathBuf>,
    /// `--alembic-ini FILE`.
    pub alembic_ini: Option<PathBuf>,
    /// Where to start looking for alembic.ini (current directory by default).
    pub start_dir: Option<PathBuf>,
}

/// One migration file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    pub file: PathBuf,
    /// Other ids this file carries (file name, `Revision ID:` header).
    pub aliases: Vec<String>,
    /// `Create Date:` docstring header, verbatim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// First docstring line (the migration message), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// Stable code: multiple_heads, cycle, missing_parent, duplicate_revision,
    /// unresolved_value, syntax_error, filename_mismatch.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The parsed codebase: every revision and the graph facts derived from them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Codebase {
    pub migration_dirs: Vec<PathBuf>,
    /// What `alembic upgrade heads` targets.
    pub heads: Vec<String>,
    /// What plain `alembic heads` lists.
    pub branch_heads: Vec<String>,
    pub bases: Vec<String>,
    pub revisions: Vec<Revision>,
    pub problems: Vec<Problem>,
}
