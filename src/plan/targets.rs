//! Which databases a run reads and how: local, then production or the named
//! environments of `driftcheck.toml`, each from a URL, a secret, a snapshot
//! file, or not at all (skipped, or configured but missing at run time).

use super::{config_place, Inputs};
use crate::cli::CheckArgs;
use crate::config::{Config, EnvConfig};
use crate::database::{self, ConnectTarget, ReadOptions, Role, VersionTableName};
use crate::exit::input_error;
use crate::secrets::SecretRequest;
use std::path::PathBuf;

/// Where one database's schema comes from. A handful per run: size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Source {
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

/// One database to read: its name in the report and how to read it.
#[derive(Debug)]
pub struct Target {
    pub name: String,
    pub source: Source,
    pub options: ReadOptions,
    /// Failure to read it ends the run (exit 3) instead of degrading the report.
    pub required: bool,
}

/// What the schema diff compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// Local against production (the first two targets).
    LocalProduction,
    /// Named environments: each against the first database that was read
    /// (local when configured, else the first environment).
    FirstRead,
}

/// Local (when needed or configured), then the environments or production.
pub(super) fn resolve(
    input: &Inputs<'_>,
    read: &ReadOptions,
    production_read: ReadOptions,
) -> anyhow::Result<(Vec<Target>, Reference)> {
    let (args, config) = (input.args, input.config);
    let env_mode = !args.envs.is_empty() || args.all_envs;
    // Named environments and the gate do not need a local database; the plain
    // check does (it is what the check compares against).
    let local = if env_mode || input.gate.is_some() {
        optional_local_source(input)?
    } else {
        Some(local_source(input)?)
    };
    let mut targets = Vec::new();
    if let Some(source) = local {
        targets.push(Target {
            name: "local".to_string(),
            source,
            options: read.clone(),
            required: true,
        });
    }
    let reference = if env_mode {
        environments(input, read, &mut targets)?;
        Reference::FirstRead
    } else {
        targets.push(Target {
            name: "production".to_string(),
            source: production_source(input)?,
            options: production_read,
            required: args.require_production || config.production.require,
        });
        Reference::LocalProduction
    };
    if targets.is_empty() {
        return Err(input_error(
            "nothing to check: pass --local-url URL, --prod-url URL / --prod-secret-id ID, or --env NAME",
        ));
    }
    Ok((targets, reference))
}

/// `--env`/`--all-envs`: the selected `[env.NAME]`s, after local.
fn environments(
    input: &Inputs<'_>,
    read: &ReadOptions,
    targets: &mut Vec<Target>,
) -> anyhow::Result<()> {
    let args = input.args;
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
    for (name, env) in selected_envs(args, input.config)? {
        if targets.iter().any(|t| t.name == name) {
            return Err(input_error(format!(
                "[env.{name}] clashes with the local database's name in the report; rename the environment"
            )));
        }
        let (source, version_table) = env_source(&name, env, input)?;
        targets.push(Target {
            name,
            source,
            options: ReadOptions {
                version_table,
                ..read.clone()
            },
            required: false,
        });
    }
    Ok(())
}

/// The local database when one is configured (named environments, gate).
fn optional_local_source(input: &Inputs<'_>) -> anyhow::Result<Option<Source>> {
    let (args, env) = (input.args, input.env);
    let configured = args.local_snapshot.is_some()
        || args.local_url.is_some()
        || env.get("DRIFTCHECK_LOCAL_URL").is_some()
        || env.get("DATABASE_URL").is_some()
        || input
            .config
            .local
            .url_env
            .as_deref()
            .and_then(|var| env.get(var))
            .is_some();
    if configured {
        local_source(input).map(Some)
    } else {
        Ok(None)
    }
}

/// `--local-snapshot`, else the URL: `--local-url`, `DRIFTCHECK_LOCAL_URL`,
/// `DATABASE_URL`, then the variable named by `[local] url-env`.
fn local_source(input: &Inputs<'_>) -> anyhow::Result<Source> {
    let (args, env) = (input.args, input.env);
    if let Some(path) = &args.local_snapshot {
        return Ok(Source::SnapshotFile(path.clone()));
    }
    let url_env = input.config.local.url_env.as_deref();
    let (url, origin) = if let Some(url) = &args.local_url {
        (url.clone(), "--local-url".to_string())
    } else if let Some(url) = env.get("DRIFTCHECK_LOCAL_URL") {
        (url, "DRIFTCHECK_LOCAL_URL".to_string())
    } else if let Some(url) = env.get("DATABASE_URL") {
        (url, "DATABASE_URL".to_string())
    } else if let Some((var, url)) = url_env.and_then(|var| Some((var, env.get(var)?))) {
        (url, var.to_string())
    } else if let Some(found) = alembic_fallback(input)? {
        (found.expose().to_string(), found.origin.clone())
    } else {
        return Err(input_error(
            "no local database: pass --local-url URL, set DRIFTCHECK_LOCAL_URL or DATABASE_URL, set sqlalchemy.url in alembic.ini, or use --local-snapshot FILE",
        ));
    };
    let target = database::parse_target(&url, Role::Local)
        .map_err(|e| input_error(format!("{origin}: {e}")))?;
    Ok(Source::Live(target))
}

/// Alembic's own `sqlalchemy.url` (of the `--name` section), as `alembic
/// upgrade` would use it. Only for the plain check's local database: a gate or
/// `--env` run must not start needing the developer database an alembic.ini names.
fn alembic_fallback(input: &Inputs<'_>) -> anyhow::Result<Option<crate::migrations::AlembicUrl>> {
    let discovery = super::discovery(input.args, input.config, input.cwd);
    Ok((input.alembic_url)(&discovery)?.filter(|u| u.is_postgres()))
}

/// Skipped, a snapshot file, a URL (flag, `DRIFTCHECK_PROD_URL`, `[production]
/// url-env`), a secret (flag, `DRIFTCHECK_PROD_SECRET_ID`, `[production]
/// secret-id`), or not configured.
fn production_source(input: &Inputs<'_>) -> anyhow::Result<Source> {
    let (args, env, config) = (input.args, input.env, input.config);
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
            env.get("DRIFTCHECK_PROD_URL")
                .map(|u| (u, "DRIFTCHECK_PROD_URL".to_string()))
        })
        .or_else(|| {
            let name = config.production.url_env.as_deref()?;
            env.get(name).map(|u| (u, name.to_string()))
        });
    if let Some((url, origin)) = url {
        let target = database::parse_target(&url, Role::Production)
            .map_err(|e| input_error(format!("{origin}: {e}")))?;
        return Ok(Source::Live(target));
    }
    let secret_id = args
        .prod_secret_id
        .clone()
        .or_else(|| env.get("DRIFTCHECK_PROD_SECRET_ID"))
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

/// `--env NAME…` in the order given, or every `[env.NAME]` (`--all-envs`).
fn selected_envs<'c>(
    args: &CheckArgs,
    config: &'c Config,
) -> anyhow::Result<Vec<(String, &'c EnvConfig)>> {
    let place = config_place(config, "no driftcheck.toml was found");
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
    input: &Inputs<'_>,
) -> anyhow::Result<(Source, VersionTableName)> {
    let args = input.args;
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
        match input.env.get(var) {
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
