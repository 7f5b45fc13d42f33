//! Under GitHub Actions: annotations (on stdout, or stderr when stdout is
//! JSON) and the markdown summary appended to `$GITHUB_STEP_SUMMARY`.

use crate::cli::Format;
use crate::gate::{self, GateOutcome};
use crate::plan::GitHub;
use crate::render;
use crate::report::CheckReport;
use std::io::Write;

pub(super) fn write(
    github: &GitHub,
    report: &CheckReport,
    outcome: Option<&GateOutcome>,
    format: Format,
) {
    let lines = gate::annotations(report).join("\n");
    if !lines.is_empty() {
        if format == Format::Json {
            eprintln!("{lines}");
        } else {
            crate::fsutil::to_stdout(&format!("{lines}\n"));
        }
    }
    let Some(path) = &github.step_summary else {
        return;
    };
    let mut summary = String::new();
    if let Some(outcome) = outcome {
        summary.push_str(&gate::render_markdown(outcome));
    }
    // The report's own title is a level-1 heading; the summary page has many steps.
    summary.push_str(&render::markdown_report(report).replacen(
        "# Schema drift report",
        "## Schema drift report",
        1,
    ));
    summary.push('\n');
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut file| file.write_all(summary.as_bytes()));
    if let Err(error) = written {
        crate::logging::warn(format!(
            "cannot append to GITHUB_STEP_SUMMARY ({}): {error}",
            path.display()
        ));
    }
}
