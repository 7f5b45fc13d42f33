//! The check (default command): gather what the codebase and each database
//! say, concurrently, then diagnose, render, and write the audit trail.

use crate::check::{self, CheckInput, Observed};
use crate::cli::{CheckArgs, Format, GateArgs};
use crate::compare::{self, DiffOptions, Ignore, IgnoreRules};
use crate::config::{Config, EnvConfig};
use crate::database::{self, ConnectTarget, ReadOptions, Role, VersionTableName};
use crate::diagnosis::Assessment;
use crate::exit::{input_error, unreachable_error, ExitCode};
use crate::fsutil;
use crate::gate;
use crate::incident::{self, RisConfig, RisContext};
use crate::migrations::{self, Discovery, Revision};
use crate::notify;
use crate::render;
use crate::report::{CheckReport, SchemaDiffEntry, Status};
use crate::schema::Snapshot;
use crate::secrets::{self, SecretRequest};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Where one database's schema comes from. A handful per run: size does not matter.
#[allow(clippy::large_enum_variant)]
enum Source {
    Live(ConnectTarget),
    SnapshotFile(PathBuf),
    Secret(SecretRequest),
    Skip {
        reason: &'static str,
        message: String,
    },
    /// Configured, but its URL is missing at run time: reported as unreachable.
    Missing {
        reason: &'static str,
        message: String,
    },
}

/// Where the markdown report goes.
enum ReportDestination {
    None,
    Stdout,
    File { path: PathBuf, explicit: bool },
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    run_with(args, None)
}

/// `driftcheck gate`: the check, judged by [`gate::evaluate`].
pub fn run_gate(args: &GateArgs) -> anyhow::Result<ExitCode> {
    run_with(&args.check, Some(args.allow_pending))
}

/// One database to read: its name in the report and how to read it.
struct Planned {
    name: String,
    source: Source,
    options: ReadOptions,
    /// Failure to read it ends the run (exit 3) instead of degrading the report.
    required: bool,
}

