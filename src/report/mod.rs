//! The result of a check as plain data: what every renderer (terminal, markdown,
//! JSON, RIS draft) reads. Its JSON form is the design contract's `--format json`
//! object: fields may be added, never renamed.

use crate::compare::{Change, Kind};
use crate::evidence::Evidence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckReport {
    pub driftcheck_version: String,
    pub status: Status,
    pub codebase: CodebaseSummary,
    /// `local`, `production` (and named environments later).
    pub targets: BTreeMap<String, TargetReport>,
    pub schema_diff: Vec<SchemaDiffEntry>,
    /// Differences left out by ignore rules or normalisation, counted by kind.
    #[serde(default)]
    pub schema_diff_ignored: BTreeMap<String, usize>,
    /// The partitions whose differences were folded into their partitioned
    /// parent (and counted in `schema_diff_ignored`), by name.
    #[serde(default)]
    pub schema_diff_folded_partitions: Vec<String>,
    pub findings: Vec<Finding>,
    pub report_path: Option<String>,
    pub ris_path: Option<String>,
    /// RFC 3339 time the check ran.
    pub checked_at: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Clean,
    Drift,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CodebaseSummary {
    pub migration_dirs: Vec<String>,
    pub heads: Vec<String>,
    /// What plain `alembic heads` lists (heads ignoring `depends_on`).
    #[serde(default)]
    pub branch_heads: Vec<String>,
    /// Revision count.
    pub revisions: usize,
    pub problems: Vec<CodebaseProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CodebaseProblem {
    pub code: String,
    /// `error | warning`.
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    AtHead,
    Behind,
    Renamed,
    Diverged,
    Uninitialized,
    UnknownRevision,
    Unreachable,
    Skipped,
}

impl TargetState {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::AtHead => "at_head",
            TargetState::Behind => "behind",
            TargetState::Renamed => "renamed",
            TargetState::Diverged => "diverged",
            TargetState::Uninitialized => "uninitialized",
            TargetState::UnknownRevision => "unknown_revision",
            TargetState::Unreachable => "unreachable",
            TargetState::Skipped => "skipped",
        }
    }

    /// Whether this state, by itself, is drift (exit 1).
    pub fn is_drift(self) -> bool {
        !matches!(
            self,
            TargetState::AtHead | TargetState::Skipped | TargetState::Unreachable
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetReport {
    pub state: TargetState,
    /// Rows of the version table, as found.
    pub current: Vec<String>,
    /// Migrations `alembic upgrade heads` would run, in upgrade order.
    pub pending: Vec<PendingMigration>,
    pub message: String,
    /// Database identity without secrets, e.g. `database "app" on /tmp/x:5432 as user "dev"`.
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub server_version: Option<String>,
    /// Qualified version table that was read.
    #[serde(default)]
    pub version_table: Option<String>,
    /// Machine-readable reason when unreachable or skipped (e.g. `secret_not_found`).
    #[serde(default)]
    pub reason: Option<String>,
    /// Database revisions recognised as old ids of codebase revisions.
    #[serde(default)]
    pub renamed: Vec<RenamedRevision>,
    /// Database revisions the codebase does not know at all.
    #[serde(default)]
    pub unknown: Vec<UnknownRevision>,
}

impl TargetReport {
    /// A target that was not examined (skipped or unreachable).
    pub fn not_examined(state: TargetState, reason: &str, message: impl Into<String>) -> Self {
        TargetReport {
            state,
            current: Vec::new(),
            pending: Vec::new(),
            message: message.into(),
            database: None,
            server_version: None,
            version_table: None,
            reason: Some(reason.to_string()),
            renamed: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RenamedRevision {
    /// The id stored in the database.
    pub stored: String,
    /// The codebase revision that carries it as an alias.
    pub revision: String,
    pub file: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnknownRevision {
    pub stored: String,
    /// Known revisions whose id starts with, or carries, the stored id.
    pub nearest: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingMigration {
    pub revision: String,
    pub file: String,
    /// `applied | partial | not_applied | unknown`.
    pub evidence: Evidence,
    pub details: Vec<String>,
    /// `Create Date:` header of the migration file.
    #[serde(default)]
    pub create_date: Option<String>,
    /// The migration's message (first docstring line).
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SchemaDiffEntry {
    pub kind: Kind,
    pub object: String,
    /// `only_local | only_production | differs`.
    pub change: Change,
    pub local: Option<String>,
    pub production: Option<String>,
    /// With named environments (`--env`): the pair compared, reference first.
    /// `local` then holds the reference's definition and `production` the
    /// other environment's (`only_local` = only in the reference). Absent for
    /// the plain local/production comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<[String; 2]>,
    /// Which migration explains the difference, on which side, or that it was
    /// made outside migrations (see [`crate::explain`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    /// `warning` for a difference that is not drift by itself (storage
    /// parameters); absent for the others, which are drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// How a schema difference counts: in the report's groups, the findings and
/// the gate. Ordered as the report shows the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffCause<'a> {
    /// What migrations pending on this side would do.
    Pending(&'a str),
    /// Made outside migrations (by hand, or by another tool).
    Outside,
    /// An unreadable operation or an implicit object kind may explain it.
    Unverifiable,
    /// No explanation (the migrations were not read).
    Unexplained,
}

impl SchemaDiffEntry {
    /// A difference of a compared pair (`None`: local/production), not yet explained.
    pub fn new(entry: crate::compare::DiffEntry, environments: Option<[String; 2]>) -> Self {
        SchemaDiffEntry {
            severity: entry.kind.is_warning().then_some(Severity::Warning),
            kind: entry.kind,
            object: entry.object,
            change: entry.change,
            local: entry.local,
            production: entry.production,
            environments,
            explanation: None,
        }
    }

    /// Whether this difference is drift (an error) rather than a warning.
    pub fn is_drift(&self) -> bool {
        self.severity.is_none_or(|s| s == Severity::Error)
    }

    pub fn cause(&self) -> DiffCause<'_> {
        match &self.explanation {
            Some(Explanation {
                code: ExplanationCode::Pending,
                side: Some(side),
                ..
            }) => DiffCause::Pending(side),
            Some(e) if e.code.is_outside_migrations() => DiffCause::Outside,
            Some(e) if e.code == ExplanationCode::Unverifiable => DiffCause::Unverifiable,
            _ => DiffCause::Unexplained,
        }
    }
}

/// Why a schema difference exists, from the codebase's history of the object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Explanation {
    pub code: ExplanationCode,
    /// The environment that deviates from what the codebase says (for
    /// `pending`, the side that lacks the migrations); `None` when it cannot
    /// be said.
    pub side: Option<String>,
    /// The revisions involved, in upgrade order.
    pub revisions: Vec<RevisionRef>,
    pub message: String,
    pub suggestion: Option<String>,
}

/// A migration and where in it the relevant operation is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevisionRef {
    pub revision: String,
    pub file: String,
    /// 1-based line of the operation in `upgrade()`.
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationCode {
    /// What migrations pending on one side would do.
    Pending,
    /// Present on one side, and no migration creates it: made by hand.
    NotInMigrations,
    /// An applied migration creates it, none drops it, yet one side lacks it.
    DroppedOutsideMigrations,
    /// Both sides are past the migrations that define it, yet they differ.
    ChangedOutsideMigrations,
    /// An effect driftcheck cannot read (raw SQL, a helper, a loop), or an
    /// object kind it does not follow in migrations, may explain it.
    Unverifiable,
}

impl ExplanationCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationCode::Pending => "pending",
            ExplanationCode::NotInMigrations => "not_in_migrations",
            ExplanationCode::DroppedOutsideMigrations => "dropped_outside_migrations",
            ExplanationCode::ChangedOutsideMigrations => "changed_outside_migrations",
            ExplanationCode::Unverifiable => "unverifiable",
        }
    }

    /// Made outside migrations: drift a deploy's `alembic upgrade` will not fix.
    pub fn is_outside_migrations(self) -> bool {
        matches!(
            self,
            ExplanationCode::NotInMigrations
                | ExplanationCode::DroppedOutsideMigrations
                | ExplanationCode::ChangedOutsideMigrations
        )
    }
}

impl std::fmt::Display for ExplanationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// A migration-graph problem's severity: `error`, anything else a warning.
    pub fn of_problem(severity: &str) -> Severity {
        if severity == "error" {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, e.g. `renamed_revision`, `applied_by_hand`, `not_applied`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The exact command or action that fixes it.
    pub suggestion: Option<String>,
    /// Which target it concerns (`local`, `production`), if any.
    #[serde(default)]
    pub target: Option<String>,
}

impl CheckReport {
    pub fn target(&self, name: &str) -> Option<&TargetReport> {
        self.targets.get(name)
    }

    /// Whether any finding of error severity exists (the exit-1 condition).
    pub fn has_drift(&self) -> bool {
        self.status == Status::Drift
    }
}
