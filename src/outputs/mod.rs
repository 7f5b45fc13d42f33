//! Outputs: everything a finished check writes, in a fixed order: the
//! report's path is chosen, the RIS draft, the markdown report, stdout in the
//! chosen format (with the gate's verdict), GitHub Actions annotations and
//! step summary, the webhook alert; then the exit code.

mod github;
mod report_file;

use crate::cli::Format;
use crate::exit::{input_error, unreachable_error, ExitCode};
use crate::gate::{self, GateOutcome};
use crate::incident::{self, RisContext};
use crate::notify;
use crate::plan::{Alert, Gate, Outputs, ReportDestination, RisOutput};
use crate::render;
use crate::report::{CheckReport, Status};

/// Write every output of `report`, and the run's exit code.
pub fn emit(
    mut report: CheckReport,
    outputs: &Outputs,
    gate: Option<Gate>,
) -> anyhow::Result<ExitCode> {
    // The report's own path goes into the report (and the RIS draft), so pick
    // it before rendering: the first free name, with a suffix after a run in the
    // same second.
    let mut destination = outputs.report.clone();
    if let ReportDestination::File { path, explicit } = &mut destination {
        if !*explicit {
            *path = report_file::first_free_path(path);
        }
        report.report_path = Some(path.display().to_string());
    }
    if let Some(ris) = &outputs.ris {
        write_ris(&mut report, ris, outputs)?;
    }
    match &destination {
        ReportDestination::File { path, explicit } => {
            report_file::write(&mut report, path, *explicit)?;
        }
        ReportDestination::Stdout => {
            crate::fsutil::to_stdout(&render::markdown_report(&report));
            crate::logging::output_written("markdown report", "stdout", None);
        }
        ReportDestination::None => {}
    }
    let outcome = gate.map(|g| gate::evaluate(&report, g.allow_pending));
    if !matches!(destination, ReportDestination::Stdout) {
        print_stdout(&report, outcome.as_ref(), outputs.format);
        crate::logging::output_written(
            &format!("{:?} output", outputs.format).to_lowercase(),
            "stdout",
            None,
        );
    }
    if let (Some(outcome), true) = (&outcome, outputs.format != Format::Text) {
        // stdout holds the JSON or markdown; the verdict still reaches the log.
        eprint!("{}", gate::render_text(outcome));
    }
    if let Some(github) = &outputs.github {
        github::write(github, &report, outcome.as_ref(), outputs.format);
    }
    if let Some(alert) = &outputs.alert {
        send_alert(alert, &report, outcome.as_ref());
    }
    exit_code(&report, outcome.as_ref())
}

fn write_ris(report: &mut CheckReport, ris: &RisOutput, outputs: &Outputs) -> anyhow::Result<()> {
    let context = RisContext::for_report(report, &ris.config, &outputs.cwd);
    let written = incident::write_draft(&ris.dir, report, &context, &ris.config).map_err(|e| {
        input_error(format!(
            "cannot write the RIS draft in {}: {e}",
            ris.dir.display()
        ))
    })?;
    match written {
        Some(path) => report.ris_path = Some(crate::logging::written("RIS draft", path)),
        None => crate::logging::note("no drift found, so no RIS draft was written"),
    }
    Ok(())
}

fn print_stdout(report: &CheckReport, outcome: Option<&GateOutcome>, format: Format) {
    match format {
        Format::Json => crate::fsutil::to_stdout(&json_output(report, outcome)),
        Format::Markdown => crate::fsutil::to_stdout(&render::markdown_report(report)),
        Format::Text => {
            crate::fsutil::to_stdout(&render::terminal_summary(report, render::Style::detect()));
            if let Some(outcome) = outcome {
                crate::fsutil::to_stdout(&format!("\n{}", gate::render_text(outcome)));
            }
        }
    }
}

/// The contract's JSON, plus `gate` when running as the gate (fields are only added).
fn json_output(report: &CheckReport, outcome: Option<&GateOutcome>) -> String {
    let Some(outcome) = outcome else {
        return render::json(report);
    };
    let mut value = serde_json::to_value(report).expect("report serialises");
    value["gate"] = serde_json::to_value(outcome).expect("gate outcome serialises");
    let mut out = serde_json::to_string_pretty(&value).expect("value serialises");
    out.push('\n');
    out
}

/// Post the alert when it is due; a failure is a warning, never the run's.
fn send_alert(alert: &Alert, report: &CheckReport, outcome: Option<&GateOutcome>) {
    if !notify::should_send(report, alert.always) {
        return;
    }
    let payload = notify::payload(report, outcome);
    match crate::commands::block_on(notify::post(&alert.webhook, &payload)) {
        Ok(()) => crate::logging::note(format!(
            "alert posted to the webhook from {}",
            alert.webhook.origin
        )),
        Err(error) => crate::logging::warn(format!("{error}; the report is not affected")),
    }
}

/// The gate's verdict when running as the gate, else the report's status.
fn exit_code(report: &CheckReport, outcome: Option<&GateOutcome>) -> anyhow::Result<ExitCode> {
    if let Some(outcome) = outcome {
        if !outcome.unreachable.is_empty() && outcome.failures.is_empty() {
            return Err(unreachable_error(format!(
                "gate: cannot vouch for {}",
                outcome.unreachable.join("; ")
            )));
        }
        return Ok(if outcome.passed {
            ExitCode::Clean
        } else {
            ExitCode::Drift
        });
    }
    Ok(match report.status {
        Status::Clean => ExitCode::Clean,
        Status::Drift | Status::Error => ExitCode::Drift,
    })
}
