//! The check (default command) and the deploy gate: plan → observe → report →
//! outputs. The plan decides everything from flags, environment and
//! `driftcheck.toml` before any connection; then every database is read at
//! once, the report is built (pure), and the outputs are written.

use crate::check::expected::ExpectedHeads;
use crate::check::{self, diff, CheckInput, Observed};
use crate::cli::{CheckArgs, GateArgs};
use crate::config::Config;
use crate::exit::{input_error, ExitCode};
use crate::migrations::{self, Codebase};
use crate::observe;
use crate::outputs;
use crate::plan::{Env, Gate, Inputs, Plan, Reference};
use crate::report::CheckReport;
use crate::schema::Snapshot;
use anyhow::Context;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    run_with(args, None)
}

/// `driftcheck gate`: the check, judged by [`crate::gate::evaluate`].
pub fn run_gate(args: &GateArgs) -> anyhow::Result<ExitCode> {
    let gate = Gate {
        allow_pending: args.allow_pending,
    };
    run_with(&args.check, Some(gate))
}

fn run_with(args: &CheckArgs, gate: Option<Gate>) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config =
        Config::load(args.config.as_deref(), &cwd).map_err(|e| input_error(e.to_string()))?;
    let plan = Plan::resolve(&Inputs {
        args,
        gate,
        env: Env::process(),
        cwd: &cwd,
        config: &config,
        now: chrono::Utc::now(),
        alembic_url: &crate::plan::alembic_url,
    })?;
    let codebase = migrations::load(&plan.discovery).map_err(|e| input_error(e.to_string()))?;
    let expected = expected_schema(&plan, &codebase)?;
    let observed = observe::observe_all(&plan.targets)?;
    let report = report(&plan, &codebase, &observed, expected);
    // The snapshots are freed by the process's exit, all at once: freeing
    // them row by row took 6% of a check's CPU at 5,000 tables.
    std::mem::forget(observed);
    outputs::emit(report, &plan.outputs, plan.gate)
}

/// The expected schema and what its version table says, checked against the
/// codebase before any database is read (an unknown revision is exit 2).
fn expected_schema(
    plan: &Plan,
    codebase: &Codebase,
) -> anyhow::Result<Option<(Snapshot, ExpectedHeads)>> {
    let Some(path) = &plan.expected_snapshot else {
        return Ok(None);
    };
    let snapshot =
        Snapshot::load(path).map_err(|e| input_error(format!("--expected-snapshot: {e}")))?;
    let heads = check::expected::heads(&snapshot, codebase, &path.display().to_string())
        .map_err(input_error)?;
    Ok(Some((snapshot, heads)))
}

/// The report of what was observed, diffed as the plan says.
fn report(
    plan: &Plan,
    codebase: &Codebase,
    observed: &[(String, Observed)],
    expected: Option<(Snapshot, ExpectedHeads)>,
) -> CheckReport {
    let (mut schema_diff, schema_diff_ignored, folded_partitions) = match plan.reference {
        Reference::LocalProduction => diff::local_production(observed, &plan.diff),
        Reference::FirstRead => diff::environments(observed, &plan.diff),
    };
    let (expected_applied, stale) = match expected {
        Some((snapshot, heads)) => {
            schema_diff.extend(check::expected::diff(&snapshot, observed, &plan.diff));
            (Some(heads.applied), heads.stale)
        }
        None => (None, None),
    };
    // Only a diff needs explaining: no file is re-read otherwise.
    let history = (!schema_diff.is_empty()).then(|| {
        crate::logging::timed("the migrations' history", || {
            crate::explain::load_history(codebase, "public")
        })
    });
    let input = CheckInput {
        codebase,
        targets: observed,
        version_table_name: &plan.version_table_name,
        schema_diff,
        schema_diff_ignored,
        checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        history: history.as_ref(),
        expected_applied,
    };
    let mut report = check::build_report(input, &check::assess_pending);
    report.findings.extend(stale);
    report.schema_diff_folded_partitions = folded_partitions;
    report
}
