use clap::Parser;
use driftcheck::{cli::Cli, exit, logging};

// Measured in bench/README.md: the graph and the diff allocate many small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // SIGINT/SIGTERM: exit 130/143, no partial file left behind.
    driftcheck::signals::install();
    let verbosity = logging::Verbosity {
        verbose: cli.verbose,
        quiet: cli.quiet,
    };
    if let Err(message) = logging::init(verbosity) {
        eprintln!("driftcheck: error: {message}");
        return std::process::ExitCode::from(exit::ExitCode::Input as u8);
    }
    match driftcheck::commands::run(cli) {
        Ok(code) => std::process::ExitCode::from(code as u8),
        Err(error) => {
            eprintln!(
                "driftcheck: error: {}",
                driftcheck::escape::diagnostic(&format!("{error:#}"))
            );
            std::process::ExitCode::from(exit::code_of(&error) as u8)
        }
    }
}
