//! The plan: everything a check run will do, decided once, before any
//! connection. Flags, the environment, the current directory and
//! `driftcheck.toml` go in; one [`Plan`] comes out. Precedence (flag, then
//! environment, then config, then default) lives only here, and every input
//! error is raised here. Pure apart from looking at paths (does the report
//! exist, is the RIS directory there); the environment is a lookup passed in.
//!
//! The run is then plan → `observe` → `check::build_report` → `outputs`.

mod outputs;
mod targets;
#[cfg(test)]
mod tests;

pub use outputs::{Alert, GitHub, Outputs, ReportDestination, RisOutput};
pub use targets::{Reference, Source, Target};

use crate::cli::CheckArgs;
use crate::compare::{DiffOptions, Ignore, IgnoreRules};
use crate::config::Config;
use crate::database::{ReadOptions, VersionTableName};
use crate::exit::input_error;
use crate::migrations::{AlembicUrl, Discovery};
use std::path::{Path, PathBuf};

/// The environment variables as the plan sees them: a lookup, so that tests
/// never touch the process environment. Blank values count as unset.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

fn process_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl<'a> Env<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Env<'a> {
        Env { lookup }
    }

    /// The process environment.
    pub fn process() -> Env<'static> {
        Env {
            lookup: &process_var,
        }
    }

    /// The variable's value, unless unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }
}

/// Running as the deploy gate (`driftcheck gate`) rather than the plain check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// Pending migrations pass the gate (`--allow-pending`).
    pub allow_pending: bool,
}

/// What the plan is made from.
pub struct Inputs<'a> {
    pub args: &'a CheckArgs,
    pub gate: Option<Gate>,
    pub env: Env<'a>,
    pub cwd: &'a Path,
    pub config: &'a Config,
    /// The run's start: stamps the default report name.
    pub now: chrono::DateTime<chrono::Utc>,
    /// `sqlalchemy.url` of the Alembic configuration a discovery finds: the
    /// local database's last fallback. Asked only when nothing else names it.
    pub alembic_url: AlembicUrlLookup<'a>,
}

/// Reads Alembic's configuration (I/O), kept out of the pure plan.
pub type AlembicUrlLookup<'a> = &'a dyn Fn(&Discovery) -> anyhow::Result<Option<AlembicUrl>>;

/// The real lookup: `sqlalchemy.url` of alembic.ini / pyproject.toml.
pub fn alembic_url(discovery: &Discovery) -> anyhow::Result<Option<AlembicUrl>> {
    crate::migrations::database_url(discovery).map_err(|e| input_error(e.to_string()))
}

/// One check run, decided.
#[derive(Debug)]
pub struct Plan {
    /// Where the migrations are.
    pub discovery: Discovery,
    /// The databases to read, in report order.
    pub targets: Vec<Target>,
    /// Which schemas the diff compares.
    pub reference: Reference,
    /// The version table as configured, `[schema.]name` (for messages).
    pub version_table_name: String,
    /// How schemas are compared, ignore rules included.
    pub diff: DiffOptions,
    pub outputs: Outputs,
    pub gate: Option<Gate>,
    /// The expected schema (`--expected-snapshot`), compared with every
    /// database read.
    pub expected_snapshot: Option<PathBuf>,
}

impl Plan {
    /// Decide the run; the first input error ends it (exit 2).
    pub fn resolve(input: &Inputs<'_>) -> anyhow::Result<Plan> {
        let (args, config) = (input.args, input.config);
        let report = outputs::report_destination(input)?;
        let format = outputs::stdout_format(args, &report)?;
        let ris = outputs::ris(input)?;
        let discovery = discovery(args, config, input.cwd);
        let tables = VersionTables::resolve(args, config)?;
        let read = ReadOptions {
            version_table: tables.local.clone(),
            include_schemas: pick(&args.filter.schemas, &config.schemas),
            exclude_schemas: pick(&args.filter.exclude_schemas, &config.exclude_schemas),
            ..ReadOptions::default()
        };
        let production_read = ReadOptions {
            version_table: tables.production,
            ..read.clone()
        };
        let (targets, reference) = targets::resolve(input, &read, production_read)?;
        let ignore = ignore_rules(config)?;
        let alert = outputs::alert(input)?;
        let diff = DiffOptions {
            strict_column_order: args.strict_column_order,
            include_owners: args.include_owners,
            include_privileges: args.include_privileges,
            include_comments: args.include_comments || config.include_comments,
            ignore,
            version_table: tables.text.clone(),
        };
        Ok(Plan {
            discovery,
            targets,
            reference,
            version_table_name: tables.text,
            diff,
            outputs: Outputs {
                report,
                format,
                ris,
                github: outputs::github(input.env),
                alert,
                cwd: input.cwd.to_path_buf(),
            },
            gate: input.gate,
            expected_snapshot: args.expected_snapshot.clone().or_else(|| {
                config
                    .expected_snapshot
                    .as_deref()
                    .map(|p| config.resolve(p))
            }),
        })
    }
}

/// The version table: as written, for local (and environments without their
/// own), and for production (`[production] version-table` unless the flag is given).
struct VersionTables {
    text: String,
    local: VersionTableName,
    production: VersionTableName,
}

impl VersionTables {
    fn resolve(args: &CheckArgs, config: &Config) -> anyhow::Result<VersionTables> {
        let text = args
            .version_table
            .clone()
            .or_else(|| config.version_table.clone())
            .unwrap_or_else(|| "alembic_version".to_string());
        let local = VersionTableName::parse(&text)
            .map_err(|e| input_error(format!("--version-table {text:?}: {e}")))?;
        let production = match &config.production.version_table {
            Some(own) if args.version_table.is_none() => VersionTableName::parse(own)
                .map_err(|e| input_error(format!("[production] version-table {own:?}: {e}")))?,
            _ => local.clone(),
        };
        Ok(VersionTables {
            text,
            local,
            production,
        })
    }
}

pub(super) fn discovery(args: &CheckArgs, config: &Config, cwd: &Path) -> Discovery {
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
        section: args.migrations.name.clone(),
    }
}

/// The flag's list when given, else the config's.
fn pick(flag: &[String], config: &[String]) -> Vec<String> {
    if flag.is_empty() {
        config.to_vec()
    } else {
        flag.to_vec()
    }
}

/// Where the config came from, for messages.
fn config_place(config: &Config, otherwise: &str) -> String {
    config
        .path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| otherwise.to_string())
}

fn ignore_rules(config: &Config) -> anyhow::Result<Ignore> {
    let place = || config_place(config, "driftcheck.toml");
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
