//! Where a run's results go: the markdown report, stdout's format, the RIS
//! draft, GitHub Actions, and the webhook alert.

use super::{Env, Inputs};
use crate::cli::{CheckArgs, Format};
use crate::exit::input_error;
use crate::incident::{self, RisConfig};
use crate::notify;
use std::path::{Path, PathBuf};

/// Every output of one run.
#[derive(Debug)]
pub struct Outputs {
    pub report: ReportDestination,
    /// What goes to stdout (unless the report itself does, `--report -`).
    pub format: Format,
    /// `--create-ris`: where the draft goes and its metadata.
    pub ris: Option<RisOutput>,
    /// Under GitHub Actions (`GITHUB_ACTIONS=true`).
    pub github: Option<GitHub>,
    pub alert: Option<Alert>,
    /// The directory the run started in (RIS drafts name paths against it).
    pub cwd: PathBuf,
}

/// Where the markdown report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportDestination {
    None,
    Stdout,
    /// `explicit`: named by `--report` (never replaced by another name);
    /// else the default name, moved to the first free one when taken.
    File {
        path: PathBuf,
        explicit: bool,
    },
}

#[derive(Debug)]
pub struct RisOutput {
    pub dir: PathBuf,
    pub config: RisConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    /// `$GITHUB_STEP_SUMMARY`: the file the step summary is appended to.
    pub step_summary: Option<PathBuf>,
}

/// The webhook alert.
#[derive(Debug)]
pub struct Alert {
    pub webhook: notify::Webhook,
    /// Post even when no drift is found (`--notify-always`, `[notify] always`).
    pub always: bool,
}

pub(super) fn report_destination(input: &Inputs<'_>) -> anyhow::Result<ReportDestination> {
    let (args, config, cwd) = (input.args, input.config, input.cwd);
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
    let stamp = input.now.format("%Y%m%dT%H%M%SZ");
    let relative = |p: PathBuf| p.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(p);
    Ok(ReportDestination::File {
        path: relative(dir.join(format!("drift-{stamp}.md"))),
        explicit: false,
    })
}

/// `--format`, text by default; the report on stdout leaves no room for another format.
pub(super) fn stdout_format(
    args: &CheckArgs,
    report: &ReportDestination,
) -> anyhow::Result<Format> {
    if matches!(report, ReportDestination::Stdout)
        && args.format.is_some_and(|f| f != Format::Markdown)
    {
        return Err(input_error(
            "--report - writes the markdown report to stdout, which --format also wants; drop one of them",
        ));
    }
    Ok(args.format.unwrap_or(Format::Text))
}

/// `--create-ris`: `--ris-dir`, else `[ris] dir`, else `docs/ris/` when it exists.
pub(super) fn ris(input: &Inputs<'_>) -> anyhow::Result<Option<RisOutput>> {
    let (args, config, cwd) = (input.args, input.config, input.cwd);
    if !args.create_ris {
        return Ok(None);
    }
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
    Ok(Some(RisOutput {
        dir,
        config: ris_config,
    }))
}

/// The webhook for alerts: flag, then env, then `[notify] webhook-url-env`.
pub(super) fn alert(input: &Inputs<'_>) -> anyhow::Result<Option<Alert>> {
    let (args, config, env) = (input.args, input.config, input.env);
    let found = if let Some(url) = &args.notify_webhook {
        Some((url.clone(), "--notify-webhook".to_string()))
    } else if let Some(url) = env.get("DRIFTCHECK_WEBHOOK_URL") {
        Some((url, "DRIFTCHECK_WEBHOOK_URL".to_string()))
    } else if let Some(var) = &config.notify.webhook_url_env {
        env.get(var)
            .map(|url| (url, format!("{var} ([notify] webhook-url-env)")))
    } else {
        None
    };
    match found {
        None if args.notify_always => Err(input_error(
            "--notify-always: no webhook; pass --notify-webhook URL or set DRIFTCHECK_WEBHOOK_URL",
        )),
        None => Ok(None),
        Some((url, origin)) => notify::Webhook::parse(&url, &origin)
            .map(|webhook| {
                Some(Alert {
                    webhook,
                    always: args.notify_always || config.notify.always,
                })
            })
            .map_err(|e| input_error(e.to_string())),
    }
}

/// GitHub Actions output when `GITHUB_ACTIONS=true`.
pub(super) fn github(env: Env<'_>) -> Option<GitHub> {
    (env.get("GITHUB_ACTIONS").as_deref() == Some("true")).then(|| GitHub {
        step_summary: env.get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
    })
}
