//! The terminal summary: verdict, revision table, findings, schema diff.

use super::{pending_summary, verdict};
use crate::report::{CheckReport, Severity, Status, TargetState};
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::Value;

/// Whether to use colour: only on a terminal, and never with `NO_COLOR` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn plain() -> Style {
        Style { color: false }
    }

    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn detect() -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

pub fn terminal_summary(report: &CheckReport, style: Style) -> String {
    let report = &visible_report(report);
    let mut out = String::new();
    let verdict_line = verdict(report);
    let painted = match report.status {
        Status::Clean => style.paint("1;32", &verdict_line),
        Status::Drift => style.paint("1;31", &verdict_line),
        Status::Error => style.paint("1;33", &verdict_line),
    };
    out.push_str(&format!(
        "driftcheck {} — {painted}\n\n",
        report.driftcheck_version
    ));

    let mut table = Table::new();
    table
        .load_preset(if style.color {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::ASCII_MARKDOWN
        })
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(vec!["", "state", "revision", "pending"]);
    table.add_row(vec![
        "codebase".to_string(),
        format!("{} revisions", report.codebase.revisions),
        report.codebase.heads.join(", "),
        String::new(),
    ]);
    for (name, target) in &report.targets {
        let mut current = target.current.join(", ");
        for renamed in &target.renamed {
            current = current.replace(
                &renamed.stored,
                &format!("{} (= {})", renamed.stored, renamed.revision),
            );
        }
        if current.is_empty() {
            current = match target.state {
                // The full message (often long: an AWS or connection error)
                // is printed once below the table.
                TargetState::Unreachable => format!(
                    "{} (see below)",
                    target.reason.as_deref().unwrap_or("unreachable")
                ),
                _ => target.message.clone(),
            };
        }
        table.add_row(vec![
            name.clone(),
            target.state.as_str().to_string(),
            current,
            pending_summary(target),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');

    let notes: Vec<_> = report
        .targets
        .iter()
        .filter(|(_, t)| t.reason.is_some() && t.reason.as_deref() != Some("skipped"))
        // An unreachable target's finding already carries the whole message.
        .filter(|(name, _)| {
            let code = format!("{name}_unreachable");
            !report.findings.iter().any(|f| f.code == code)
        })
        .collect();
    for (name, target) in notes {
        out.push_str(&format!("\n{name}: {}\n", target.message));
    }

    if !report.findings.is_empty() {
        out.push_str("\nFindings:\n");
        for finding in &report.findings {
            let label = finding.severity.as_str();
            let label = match finding.severity {
                Severity::Error => style.paint("31", label),
                Severity::Warning => style.paint("33", label),
                Severity::Info => style.paint("36", label),
            };
            out.push_str(&format!(
                "  {label} [{}] {}\n",
                finding.code, finding.message
            ));
            if let Some(suggestion) = &finding.suggestion {
                out.push_str(&format!("      fix: {suggestion}\n"));
            }
        }
    }

    if !report.schema_diff.is_empty() {
        out.push_str(&format!(
            "\nSchema differences ({}): {}\n",
            super::diff_pairs(report),
            report.schema_diff.len()
        ));
        out.push_str(&format!("  {}\n", super::diff_group_counts(report)));
        let mut shown = 0;
        for group in super::diff_groups(report) {
            if shown >= 50 {
                break;
            }
            out.push_str(&format!("  {}:\n", group.title().replace('`', "")));
            for entry in group.entries.iter().take(50 - shown) {
                shown += 1;
                let pair = entry
                    .environments
                    .as_ref()
                    .map(|[a, b]| format!("{a}/{b} "))
                    .unwrap_or_default();
                let warning = if entry.is_drift() { "" } else { " (warning)" };
                out.push_str(&format!(
                    "    {pair}{:<16} {:<15} {}{warning}\n",
                    entry.change, entry.kind, entry.object
                ));
                if let Some(explanation) = &entry.explanation {
                    out.push_str(&format!("        {}\n", explanation.message));
                    if let Some(fix) = &explanation.suggestion {
                        let side = explanation
                            .side
                            .as_deref()
                            .map(|s| format!(" (on {s})"))
                            .unwrap_or_default();
                        out.push_str(&format!("        fix{side}: {fix}\n"));
                    }
                }
            }
        }
        if report.schema_diff.len() > 50 {
            let where_ = if report.report_path.is_some() {
                "in the report"
            } else {
                "with --format json or a report"
            };
            out.push_str(&format!(
                "  … {} more {where_}\n",
                report.schema_diff.len() - 50
            ));
        }
    }
    let ignored: usize = report.schema_diff_ignored.values().sum();
    if ignored > 0 {
        out.push_str(&format!(
            "  ({ignored} difference{} ignored by rules: {})\n",
            if ignored == 1 { "" } else { "s" },
            report
                .schema_diff_ignored
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !report.schema_diff_folded_partitions.is_empty() {
        out.push_str(&format!(
            "  (partitions folded into their parent: {})\n",
            report.schema_diff_folded_partitions.join(", ")
        ));
    }

    if let Some(path) = &report.report_path {
        out.push_str(&format!("\nReport: {path}\n"));
    }
    if let Some(path) = &report.ris_path {
        out.push_str(&format!("Incident draft: {path}\n"));
    }
    out
}

/// The report with every string (names, ids, paths, messages, map keys)
/// passed through [`crate::escape::visible`]: whatever a catalog or a
/// repository holds, the terminal receives no control character. Done on the
/// whole model so no field added later can be forgotten.
fn visible_report(report: &CheckReport) -> CheckReport {
    let mut value = serde_json::to_value(report).expect("the report serialises");
    make_visible(&mut value);
    serde_json::from_value(value).expect("the report reads back from its own JSON")
}

fn make_visible(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let std::borrow::Cow::Owned(escaped) = crate::escape::visible(text) {
                *text = escaped;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_visible),
        Value::Object(map) => {
            *map = std::mem::take(map)
                .into_iter()
                .map(|(key, mut value)| {
                    make_visible(&mut value);
                    (crate::escape::visible(&key).into_owned(), value)
                })
                .collect();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CodebaseSummary, TargetReport};
    use std::collections::BTreeMap;

    fn report(targets: Vec<(&str, TargetReport)>) -> CheckReport {
        CheckReport {
            driftcheck_version: "0.1.0".into(),
            status: Status::Clean,
            codebase: CodebaseSummary {
                migration_dirs: vec![],
                heads: vec!["h".into()],
                branch_heads: vec!["h".into()],
                revisions: 1,
                problems: vec![],
            },
            targets: targets
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
            schema_diff: vec![],
            schema_diff_ignored: BTreeMap::new(),
            schema_diff_folded_partitions: Vec::new(),
            findings: vec![],
            report_path: None,
            ris_path: None,
            checked_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    /// A long unreachable message is printed once, not also wrapped into the table.
    #[test]
    fn unreachable_message_appears_once() {
        let message = "unreachable: reading secret `x` failed: a very long AWS error";
        let text = terminal_summary(
            &report(vec![(
                "production",
                TargetReport::not_examined(TargetState::Unreachable, "aws_error", message),
            )]),
            Style::plain(),
        );
        assert_eq!(text.matches("a very long AWS error").count(), 1, "{text}");
        assert!(text.contains("aws_error (see below)"), "{text}");
    }

    #[test]
    fn unreachable_message_is_not_repeated_beside_its_finding() {
        let mut report = report(vec![(
            "production",
            TargetReport::not_examined(
                TargetState::Unreachable,
                "aws_error",
                "unreachable: a very long AWS error",
            ),
        )]);
        report.findings.push(crate::report::Finding {
            code: "production_unreachable".into(),
            severity: Severity::Warning,
            message: "production could not be compared: a very long AWS error".into(),
            suggestion: None,
            target: Some("production".into()),
        });
        let text = terminal_summary(&report, Style::plain());
        assert_eq!(text.matches("a very long AWS error").count(), 1, "{text}");
    }

    #[test]
    fn uninitialized_message_stays_in_the_table() {
        let mut target = TargetReport::not_examined(
            TargetState::Uninitialized,
            "x",
            "no version table `alembic_version`",
        );
        target.reason = None;
        let text = terminal_summary(&report(vec![("local", target)]), Style::plain());
        assert!(text.contains("no version table"), "{text}");
    }
}
