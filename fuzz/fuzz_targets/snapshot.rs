//! A saved snapshot (`schema::Snapshot::from_json`, what `--local-snapshot`
//! and `compare` load), then compared with itself: a snapshot never differs
//! from itself, and it survives a save and load unchanged.
#![no_main]

use driftcheck::compare::{diff, DiffOptions};
use driftcheck::schema::Snapshot;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = driftcheck_fuzz::text(data);
    let path = Path::new("saved/prod.json");
    let snapshot = match Snapshot::from_json(&text, path) {
        Ok(snapshot) => snapshot,
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.starts_with("saved/prod.json"),
                "error without its file: {message}"
            );
            return;
        }
    };
    let saved = serde_json::to_string(&snapshot).expect("a loaded snapshot serializes");
    let again = Snapshot::from_json(&saved, path).expect("a saved snapshot loads");
    assert_eq!(again, snapshot, "save and load changed the snapshot");
    let same = diff(&snapshot, &snapshot, &DiffOptions::default());
    assert!(
        same.is_empty(),
        "a snapshot differs from itself: {:?}",
        same.entries
    );
});
