//! `driftcheck completions SHELL`: the shell completion script (clap_complete),
//! generated from the same definitions as the parser, so it never lags a flag.

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::ExitCode;
use clap::CommandFactory;

pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "driftcheck", &mut script);
    super::write_stdout(&script)?;
    Ok(ExitCode::Clean)
}
