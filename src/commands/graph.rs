//! `driftcheck graph`. OWNER: migrations helper (issue 3).
use crate::cli::GraphArgs;
use crate::exit::ExitCode;

pub fn run(_args: &GraphArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("graph is not implemented yet")
}
