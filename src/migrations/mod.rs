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

// Interim implementations of the graph queries the check needs; the graph module
// (issue 3) replaces them.
impl Codebase {
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.revision == id)
    }

    pub fn find_by_alias(&self, id: &str) -> Option<&Revision> {
        self.revisions
            .iter()
            .find(|r| r.aliases.iter().any(|a| a == id))
    }

    pub fn prefix_matches(&self, partial: &str) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| r.revision.starts_with(partial) || partial.starts_with(&r.revision))
            .collect()
    }

    pub fn ancestors(&self, id: &str) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(next) = stack.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(rev) = self.get(&next) {
                stack.extend(rev.down_revisions.iter().cloned());
                stack.extend(rev.depends_on.iter().cloned());
            }
        }
        seen
    }

    pub fn upgrade_order(&self) -> Vec<&Revision> {
        let mut order: Vec<&Revision> = Vec::new();
        let mut placed = std::collections::BTreeSet::new();
        while order.len() < self.revisions.len() {
            let before = order.len();
            for rev in &self.revisions {
                if placed.contains(&rev.revision) {
                    continue;
                }
                let ready = rev
                    .down_revisions
                    .iter()
                    .chain(&rev.depends_on)
                    .all(|d| placed.contains(d) || self.get(d).is_none());
                if ready {
                    placed.insert(rev.revision.clone());
                    order.push(rev);
                }
            }
            if order.len() == before {
                break;
            }
        }
        order
    }

    pub fn pending(&self, current: &[String]) -> Vec<&Revision> {
        let mut applied = std::collections::BTreeSet::new();
        for c in current {
            applied.extend(self.ancestors(c));
        }
        let mut wanted = std::collections::BTreeSet::new();
        for h in &self.heads {
            wanted.extend(self.ancestors(h));
        }
        self.upgrade_order()
            .into_iter()
            .filter(|r| wanted.contains(&r.revision) && !applied.contains(&r.revision))
            .collect()
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == "error")
    }
}
