//! What to do: the resolution's actions (each finding's fix), prevention,
//! success criteria and the sign-off block.

use super::{
    applied_at_least_partly, env, graph_problem_codes, heads, not_examined, state_words, targets,
    Draft,
};
use crate::incident::text::{code, one_line};
use crate::report::TargetReport;
use std::collections::BTreeSet;
use std::fmt::Write;

impl Draft<'_> {
    pub(super) fn resolution(&self, out: &mut String) {
        out.push_str("## Resolution\n\n### Actions Required\n\n");
        out.push_str("Run in order, against the database named, from the directory holding `alembic.ini`:\n\n");
        let mut seen = BTreeSet::new();
        let mut any = false;
        for finding in &self.report.findings {
            let Some(suggestion) = finding
                .suggestion
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            else {
                continue;
            };
            if !seen.insert((finding.target.clone(), suggestion.to_string())) {
                continue;
            }
            any = true;
            let target = finding
                .target
                .as_deref()
                .map(|t| format!("{} DB: ", env(t)))
                .unwrap_or_default();
            let action = if is_command(suggestion) {
                code(suggestion)
            } else {
                one_line(suggestion)
            };
            let _ = writeln!(
                out,
                "- [ ] {target}{action} — {}",
                one_line(&finding.message)
            );
        }
        if !any {
            out.push_str("- [ ] Decide the fix for each root cause above (driftcheck suggested no command)\n");
        }
        out.push_str("- [ ] Re-run `driftcheck` and confirm it reports no drift (exit code 0)\n\n");
    }

    pub(super) fn prevention(&self, out: &mut String) {
        out.push_str("## Prevention\n\n");
        out.push_str(
            "- [ ] Add `driftcheck` as a pre-deployment CI gate (exit code 1 fails the pipeline)\n",
        );
        out.push_str("- [ ] Schedule a nightly `driftcheck` run against production (cron job or scheduled CI)\n");
        out.push_str("- [ ] Alert on drift: send a non-zero exit of the nightly run to the on-call channel\n");
        let any_target = |f: &dyn Fn(&TargetReport) -> bool| self.report.targets.values().any(f);
        if any_target(&|t| !t.renamed.is_empty()) {
            out.push_str("- [ ] Never rewrite the ids of applied migrations; when ids must change, re-stamp every environment in the same change\n");
        }
        if any_target(&|t| t.pending.iter().any(applied_at_least_partly)) {
            out.push_str("- [ ] Change schemas only through `alembic upgrade`, never by hand\n");
        }
        if graph_problem_codes(self.report)
            .iter()
            .any(|c| c == "multiple_heads")
        {
            out.push_str("- [ ] Fail CI when `driftcheck graph` shows several heads\n");
        }
        for (name, t) in targets(self.report) {
            if not_examined(t) {
                let why = match &t.reason {
                    Some(reason) => format!("{}: {}", state_words(t.state), code(reason)),
                    None => state_words(t.state).to_string(),
                };
                let _ = writeln!(
                    out,
                    "- [ ] Give driftcheck read-only access to the {name} database and compare it on every run ({why} this time)"
                );
            }
        }
        out.push('\n');
    }

    pub(super) fn success_criteria(&self, out: &mut String) {
        out.push_str("## Success Criteria\n\n");
        let head = heads(self.report);
        for (name, t) in targets(self.report) {
            if t.state.is_drift() {
                let _ = writeln!(
                    out,
                    "- [ ] {} database at codebase head ({})",
                    env(name),
                    head
                );
            } else if not_examined(t) {
                let _ = writeln!(
                    out,
                    "- [ ] {} database verified (not compared: {})",
                    env(name),
                    t.reason
                        .as_deref()
                        .map(one_line)
                        .unwrap_or_else(|| state_words(t.state).to_string())
                );
            }
        }
        for problem in graph_problem_codes(self.report) {
            if problem == "multiple_heads" {
                out.push_str("- [ ] Migration graph has a single head\n");
            } else {
                let _ = writeln!(out, "- [ ] Codebase problem {} fixed", code(&problem));
            }
        }
        if !self.report.schema_diff.is_empty() {
            out.push_str("- [ ] Local and production schemas match\n");
        }
        out.push_str("- [ ] `driftcheck` reports no drift\n");
        let _ = writeln!(out, "- [ ] {} documents incident and resolution\n", self.id);
    }

    pub(super) fn sign_off(&self, out: &mut String) {
        out.push_str("## Sign-off\n\n");
        let _ = writeln!(
            out,
            "- **Detected by**: driftcheck {} ({})",
            one_line(&self.ctx.driftcheck_version),
            self.detected()
        );
        out.push_str("- **Resolved by**:\n- **Verified by**:\n");
        let _ = writeln!(out, "- **Documented**: {} (this document)", self.id);
    }
}
/// Whether a suggestion is a shell command (shown as code) or advice.
fn is_command(suggestion: &str) -> bool {
    const TOOLS: &[&str] = &["alembic", "driftcheck", "psql", "aws", "python", "pg_dump"];
    let first = suggestion.split_whitespace().next().unwrap_or("");
    TOOLS.contains(&first) && !suggestion.contains('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_told_from_advice() {
        assert!(is_command("alembic stamp 20251230_1700"));
        assert!(!is_command("Restore the production secret"));
    }
}
