//! SIGINT and SIGTERM: end the run at once, removing the temporary files
//! being written (see `fsutil`), so that no partial file is ever left; exit
//! 130 or 143, as a shell does for a process killed by those signals.

use tokio::signal::unix::{signal, SignalKind};

/// Exit code for a run ended by a signal: 128 + its number.
pub const INTERRUPTED: u8 = 130;
pub const TERMINATED: u8 = 143;

/// Watch for SIGINT and SIGTERM on a thread of its own (the work may be
/// blocked in a database read or a file write when one arrives).
pub fn install() {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("driftcheck-signals".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(_) => {
                    let _ = ready_tx.send(());
                    return;
                }
            };
            runtime.block_on(async {
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    let _ = ready_tx.send(());
                    return;
                };
                let _ = ready_tx.send(());
                let (name, code) = tokio::select! {
                    _ = int.recv() => ("SIGINT", INTERRUPTED),
                    _ = term.recv() => ("SIGTERM", TERMINATED),
                };
                let (removed, _held) = crate::fsutil::remove_in_flight();
                eprintln!(
                    "driftcheck: interrupted by {name}; nothing half-written is left ({removed} temporary file(s) removed)"
                );
                std::process::exit(code.into());
            })
        });
    // The handlers are in place before any work starts.
    if spawned.is_ok() {
        let _ = ready_rx.recv();
    }
}
