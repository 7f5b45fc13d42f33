//! The terminal summary: verdict, revision table, findings, schema diff.

use super::{pending_summary, severity_label, verdict};
use crate::report::{CheckReport, Severity, Status};
use comfy_table::{presets, ContentArrangement, Table};

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
            current = target.message.clone();
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
        .collect();
    for (name, target) in notes {
        out.push_str(&format!("\n{name}: {}\n", target.message));
    }

    if !report.findings.is_empty() {
        out.push_str("\nFindings:\n");
        for finding in &report.findings {
            let label = severity_label(finding.severity);
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
        for entry in report.schema_diff.iter().take(50) {
            let pair = entry
                .environments
                .as_ref()
                .map(|[a, b]| format!("{a}/{b} "))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {pair}{:<16} {:<15} {}\n",
                entry.change, entry.kind, entry.object
            ));
        }
        if report.schema_diff.len() > 50 {
            out.push_str(&format!(
                "  … {} more in the report\n",
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

    if let Some(path) = &report.report_path {
        out.push_str(&format!("\nReport: {path}\n"));
    }
    if let Some(path) = &report.ris_path {
        out.push_str(&format!("Incident draft: {path}\n"));
    }
    out
}
