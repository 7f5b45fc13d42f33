//! Logs on stderr (`-v`, `-vv`, `-q`, `DRIFTCHECK_LOG`) and the notes and
//! warnings driftcheck prints outside them. stdout (JSON, markdown, the
//! summary) never receives a log line.
//!
//! Levels: `info` (`-v`) says where time goes — discovery, parsing, each
//! connection, each catalog query, the diff, each output written; `debug`
//! (`-vv`) adds detail. Nothing logged ever holds a password: connections are
//! named by [`crate::database::ConnectTarget::describe`].

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The environment variable holding a `tracing` filter (e.g. `debug`,
/// `driftcheck=debug,sqlx=info`).
pub const ENV: &str = "DRIFTCHECK_LOG";

static QUIET: AtomicBool = AtomicBool::new(false);

/// What the command line asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verbosity {
    /// `-v` count.
    pub verbose: u8,
    /// `-q`: errors only.
    pub quiet: bool,
}

/// The filter in force: a flag wins over `DRIFTCHECK_LOG` (flags win over the
/// environment everywhere in driftcheck), which wins over the default
/// (driftcheck's own warnings, and the driver's about `.pgpass` only).
pub fn filter_directives(verbosity: Verbosity, env: Option<&str>) -> String {
    // sqlx warns when it ignores a ~/.pgpass that others may read, as libpq does.
    const PGPASS: &str = "sqlx_postgres::options::pgpass=warn";
    let flag = match (verbosity.quiet, verbosity.verbose) {
        (true, _) => return "driftcheck=error".to_string(),
        (false, 0) => None,
        (false, 1) => Some("driftcheck=info"),
        (false, 2) => Some("driftcheck=debug"),
        (false, _) => Some("driftcheck=trace,sqlx=debug"),
    };
    match (flag, env.map(str::trim).filter(|e| !e.is_empty())) {
        (Some(flag), _) => format!("{flag},{PGPASS}"),
        (None, Some(env)) => env.to_string(),
        (None, None) => format!("driftcheck=warn,{PGPASS}"),
    }
}

/// Install the stderr subscriber. Err names `DRIFTCHECK_LOG` when its filter
/// does not parse.
pub fn init(verbosity: Verbosity) -> Result<(), String> {
    QUIET.store(verbosity.quiet, Ordering::Relaxed);
    let env = std::env::var(ENV).ok();
    let directives = filter_directives(verbosity, env.as_deref());
    let filter = tracing_subscriber::EnvFilter::builder()
        .parse(&directives)
        .map_err(|e| format!("{ENV}={directives:?} is not a valid log filter: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_target(false)
        .init();
    Ok(())
}

/// `-q` was given: notes and warnings stay silent, errors still print.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `driftcheck: MESSAGE` on stderr, unless `-q`.
pub fn note(message: impl Display) {
    if !quiet() {
        eprintln!(
            "driftcheck: {}",
            crate::escape::diagnostic(&message.to_string())
        );
    }
}

/// `driftcheck: warning: MESSAGE` on stderr, unless `-q`.
pub fn warn(message: impl Display) {
    if !quiet() {
        eprintln!(
            "driftcheck: warning: {}",
            crate::escape::diagnostic(&message.to_string())
        );
    }
}

/// Milliseconds since `start`, for log fields (`elapsed_ms=12`).
pub fn elapsed_ms(start: Instant) -> u64 {
    millis(start.elapsed())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Run `work` and log how long it took (`-v`): `timed("the schema diff", || diff(…))`.
pub fn timed<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = work();
    tracing::info!(elapsed_ms = elapsed_ms(started), "computed {what}");
    out
}

/// Log one output written: `what` (e.g. "markdown report"), `destination`
/// (a path, or "stdout"), its size when known.
pub fn output_written(what: &str, destination: impl Display, bytes: Option<usize>) {
    match bytes {
        Some(bytes) => tracing::info!(%destination, bytes, "wrote the {what}"),
        None => tracing::info!(%destination, "wrote the {what}"),
    }
}

/// [`output_written`] for a file, returning its path as text (for the report).
pub fn written(what: &str, path: impl AsRef<std::path::Path>) -> String {
    let shown = path.as_ref().display().to_string();
    output_written(what, &shown, None);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(verbose: u8, quiet: bool) -> Verbosity {
        Verbosity { verbose, quiet }
    }

    #[test]
    fn flags_win_over_the_environment() {
        assert!(filter_directives(v(0, false), None).starts_with("driftcheck=warn,"));
        assert_eq!(
            filter_directives(v(0, false), Some("  ")),
            filter_directives(v(0, false), None)
        );
        assert!(filter_directives(v(1, false), None).starts_with("driftcheck=info,"));
        assert!(filter_directives(v(2, false), Some("trace")).starts_with("driftcheck=debug,"));
        assert_eq!(filter_directives(v(0, false), Some("debug")), "debug");
        assert_eq!(
            filter_directives(v(0, true), Some("debug")),
            "driftcheck=error"
        );
        assert!(filter_directives(v(5, false), None).contains("sqlx=debug"));
    }

    #[test]
    fn milliseconds_saturate() {
        assert_eq!(millis(Duration::from_micros(2500)), 2);
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }
}
