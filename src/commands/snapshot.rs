//! `driftcheck snapshot`. OWNER: database helper (issue 4).
use crate::cli::SnapshotArgs;
use crate::exit::ExitCode;

pub fn run(_args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("snapshot is not implemented yet")
}