/// `gate`: `Some(allow_pending)` when running as the deploy gate.
fn run_with(args: &CheckArgs, gate: Option<bool>) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config =
        Config::load(args.config.as_deref(), &cwd).map_err(|e| input_error(e.to_string()))?;
    let format = args.format.unwrap_or(Format::Text);

    // Everything that can be wrong with the input is found before any connection.
    let destination = report_destination(args, &config, &cwd)?;
    if matches!(destination, ReportDestination::Stdout)
        && args.format.is_some_and(|f| f != Format::Markdown)
    {
        return Err(input_error(
            "--report - writes the markdown report to stdout, which --format also wants; drop one of them",
        ));
    }
    let ris = if args.create_ris {
        Some(ris_setup(args, &config, &cwd)?)
    } else {
        None
    };
    let codebase = migrations::load(&discovery(args, &config, &cwd))
        .map_err(|e| input_error(e.to_string()))?;
    let version_table_text = args
        .version_table
        .clone()
        .or_else(|| config.version_table.clone())
        .unwrap_or_else(|| "alembic_version".to_string());
    let version_table = VersionTableName::parse(&version_table_text)
        .map_err(|e| input_error(format!("--version-table {version_table_text:?}: {e}")))?;
    let prod_version_table = match &config.production.version_table {
        Some(text) if args.version_table.is_none() => VersionTableName::parse(text)
            .map_err(|e| input_error(format!("[production] version-table {text:?}: {e}")))?,
        _ => version_table.clone(),
    };
    let read_options = ReadOptions {
        version_table: version_table.clone(),
        include_schemas: pick(&args.filter.schemas, &config.schemas),
        exclude_schemas: pick(&args.filter.exclude_schemas, &config.exclude_schemas),
        ..ReadOptions::default()
    };
    let prod_read_options = ReadOptions {
        version_table: prod_version_table,
        ..read_options.clone()
    };
    let env_mode = !args.envs.is_empty() || args.all_envs;
    // Named environments and the gate do not need a local database; the plain
    // check does (it is what the check compares against).
    let local = if env_mode || gate.is_some() {
        optional_local_source(args, &config)?
    } else {
        Some(local_source(args, &config)?)
    };
    let mut planned = Vec::new();
    if let Some(source) = local {
        planned.push(Planned {
            name: "local".to_string(),
            source,
            options: read_options.clone(),
            required: true,
        });
    }
    if env_mode {
        let production_flag = [
            (args.prod_url.is_some(), "--prod-url"),
            (args.prod_secret_id.is_some(), "--prod-secret-id"),
            (args.prod_snapshot.is_some(), "--prod-snapshot"),
            (args.skip_production, "--skip-production"),
            (args.require_production, "--require-production"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag));
        if let Some(flag) = production_flag {
            return Err(input_error(format!(
                "{flag} does not combine with --env/--all-envs: named environments replace production; describe it as [env.production] in driftcheck.toml"
            )));
        }
        for (name, env) in selected_envs(args, &config)? {
            if planned.iter().any(|p| p.name == name) {
                return Err(input_error(format!(
                    "[env.{name}] clashes with the local database's name in the report; rename the environment"
                )));
            }
            let (source, version_table) = env_source(&name, env, args)?;
            planned.push(Planned {
                name,
                source,
                options: ReadOptions {
                    version_table,
                    ..read_options.clone()
                },
                required: false,
            });
        }
    } else {
        planned.push(Planned {
            name: "production".to_string(),
            source: production_source(args, &config)?,
            options: prod_read_options,
            required: args.require_production || config.production.require,
        });
    }
    if planned.is_empty() {
        return Err(input_error(
            "nothing to check: pass --local-url URL, --prod-url URL / --prod-secret-id ID, or --env NAME",
        ));
    }
    let ignore = ignore_rules(&config)?;
    let webhook = webhook(args, &config)?;

    // All databases at once, on the one runtime: a slow or dead one costs its
    // own timeout, not the sum.
    let results = crate::commands::block_on(futures_util::future::join_all(
        planned
            .iter()
            .map(|p| observe(&p.name, &p.source, &p.options)),
    ));
    let mut observed: Vec<(String, Observed)> = Vec::new();
    for (plan, result) in planned.iter().zip(results) {
        let entry = match result {
            Ok(observed) => observed,
            Err(ObserveError::Input(error)) => return Err(error),
            Err(error) if plan.required && plan.name == "local" => return Err(error.into()),
            Err(error) => {
                let failure = Failure::from(error);
                if plan.required {
                    return Err(unreachable_error(format!(
                        "{} could not be read (--require-production): {}",
                        plan.name, failure.message
                    )));
                }
                Observed::Unreachable {
                    reason: failure.reason,
                    message: failure.message,
                }
            }
        };
        observed.push((plan.name.clone(), entry));
    }

    let diff_options = DiffOptions {
        strict_column_order: args.strict_column_order,
        include_owners: args.include_owners,
        include_privileges: args.include_privileges,
        ignore: ignore.clone(),
        version_table: version_table_text.clone(),
        ..DiffOptions::default()
    };
    let (schema_diff, schema_diff_ignored) = if env_mode {
        environment_diffs(&observed, &diff_options)
    } else {
        match (
            observed.first().and_then(|(_, o)| o.snapshot()),
            observed.get(1).and_then(|(_, o)| o.snapshot()),
        ) {
            (Some(local), Some(production)) => {
                let diff = compare::diff(local, production, &diff_options);
                (diff_entries(diff.entries, None), diff.ignored)
            }
            _ => (Vec::new(), Default::default()),
        }
    };

    let input = CheckInput {
        codebase: &codebase,
        targets: observed,
        version_table_name: &version_table_text,
        schema_diff,
        schema_diff_ignored,
        checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let mut report = check::build_report(input, &assess_pending);

    // The report's own path goes into the report (and the RIS draft), so pick
    // it before rendering: the first free name, with a suffix after a run in the
    // same second.
    let mut destination = destination;
    if let ReportDestination::File { path, explicit } = &mut destination {
        if !*explicit {
            *path = first_free_report_path(path);
        }
        report.report_path = Some(path.display().to_string());
    }
    if let Some((dir, ris_config)) = &ris {
        let context = RisContext::for_report(&report, ris_config, &cwd);
        match incident::write_draft(dir, &report, &context, ris_config).map_err(|e| {
            input_error(format!(
                "cannot write the RIS draft in {}: {e}",
                dir.display()
            ))
        })? {
            Some(path) => report.ris_path = Some(path.display().to_string()),
            None => eprintln!("driftcheck: no drift found, so no RIS draft was written"),
        }
    }
    match &destination {
        ReportDestination::File { path, explicit } => {
            write_report(&mut report, path, *explicit)?;
        }
        ReportDestination::Stdout => {
            print!("{}", render::markdown_report(&report));
        }
        ReportDestination::None => {}
    }
    let outcome = gate.map(|allow_pending| gate::evaluate(&report, allow_pending));
    if !matches!(destination, ReportDestination::Stdout) {
        match format {
            Format::Json => print!("{}", json_output(&report, outcome.as_ref())),
            Format::Markdown => print!("{}", render::markdown_report(&report)),
            Format::Text => {
                print!(
                    "{}",
                    render::terminal_summary(&report, render::Style::detect())
                );
                if let Some(outcome) = &outcome {
                    print!("\n{}", gate::render_text(outcome));
                }
            }
        }
    }
    if let (Some(outcome), true) = (&outcome, format != Format::Text) {
        // stdout holds the JSON or markdown; the verdict still reaches the log.
        eprint!("{}", gate::render_text(outcome));
    }
    if env_nonempty("GITHUB_ACTIONS").as_deref() == Some("true") {
        github_actions(&report, outcome.as_ref(), format);
    }
    if let Some(webhook) = &webhook {
        if notify::should_send(&report, args.notify_always || config.notify.always) {
            let payload = notify::payload(&report, outcome.as_ref());
            match crate::commands::block_on(notify::post(webhook, &payload)) {
                Ok(()) => eprintln!(
                    "driftcheck: alert posted to the webhook from {}",
                    webhook.origin
                ),
                Err(error) => eprintln!("driftcheck: warning: {error}; the report is not affected"),
            }
        }
    }
    if let Some(outcome) = &outcome {
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

/// The contract's JSON, plus `gate` when running as the gate (fields are only added).
fn json_output(report: &CheckReport, outcome: Option<&gate::GateOutcome>) -> String {
    let Some(outcome) = outcome else {
        return render::json(report);
    };
    let mut value = serde_json::to_value(report).expect("report serialises");
    value["gate"] = serde_json::to_value(outcome).expect("gate outcome serialises");
    let mut out = serde_json::to_string_pretty(&value).expect("value serialises");
    out.push('\n');
    out
}

/// Under GitHub Actions: annotations (on stdout, or stderr when stdout is
/// JSON) and the markdown summary appended to `$GITHUB_STEP_SUMMARY`.
fn github_actions(report: &CheckReport, outcome: Option<&gate::GateOutcome>, format: Format) {
    let lines = gate::annotations(report).join("\n");
    if !lines.is_empty() {
        if format == Format::Json {
            eprintln!("{lines}");
        } else {
            println!("{lines}");
        }
    }
    let Some(path) = env_nonempty("GITHUB_STEP_SUMMARY") else {
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
    use std::io::Write;
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| file.write_all(summary.as_bytes()));
    if let Err(error) = written {
        eprintln!("driftcheck: warning: cannot append to GITHUB_STEP_SUMMARY ({path}): {error}");
    }
}

fn diff_entries(
    entries: Vec<compare::DiffEntry>,
    pair: Option<[String; 2]>,
) -> Vec<SchemaDiffEntry> {
    entries
        .into_iter()
        .map(|e| SchemaDiffEntry {
            kind: e.kind.as_str().to_string(),
            object: e.object,
            change: e.change.as_str().to_string(),
            local: e.local,
            production: e.production,
            environments: pair.clone(),
        })
        .collect()
}

/// Named environments: each one's schema against the reference, the first
/// database that was read (local when configured, else the first environment).
fn environment_diffs(
    observed: &[(String, Observed)],
    options: &DiffOptions,
) -> (
    Vec<SchemaDiffEntry>,
    std::collections::BTreeMap<String, usize>,
) {
    let mut entries = Vec::new();
    let mut ignored = std::collections::BTreeMap::new();
    let mut read = observed
        .iter()
        .filter_map(|(name, o)| o.snapshot().map(|s| (name, s)));
    let Some((reference_name, reference)) = read.next() else {
        return (entries, ignored);
    };
    for (name, snapshot) in read {
        let diff = compare::diff(reference, snapshot, options);
        entries.extend(diff_entries(
            diff.entries,
            Some([reference_name.clone(), name.clone()]),
        ));
        for (kind, count) in diff.ignored {
            *ignored.entry(kind).or_insert(0) += count;
        }
    }
    (entries, ignored)
}

/// `--env NAME…` in the order given, or every `[env.NAME]` (`--all-envs`).
fn selected_envs<'c>(
    args: &CheckArgs,
    config: &'c Config,
) -> anyhow::Result<Vec<(String, &'c EnvConfig)>> {
    let place = config
        .path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "no driftcheck.toml was found".to_string());
    if args.all_envs {
        if config.env.is_empty() {
            return Err(input_error(format!(
                "--all-envs: no [env.NAME] tables in the config ({place})"
            )));
        }
        return Ok(config.env.iter().map(|(n, e)| (n.clone(), e)).collect());
    }
    let mut selected: Vec<(String, &EnvConfig)> = Vec::new();
    for name in &args.envs {
        let Some(env) = config.env.get(name) else {
            let known: Vec<&str> = config.env.keys().map(String::as_str).collect();
            return Err(input_error(format!(
                "--env {name}: no [env.{name}] in the config ({place}); known: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        if !selected.iter().any(|(n, _)| n == name) {
            selected.push((name.clone(), env));
        }
    }
    Ok(selected)
}

/// How to read one `[env.NAME]`, and its version table.
fn env_source(
    name: &str,
    env: &EnvConfig,
    args: &CheckArgs,
) -> anyhow::Result<(Source, VersionTableName)> {
    let key = |k: &str| format!("[env.{name}] {k}");
    let sources = [
        env.url_env.is_some(),
        env.url.is_some(),
        env.secret_id.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if sources != 1 {
        return Err(input_error(format!(
            "[env.{name}]: give exactly one of url-env, url or secret-id"
        )));
    }
    let version_table = match args
        .version_table
        .as_deref()
        .or(env.version_table.as_deref())
    {
        Some(text) => VersionTableName::parse(text)
            .map_err(|e| input_error(format!("{} {text:?}: {e}", key("version-table"))))?,
        None => VersionTableName::default(),
    };
    let source = if let Some(var) = &env.url_env {
        match env_nonempty(var) {
            Some(url) => Source::Live(
                database::parse_target(&url, Role::Production)
                    .map_err(|e| input_error(format!("{} ({var}): {e}", key("url-env"))))?,
            ),
            // An unset variable degrades like an unreachable database: one
            // environment's missing secret must not hide the others.
            None => Source::Missing {
                reason: "not_configured",
                message: format!("environment variable {var} ({}) is not set", key("url-env")),
            },
        }
    } else if let Some(url) = &env.url {
        let target = database::parse_target(url, Role::Production)
            .map_err(|e| input_error(format!("{}: {e}", key("url"))))?;
        if url::Url::parse(url).is_ok_and(|u| u.password().is_some()) {
            return Err(input_error(format!(
                "{}: holds a password; committed files must not: use url-env = \"VAR\" and set VAR",
                key("url")
            )));
        }
        Source::Live(target)
    } else {
        let mut request = SecretRequest::new(env.secret_id.clone().unwrap_or_default());
        request.region = args.aws_region.clone().or_else(|| env.region.clone());
        request.profile = args.aws_profile.clone().or_else(|| env.profile.clone());
        Source::Secret(request)
    };
    Ok((source, version_table))
}

/// The webhook for alerts: flag, then env, then `[notify] webhook-url-env`.
fn webhook(args: &CheckArgs, config: &Config) -> anyhow::Result<Option<notify::Webhook>> {
    let found = if let Some(url) = &args.notify_webhook {
        Some((url.clone(), "--notify-webhook".to_string()))
    } else if let Some(url) = env_nonempty("DRIFTCHECK_WEBHOOK_URL") {
        Some((url, "DRIFTCHECK_WEBHOOK_URL".to_string()))
    } else if let Some(var) = &config.notify.webhook_url_env {
        env_nonempty(var).map(|url| (url, format!("{var} ([notify] webhook-url-env)")))
    } else {
        None
    };
    match found {
        None if args.notify_always => Err(input_error(
            "--notify-always: no webhook; pass --notify-webhook URL or set DRIFTCHECK_WEBHOOK_URL",
        )),
        None => Ok(None),
        Some((url, origin)) => notify::Webhook::parse(&url, &origin)
            .map(Some)
            .map_err(|e| input_error(e.to_string())),
    }
}

/// Evidence for one pending migration against one snapshot.
fn assess_pending(revision: &Revision, snapshot: &Snapshot) -> Assessment {
    match crate::evidence::assess_file(&revision.file, snapshot, "public") {
        Ok(assessment) => Assessment {
            evidence: assessment.evidence.as_str().to_string(),
            details: assessment.details,
        },
        Err(error) => Assessment {
            evidence: "unknown".to_string(),
            details: vec![format!("cannot read {}: {error}", revision.file.display())],
        },
    }
}

/// Why a database could not be observed (production degrades on it).
struct Failure {
    reason: String,
    message: String,
}

async fn observe(
    name: &str,
    source: &Source,
    options: &ReadOptions,
) -> Result<Observed, ObserveError> {
    match source {
        Source::Skip { reason, message } => Ok(Observed::Skipped {
            reason: reason.to_string(),
            message: message.clone(),
        }),
        Source::Missing { reason, message } => Err(ObserveError::Failure(Failure {
            reason: reason.to_string(),
            message: message.clone(),
        })),
        Source::SnapshotFile(path) => {
            let snapshot = read_snapshot_file(path).map_err(|e| ObserveError::input(name, e))?;
            Ok(Observed::Read {
                snapshot: Box::new(snapshot),
                database: Some(format!("snapshot file {}", path.display())),
            })
        }
        Source::Live(target) => read_live(target, options).await,
        Source::Secret(request) => {
            let url = secrets::production_url(request).await.map_err(|e| {
                ObserveError::Failure(Failure {
                    reason: e.reason_code().to_string(),
                    message: e.to_string(),
                })
            })?;
            let target = database::parse_target(url.expose(), Role::Production).map_err(|e| {
                ObserveError::Failure(Failure {
                    reason: "malformed_secret".to_string(),
                    message: format!(
                        "secret {:?} does not hold a usable database URL: {e}",
                        request.secret_id
                    ),
                })
            })?;
            read_live(&target, options).await
        }
    }
}

async fn read_live(
    target: &ConnectTarget,
    options: &ReadOptions,
) -> Result<Observed, ObserveError> {
    match database::read_database(target, options).await {
        Ok(snapshot) => Ok(Observed::Read {
            snapshot: Box::new(snapshot),
            database: Some(target.describe()),
        }),
        Err(error) => Err(ObserveError::Database(error)),
    }
}

enum ObserveError {
    /// Bad input (a snapshot file): always fatal, exit 2.
    Input(anyhow::Error),
    Database(database::DbError),
    Failure(Failure),
}

impl ObserveError {
    fn input(name: &str, error: anyhow::Error) -> ObserveError {
        ObserveError::Input(input_error(format!("{name} snapshot: {error:#}")))
    }
}

impl From<ObserveError> for anyhow::Error {
    fn from(error: ObserveError) -> anyhow::Error {
        match error {
            ObserveError::Input(e) => e,
            ObserveError::Database(e) => e.into_exit_error(),
            ObserveError::Failure(f) => unreachable_error(f.message),
        }
    }
}

impl From<ObserveError> for Failure {
    fn from(error: ObserveError) -> Failure {
        match error {
            ObserveError::Input(e) => Failure {
                reason: "invalid_snapshot".to_string(),
                message: format!("{e:#}"),
            },
            ObserveError::Database(e) => Failure {
                reason: db_reason(&e).to_string(),
                message: e.to_string(),
            },
            ObserveError::Failure(f) => f,
        }
    }
}

fn db_reason(error: &database::DbError) -> &'static str {
    use database::DbError::*;
    match error {
        InvalidUrl { .. } => "invalid_url",
        Unreachable { .. } => "server_unreachable",
        AuthFailed { .. } => "authentication_failed",
        Rejected { .. } => "connection_rejected",
        DatabaseMissing { .. } => "database_missing",
        Timeout { .. } => "timeout",
        ConnectionLost { .. } => "connection_lost",
        Tls { .. } => "tls_failed",
        Query { .. } => "query_failed",
    }
}

fn read_snapshot_file(path: &Path) -> anyhow::Result<Snapshot> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let snapshot: Snapshot = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a driftcheck snapshot", path.display()))?;
    if snapshot.format != crate::schema::SNAPSHOT_FORMAT {
        anyhow::bail!(
            "{} has snapshot format {}, this driftcheck reads format {}",
            path.display(),
            snapshot.format,
            crate::schema::SNAPSHOT_FORMAT
        );
    }
    Ok(snapshot)
}

fn discovery(args: &CheckArgs, config: &Config, cwd: &Path) -> Discovery {
    let migration_dirs = if !args.migrations.migrations.is_empty() {
        args.migrations.migrations.clone()
    } else {
        config
            .migrations
            .iter()
            .map(|d| config.resolve(d))
            .collect()
    };
    Discovery {
        migration_dirs,
        alembic_ini: args
            .migrations
            .alembic_ini
            .clone()
            .or_else(|| config.alembic_ini.as_deref().map(|p| config.resolve(p))),
        start_dir: Some(cwd.to_path_buf()),
    }
}

fn pick(flag: &[String], config: &[String]) -> Vec<String> {
    if flag.is_empty() {
        config.to_vec()
    } else {
        flag.to_vec()
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The local database when one is configured (named environments, gate).
fn optional_local_source(args: &CheckArgs, config: &Config) -> anyhow::Result<Option<Source>> {
    let configured = args.local_snapshot.is_some()
        || args.local_url.is_some()
        || env_nonempty("DRIFTCHECK_LOCAL_URL").is_some()
        || env_nonempty("DATABASE_URL").is_some()
        || config
            .local
            .url_env
            .as_deref()
            .and_then(env_nonempty)
            .is_some();
    if configured {
        local_source(args, config).map(Some)
    } else {
        Ok(None)
    }
}

fn local_source(args: &CheckArgs, config: &Config) -> anyhow::Result<Source> {
    if let Some(path) = &args.local_snapshot {
        return Ok(Source::SnapshotFile(path.clone()));
    }
    let (url, origin) = if let Some(url) = &args.local_url {
        (url.clone(), "--local-url".to_string())
    } else if let Some(url) = env_nonempty("DRIFTCHECK_LOCAL_URL") {
        (url, "DRIFTCHECK_LOCAL_URL".to_string())
    } else if let Some(url) = env_nonempty("DATABASE_URL") {
        (url, "DATABASE_URL".to_string())
    } else if let Some(url) = config.local.url_env.as_deref().and_then(env_nonempty) {
        (url, config.local.url_env.clone().unwrap_or_default())
    } else {
        return Err(input_error(
            "no local database: pass --local-url URL, set DRIFTCHECK_LOCAL_URL or DATABASE_URL, or use --local-snapshot FILE",
        ));
    };
    let target = database::parse_target(&url, Role::Local)
        .map_err(|e| input_error(format!("{origin}: {e}")))?;
    Ok(Source::Live(target))
}

fn production_source(args: &CheckArgs, config: &Config) -> anyhow::Result<Source> {
    if args.skip_production {
        return Ok(Source::Skip {
            reason: "skipped",
            message: "skipped (--skip-production)".to_string(),
        });
    }
    if let Some(path) = &args.prod_snapshot {
        return Ok(Source::SnapshotFile(path.clone()));
    }
    let url = args
        .prod_url
        .clone()
        .map(|u| (u, "--prod-url".to_string()))
        .or_else(|| {
            env_nonempty("DRIFTCHECK_PROD_URL").map(|u| (u, "DRIFTCHECK_PROD_URL".to_string()))
        })
        .or_else(|| {
            let name = config.production.url_env.as_deref()?;
            env_nonempty(name).map(|u| (u, name.to_string()))
        });
    if let Some((url, origin)) = url {
        let target = database::parse_target(&url, Role::Production)
            .map_err(|e| input_error(format!("{origin}: {e}")))?;
        return Ok(Source::Live(target));
    }
    let secret_id = args
        .prod_secret_id
        .clone()
        .or_else(|| env_nonempty("DRIFTCHECK_PROD_SECRET_ID"))
        .or_else(|| config.production.secret_id.clone());
    if let Some(secret_id) = secret_id {
        let mut request = SecretRequest::new(secret_id);
        request.region = args
            .aws_region
            .clone()
            .or_else(|| config.production.region.clone());
        request.profile = args
            .aws_profile
            .clone()
            .or_else(|| config.production.profile.clone());
        return Ok(Source::Secret(request));
    }
    if args.require_production || config.production.require {
        return Err(input_error(
            "--require-production: no production source; pass --prod-secret-id ID or --prod-url URL (or set DRIFTCHECK_PROD_SECRET_ID / DRIFTCHECK_PROD_URL)",
        ));
    }
    Ok(Source::Skip {
        reason: "not_configured",
        message: "skipped: no production source configured (pass --prod-secret-id or --prod-url; --skip-production silences this)".to_string(),
    })
}

fn ignore_rules(config: &Config) -> anyhow::Result<Ignore> {
    let place = || {
        config
            .path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "driftcheck.toml".to_string())
    };
    let rules = match &config.ignore {
        None => IgnoreRules::default(),
        Some(table) => IgnoreRules::from_toml(table).map_err(|e| {
            input_error(format!("invalid [ignore] in {}: {}", place(), e.message()))
        })?,
    };
    rules
        .compile()
        .map_err(|e| input_error(format!("invalid [ignore] in {}: {e}", place())))
}

fn report_destination(
    args: &CheckArgs,
    config: &Config,
    cwd: &Path,
) -> anyhow::Result<ReportDestination> {
    if args.no_report {
        return Ok(ReportDestination::None);
    }
    if let Some(path) = &args.report {
        if path.as_os_str() == "-" {
            return Ok(ReportDestination::Stdout);
        }
        if path.exists() {
            return Err(input_error(format!(
                "--report {}: the file exists and driftcheck never overwrites a report; choose another path",
                path.display()
            )));
        }
        return Ok(ReportDestination::File {
            path: path.clone(),
            explicit: true,
        });
    }
    let dir = config
        .report_dir
        .as_deref()
        .map(|d| config.resolve(d))
        .unwrap_or_else(|| cwd.join("drift-reports"));
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let relative = |p: PathBuf| p.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(p);
    Ok(ReportDestination::File {
        path: relative(dir.join(format!("drift-{stamp}.md"))),
        explicit: false,
    })
}

/// `drift-….md`, else `drift-…-2.md`, `-3`, … : the first name not taken.
fn first_free_report_path(path: &Path) -> PathBuf {
    (1..100)
        .map(|attempt| report_path_variant(path, attempt))
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| report_path_variant(path, 100))
}

fn report_path_variant(path: &Path, attempt: u32) -> PathBuf {
    if attempt == 1 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{stem}-{attempt}.md"))
}

/// Write the report, never over an existing file. A default path taken since it
/// was chosen (a concurrent run) moves to the next free name, and the report is
/// rendered again so that it names the file it is in.
fn write_report(report: &mut CheckReport, path: &Path, explicit: bool) -> anyhow::Result<()> {
    let mut candidate = path.to_path_buf();
    loop {
        report.report_path = Some(candidate.display().to_string());
        let text = render::markdown_report(report);
        match fsutil::write_new(&candidate, text.as_bytes()) {
            Ok(()) => return Ok(()),
            Err(fsutil::WriteError::Exists { .. }) if !explicit => {
                let next = first_free_report_path(&candidate);
                if next == candidate || next.exists() {
                    return Err(input_error(format!(
                        "no free report name next to {}",
                        path.display()
                    )));
                }
                candidate = next;
            }
            Err(e) => return Err(input_error(e.to_string())),
        }
    }
}

fn ris_setup(
    args: &CheckArgs,
    config: &Config,
    cwd: &Path,
) -> anyhow::Result<(PathBuf, RisConfig)> {
    let ris_config: RisConfig = match &config.ris {
        None => RisConfig::default(),
        Some(table) => table.clone().try_into().map_err(|e: toml::de::Error| {
            input_error(format!("invalid [ris] in driftcheck.toml: {}", e.message()))
        })?,
    };
    let ris_config = RisConfig {
        dir: ris_config.dir.as_deref().map(|d| config.resolve(d)),
        ..ris_config
    };
    let Some(dir) = incident::resolve_ris_dir(args.ris_dir.as_deref(), &ris_config, cwd) else {
        return Err(input_error(
            "--create-ris: no RIS directory; pass --ris-dir DIR, set [ris] dir in driftcheck.toml, or create docs/ris/",
        ));
    };
    if !cwd.join(&dir).is_dir() {
        return Err(input_error(format!(
            "--ris-dir {}: no such directory (driftcheck does not create it)",
            dir.display()
        )));
    }
    Ok((dir, ris_config))
}
