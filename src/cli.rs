//! Command-line interface: argument definitions only. Behaviour lives in the
//! modules the `commands` dispatch calls.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "driftcheck",
    version,
    about = "Tell when a PostgreSQL database has drifted from its Alembic migrations or from another environment",
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 no drift, 1 drift found, 2 usage or input error, 3 a required database or secret could not be reached."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,

    /// Log to stderr where time goes (-v), with details (-vv); env DRIFTCHECK_LOG
    /// takes a `tracing` filter instead (e.g. `debug`).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print errors only (no notes, warnings or logs).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the codebase revision graph (no database).
    Graph(GraphArgs),
    /// Save a schema snapshot of a database as JSON, for offline compares.
    Snapshot(SnapshotArgs),
    /// The check as a deploy gate: exit 1 unless the databases can be deployed to.
    #[command(
        after_help = "Exit codes: 0 deployable, 1 blocked (see the `blocking:` lines), 2 usage or input error, 3 a database could not be read (the gate never passes what it could not see). See docs/automation.md."
    )]
    Gate(Box<GateArgs>),
    /// Print a shell completion script (see README, Integrations).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout: `driftcheck man | man -l -`.
    Man,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `driftcheck gate`: the check's options plus what a pipeline may tolerate.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// Pass when the only difference is pending migrations that are not applied
    /// (the deploy's `alembic upgrade heads` applies them). Migrations applied by
    /// hand, partially applied or unverifiable ones, renamed, unknown or diverged
    /// revisions still fail: `alembic upgrade` would break on them.
    #[arg(long)]
    pub allow_pending: bool,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// Where the migrations are.
#[derive(Debug, Clone, Args, Default)]
pub struct MigrationArgs {
    /// Alembic version directory (repeatable). Default: from alembic.ini.
    #[arg(long = "migrations", value_name = "DIR")]
    pub migrations: Vec<PathBuf>,

    /// alembic.ini to read (default: found in the current directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub alembic_ini: Option<PathBuf>,

    /// Section of alembic.ini to read instead of [alembic] (Alembic's -n/--name).
    #[arg(short = 'n', long, value_name = "SECTION")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub migrations: MigrationArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// List each migration's `upgrade()` as driftcheck reads it: every
    /// operation understood, and what stays unknown (file:line), with the
    /// share of migrations fully understood.
    #[arg(long)]
    pub effects: bool,
}

/// Which objects to introspect.
#[derive(Debug, Clone, Args, Default)]
pub struct SchemaFilterArgs {
    /// Only introspect this schema (repeatable).
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,

    /// Skip this schema (repeatable).
    #[arg(long = "exclude-schema", value_name = "NAME")]
    pub exclude_schemas: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    /// Database URL (libpq style; Unix sockets: postgresql:///db?host=/path).
    #[arg(
        long,
        value_name = "URL",
        env = "DRIFTCHECK_LOCAL_URL",
        hide_env_values = true
    )]
    pub url: String,

    /// Output file (never overwritten; `-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Alembic version table, `[schema.]name`.
    #[arg(long, value_name = "[SCHEMA.]NAME")]
    pub version_table: Option<String>,

    #[command(flatten)]
    pub filter: SchemaFilterArgs,
}

#[derive(Debug, Clone, Args, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub migrations: MigrationArgs,

    /// Local database URL (env DRIFTCHECK_LOCAL_URL, then DATABASE_URL).
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub local_url: Option<String>,

    /// Use a saved snapshot (JSON) instead of a live local database.
    #[arg(long, value_name = "FILE", conflicts_with = "local_url")]
    pub local_snapshot: Option<PathBuf>,

    /// Compare local against the codebase only; production is reported as skipped.
    #[arg(
        long,
        conflicts_with_all = ["prod_secret_id", "prod_url", "prod_snapshot", "require_production"]
    )]
    pub skip_production: bool,

    /// AWS Secrets Manager secret holding production credentials (env DRIFTCHECK_PROD_SECRET_ID).
    #[arg(long, value_name = "ID")]
    pub prod_secret_id: Option<String>,

    /// Production database URL without Secrets Manager (env DRIFTCHECK_PROD_URL).
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub prod_url: Option<String>,

    /// Use a saved snapshot (JSON) instead of a live production database.
    #[arg(long, value_name = "FILE")]
    pub prod_snapshot: Option<PathBuf>,

    /// The schema the codebase expects: a snapshot of a database migrated to
    /// the heads by real Alembic (config `expected-snapshot`). Every database
    /// read is also compared with it, so hand-made changes show up even with
    /// --skip-production.
    #[arg(long, value_name = "FILE")]
    pub expected_snapshot: Option<PathBuf>,

    /// AWS region for Secrets Manager.
    #[arg(long, value_name = "REGION")]
    pub aws_region: Option<String>,

    /// AWS profile for Secrets Manager.
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,

    /// Production unavailable is an error (exit 3) instead of a degraded report.
    #[arg(long)]
    pub require_production: bool,

    /// Alembic version table, `[schema.]name` (default alembic_version).
    #[arg(long, value_name = "[SCHEMA.]NAME")]
    pub version_table: Option<String>,

    #[command(flatten)]
    pub filter: SchemaFilterArgs,

    /// Report column order differences between local and production.
    #[arg(long)]
    pub strict_column_order: bool,

    /// Compare grants (ACLs).
    #[arg(long)]
    pub include_privileges: bool,

    /// Compare object owners.
    #[arg(long)]
    pub include_owners: bool,

    /// Compare `COMMENT ON` text (config: `include-comments = true`).
    #[arg(long)]
    pub include_comments: bool,

    /// Markdown report path (`-` = stdout). Default: a new file under drift-reports/.
    #[arg(long, value_name = "PATH", conflicts_with = "no_report")]
    pub report: Option<PathBuf>,

    /// Do not write a markdown report.
    #[arg(long)]
    pub no_report: bool,

    /// What goes to stdout.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write an incident (RIS) draft when drift is found.
    #[arg(long)]
    pub create_ris: bool,

    /// Directory for RIS drafts (default: config, else docs/ris/ when it exists).
    #[arg(long, value_name = "DIR")]
    pub ris_dir: Option<PathBuf>,

    /// driftcheck.toml (default: found in the current directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Check this environment of driftcheck.toml's `[env.NAME]` (repeatable; in
    /// place of production). The first is the schema reference when no local
    /// database is configured.
    #[arg(long = "env", value_name = "NAME", conflicts_with = "all_envs")]
    pub envs: Vec<String>,

    /// Check every `[env.NAME]` of driftcheck.toml (alphabetical order).
    #[arg(long)]
    pub all_envs: bool,

    /// Post a Slack-compatible alert to this webhook when drift is found (env
    /// DRIFTCHECK_WEBHOOK_URL; config [notify] webhook-url-env). Never printed.
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub notify_webhook: Option<String>,

    /// Post the alert even when no drift is found.
    #[arg(long)]
    pub notify_always: bool,
}
