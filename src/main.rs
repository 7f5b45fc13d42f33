use clap::Parser;
use driftcheck::{cli::Cli, exit};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // SIGINT/SIGTERM: exit 130/143, no partial file left behind.
    driftcheck::signals::install();
    match driftcheck::commands::run(cli) {
        Ok(code) => std::process::ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("driftcheck: error: {error:#}");
            std::process::ExitCode::from(exit::code_of(&error) as u8)
        }
    }
}
