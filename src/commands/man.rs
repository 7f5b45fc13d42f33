//! `driftcheck man`: one manual page (roff) for the whole tool — the check's
//! options, every subcommand with its own options, exit status, environment and
//! files. clap_mangen renders what the parser defines; the last three sections
//! are the tables below.

use crate::cli::Cli;
use crate::exit::ExitCode;
use clap::CommandFactory;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "No drift (gate: deployable)."),
    ("1", "Drift found, or a defect in the revision graph (several heads, a cycle, a missing parent, a duplicate revision id, a syntax error); gate: blocked."),
    ("2", "Usage or input error: a bad flag, a version directory that cannot be listed, an unreadable alembic.ini or driftcheck.toml, an expected snapshot from another codebase (a migration file that cannot be read is a graph problem: exit 1)."),
    ("3", "A required database or secret could not be reached or read."),
    ("130, 143", "Interrupted by SIGINT or SIGTERM; no partial file is left behind."),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    ("DRIFTCHECK_LOCAL_URL", "Local database URL when --local-url is not given (also snapshot's --url)."),
    ("DATABASE_URL", "Local database URL after DRIFTCHECK_LOCAL_URL, as Alembic projects often set it."),
    ("DRIFTCHECK_PROD_URL", "Production database URL when --prod-url is not given."),
    ("DRIFTCHECK_PROD_SECRET_ID", "AWS Secrets Manager secret holding production credentials."),
    ("DRIFTCHECK_WEBHOOK_URL", "Slack-compatible webhook for alerts (never printed)."),
    ("PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT, PGOPTIONS", "Fill in what a database URL leaves out, as with psql."),
    ("AWS_REGION, AWS_PROFILE", "With the AWS SDK's usual credential chain, for Secrets Manager."),
    ("DRIFTCHECK_LOG", "Log filter in tracing's syntax (e.g. driftcheck=debug); -v, -vv and -q win over it. Logs go to stderr."),
    ("DRIFTCHECK_CONNECT_TIMEOUT, DRIFTCHECK_STATEMENT_TIMEOUT, DRIFTCHECK_SECRET_TIMEOUT", "Timeouts in whole seconds for connecting, each catalog statement, and the Secrets Manager call."),
    ("PGSERVICE, PGSERVICEFILE, PGSYSCONFDIR", "A libpq service (service=NAME in a URL, or PGSERVICE) read from pg_service.conf as libpq does."),
    ("NO_COLOR", "When set and not empty: no colour in terminal output."),
    ("GITHUB_ACTIONS, GITHUB_STEP_SUMMARY", "Under GitHub Actions: the markdown report is appended to the step summary and findings are printed as ::error/::warning annotations."),
];

const FILES: &[(&str, &str)] = &[
    ("alembic.ini", "Where the migrations are (script_location, version_locations); found in the current directory or a parent unless --alembic-ini or --migrations is given."),
    ("driftcheck.toml", "Environments ([env.NAME]), ignore rules, notification and report settings; found like alembic.ini unless --config is given."),
    ("pyproject.toml", "[tool.alembic], read like alembic.ini (Alembic 1.16+); sqlalchemy.url of alembic.ini's section (--name) is the local database's last fallback."),
    ("~/.pg_service.conf, PGSYSCONFDIR/pg_service.conf", "libpq service files (PGSERVICEFILE names another)."),
    ("~/.pgpass", "Passwords for connections whose URL has none, as with libpq."),
    ("drift-reports/", "Default directory of the markdown reports (a new file per run, never overwritten)."),
    ("docs/ris/", "Default directory of incident drafts (--create-ris) when it exists."),
];

pub fn run() -> anyhow::Result<ExitCode> {
    super::write_stdout(&page()?)?;
    Ok(ExitCode::Clean)
}

/// The whole page.
pub fn page() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone())
        .title("DRIFTCHECK")
        .manual("User Commands");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;

    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    roff.to_writer(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut roff = Roff::new();
        roff.control("SS", [format!("driftcheck {}", sub.get_name()).as_str()]);
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            roff.text([roman(about.to_string())]);
        }
        roff.to_writer(&mut out)?;
        // The subcommand's own synopsis and options, under this heading.
        let sub_man = Man::new(sub.clone());
        let mut sections = Vec::new();
        sub_man.render_synopsis_section(&mut sections)?;
        sub_man.render_options_section(&mut sections)?;
        for line in String::from_utf8_lossy(&sections).lines() {
            let line = if line.starts_with(".SH ") {
                ".PP"
            } else {
                line
            };
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }

    let mut roff = Roff::new();
    for (heading, items) in [
        ("EXIT STATUS", EXIT_STATUS),
        ("ENVIRONMENT", ENVIRONMENT),
        ("FILES", FILES),
    ] {
        roff.control("SH", [heading]);
        for (term, text) in items {
            roff.control("TP", []);
            roff.text([bold(*term)]);
            roff.text([roman(*text)]);
        }
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "alembic(1), psql(1). The README and docs/ of the driftcheck repository.",
    )]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}
