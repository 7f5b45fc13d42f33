//! One function per subcommand; each returns the exit code of a run that
//! completed, or an error that `main` reports (see `exit`).

pub mod check;
pub mod completions;
pub mod effects;
pub mod graph;
pub mod man;
pub mod snapshot;

use crate::cli::{Cli, Command};
use crate::exit::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Graph(args)) => graph::run(&args),
        Some(Command::Snapshot(args)) => snapshot::run(&args),
        Some(Command::Gate(args)) => check::run_gate(&args),
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Man) => man::run(),
        None => check::run(&cli.check),
    }
}

/// Write a generated document (completion script, man page) to stdout; a closed
/// pipe (`driftcheck man | head`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Run async work (database, AWS) on the process's one tokio runtime.
/// Current-thread: the work is I/O-bound, and two connections interleave fine on it.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("failed to start the tokio runtime")
        .block_on(future)
}
