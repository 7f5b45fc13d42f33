//! `driftcheck graph --effects`: each migration's `upgrade()` as driftcheck
//! reads it (the operations understood, what stays unknown, file:line), and
//! the share of migrations it understands fully. The files are read here; the
//! rendering is pure.

use crate::escape::{md_code_cell, md_text, visible};
use crate::evidence::{describe_effect, extract_all, EffectKind};
use crate::explain::raw_sql::{scope, Scope};
use crate::migrations::Codebase;
use serde::Serialize;
use serde_json::{json, Value};

/// One operation of one migration's `upgrade()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub line: u32,
    pub understood: bool,
    pub description: String,
}

/// One migration, in upgrade order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationEffects {
    pub revision: String,
    pub file: String,
    /// Whether every operation was understood (and the file read and parsed).
    pub understood: bool,
    pub operations: Vec<Operation>,
    /// Why the file could not be read or parsed, when it could not.
    pub problem: Option<String>,
}

/// Raw SQL that only reads or writes rows is understood: no schema change.
fn operation(line: u32, kind: &EffectKind) -> Operation {
    let (understood, description) = match kind {
        EffectKind::Unknown { text, sql, reason } => match sql.as_deref().map(scope) {
            Some(Scope::Data) => (true, format!("data only, no schema change: {text}")),
            _ => match reason {
                Some(reason) => (false, format!("{text}: {reason}")),
                None => (false, text.clone()),
            },
        },
        kind => (true, describe_effect(kind)),
    };
    Operation {
        line,
        understood,
        description,
    }
}

pub fn read(codebase: &Codebase) -> Vec<MigrationEffects> {
    extract_all(codebase)
        .into_iter()
        .map(|(revision, read)| {
            let file = revision.file.display().to_string();
            let (operations, problem) = match read {
                Ok(extraction) => {
                    let operations = extraction
                        .effects
                        .iter()
                        .map(|effect| operation(effect.line, &effect.kind))
                        .collect();
                    let problem = match (extraction.syntax_error, extraction.has_upgrade) {
                        (Some(line), _) => Some(format!("syntax error at line {line}")),
                        (None, false) => Some("no upgrade() function".to_string()),
                        (None, true) => None,
                    };
                    (operations, problem)
                }
                Err(error) => (Vec::new(), Some(format!("cannot read: {error}"))),
            };
            MigrationEffects {
                revision: revision.revision.clone(),
                understood: problem.is_none()
                    && operations.iter().all(|o: &Operation| o.understood),
                file,
                operations,
                problem,
            }
        })
        .collect()
}

/// `12 of 14 migrations (86%) fully understood`.
pub fn share(migrations: &[MigrationEffects]) -> String {
    let understood = migrations.iter().filter(|m| m.understood).count();
    let percent = if migrations.is_empty() {
        100
    } else {
        understood * 100 / migrations.len()
    };
    format!(
        "{understood} of {} migrations ({percent}%) fully understood",
        migrations.len()
    )
}

pub fn text(migrations: &[MigrationEffects]) -> String {
    let mut out = String::new();
    for migration in migrations {
        out.push_str(&format!(
            "{} {} ({})\n",
            if migration.understood { "✓" } else { "?" },
            visible(&migration.revision),
            visible(&migration.file)
        ));
        if let Some(problem) = &migration.problem {
            out.push_str(&format!("    {}\n", visible(problem)));
        }
        for operation in &migration.operations {
            out.push_str(&format!(
                "    {:>4}  {}{}\n",
                operation.line,
                if operation.understood {
                    ""
                } else {
                    "unknown: "
                },
                visible(&operation.description)
            ));
        }
    }
    out.push_str(&share(migrations));
    out.push('\n');
    out
}

pub fn markdown(migrations: &[MigrationEffects]) -> String {
    let mut out = String::from("# What driftcheck reads in each migration\n\n");
    out.push_str(&format!("{}.\n\n", share(migrations)));
    out.push_str("| Revision | File:line | Operation | Understood |\n|---|---|---|---|\n");
    for migration in migrations {
        if let Some(problem) = &migration.problem {
            out.push_str(&format!(
                "| {} | {} | {} | no |\n",
                md_code_cell(&migration.revision),
                md_code_cell(&migration.file),
                md_text(problem)
            ));
        }
        for operation in &migration.operations {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md_code_cell(&migration.revision),
                md_code_cell(&format!("{}:{}", migration.file, operation.line)),
                md_code_cell(&operation.description),
                if operation.understood {
                    "yes"
                } else {
                    "**no**"
                }
            ));
        }
    }
    out
}

/// The graph's JSON with `effects` on each revision and an `effects_summary`.
pub fn json(mut graph: Value, migrations: &[MigrationEffects]) -> Value {
    if let Some(list) = graph["revisions_list"].as_array_mut() {
        for (revision, migration) in list.iter_mut().zip(migrations) {
            revision["effects"] = json!(migration);
        }
    }
    let understood = migrations.iter().filter(|m| m.understood).count();
    graph["effects_summary"] = json!({
        "migrations": migrations.len(),
        "fully_understood": understood,
    });
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(understood: &[bool]) -> MigrationEffects {
        MigrationEffects {
            revision: "a1".into(),
            file: "v/a1.py".into(),
            understood: understood.iter().all(|u| *u),
            operations: understood
                .iter()
                .enumerate()
                .map(|(i, u)| Operation {
                    line: i as u32 + 5,
                    understood: *u,
                    description: format!("op {i}"),
                })
                .collect(),
            problem: None,
        }
    }

    #[test]
    fn share_and_text_name_what_stays_unknown() {
        let all = [migration(&[true, true]), migration(&[true, false])];
        assert_eq!(share(&all), "1 of 2 migrations (50%) fully understood");
        let text = text(&all);
        assert!(
            text.contains("?  a1 (v/a1.py)\n") || text.contains("? a1 (v/a1.py)\n"),
            "{text}"
        );
        assert!(text.contains("   6  unknown: op 1\n"), "{text}");
        assert!(markdown(&all).contains("| `a1` | `v/a1.py:6` | `op 1` | **no** |"));
    }
}
