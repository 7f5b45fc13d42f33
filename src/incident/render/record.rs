//! The draft's references: related incidents, the files involved (with
//! links) and the timeline from migration creation to detection.

use super::{drifting, env, targets, Draft};
use crate::incident::text::{cell, code, code_cell, link, relative_link, short_timestamp};
use std::collections::BTreeSet;
use std::fmt::Write;

impl Draft<'_> {
    pub(super) fn related_incidents(&self, out: &mut String) {
        out.push_str("## Related Incidents\n\n");
        if self.related.is_empty() {
            out.push_str(
                "- None found: no earlier RIS document mentions these revisions or findings\n\n",
            );
            return;
        }
        for incident in self.related {
            let destination = relative_link(&incident.path, self.links_base, &self.ctx.working_dir);
            let mentions: Vec<String> = incident.mentions.iter().map(|m| code(m)).collect();
            let _ = writeln!(
                out,
                "- {} — mentions {}",
                link(&incident.title, &destination),
                mentions.join(", ")
            );
        }
        out.push('\n');
    }

    pub(super) fn files(&self, out: &mut String) {
        out.push_str("## Files\n\n| File | Purpose |\n|------|---------|\n");
        // File → purposes, in first-seen order (a file can matter to several targets).
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        let mut add = |file: &str, purpose: String| match rows.iter_mut().find(|(f, _)| f == file) {
            Some((_, purposes)) => purposes.push(purpose),
            None => rows.push((file.to_string(), vec![purpose])),
        };
        for (name, t) in targets(self.report) {
            for renamed in &t.renamed {
                add(
                    &renamed.file,
                    format!(
                        "Revision {} (old id {} still in the {} DB)",
                        code_cell(&renamed.revision),
                        code_cell(&renamed.stored),
                        env(name)
                    ),
                );
            }
            for pending in &t.pending {
                let about = pending
                    .message
                    .as_deref()
                    .map(|m| format!("{}: ", cell(m)))
                    .unwrap_or_default();
                add(
                    &pending.file,
                    format!(
                        "{about}pending on the {} DB (evidence: {})",
                        env(name),
                        pending.evidence.as_str().replace('_', " ")
                    ),
                );
            }
        }
        for problem in &self.report.codebase.problems {
            if let Some(file) = &problem.file {
                add(
                    file,
                    format!("Codebase problem {}", code_cell(&problem.code)),
                );
            }
        }
        for (file, purposes) in rows {
            let _ = writeln!(
                out,
                "| {} | {} |",
                self.file_link(&file),
                purposes.join("; ")
            );
        }
        if let Some(report_path) = &self.ctx.report_path {
            let path = report_path.to_string_lossy();
            let _ = writeln!(
                out,
                "| {} | driftcheck drift report of this detection |",
                self.file_link(&path)
            );
        }
        let _ = writeln!(
            out,
            "| {} | This document |\n",
            link(&self.file_name, &self.file_name)
        );
    }

    pub(super) fn timeline(&self, out: &mut String) {
        out.push_str("## Timeline\n\n| Time | Event |\n|------|-------|\n");
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut dated = BTreeSet::new();
        for (name, t) in targets(self.report) {
            for renamed in &t.renamed {
                if let Some(date) = self.ctx.revision_dates.get(&renamed.revision) {
                    if dated.insert(renamed.revision.clone()) {
                        rows.push((
                            short_timestamp(date),
                            format!(
                                "Migration {} created; its old id {} is what the {} DB holds",
                                code_cell(&renamed.revision),
                                code_cell(&renamed.stored),
                                env(name)
                            ),
                        ));
                    }
                }
            }
            for pending in &t.pending {
                if let Some(date) = &pending.create_date {
                    if dated.insert(pending.revision.clone()) {
                        let about = pending
                            .message
                            .as_deref()
                            .map(|m| format!(" ({})", cell(m)))
                            .unwrap_or_default();
                        rows.push((
                            short_timestamp(date),
                            format!("Migration {} created{about}", code_cell(&pending.revision)),
                        ));
                    }
                }
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let states: Vec<String> = drifting(self.report)
            .iter()
            .map(|(n, t)| format!("{} DB {}", env(n), t.state.as_str()))
            .collect();
        let detected = self.detected();
        rows.push((
            detected.clone(),
            if states.is_empty() {
                format!(
                    "Drift detected by driftcheck {}",
                    cell(&self.ctx.driftcheck_version)
                )
            } else {
                format!(
                    "Drift detected by driftcheck {} ({})",
                    cell(&self.ctx.driftcheck_version),
                    states.join(", ")
                )
            },
        ));
        rows.push((detected, format!("{} drafted", self.id)));
        for (time, event) in rows {
            let _ = writeln!(out, "| {} | {event} |", cell(&time));
        }
        out.push('\n');
    }
}
