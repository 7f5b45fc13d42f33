//! A migration's `upgrade()` read for evidence (`evidence::extract_upgrade_effects`),
//! then assessed against a small schema snapshot.
#![no_main]

use driftcheck::evidence::{assess, extract_upgrade_effects};
use driftcheck::schema::Snapshot;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn snapshot() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let text = include_str!("../seeds/snapshot/small.json");
        Snapshot::from_json(text, std::path::Path::new("small.json")).expect("seed snapshot")
    })
}

fuzz_target!(|data: &[u8]| {
    let source = driftcheck_fuzz::text(data);
    let extraction = extract_upgrade_effects(&source);
    let lines = source.lines().count().max(1) as u32;
    for effect in &extraction.effects {
        assert!(
            (1..=lines + 1).contains(&effect.line),
            "effect line {} outside 1..={lines}: {effect:?}",
            effect.line
        );
    }
    let _ = assess(&extraction, snapshot(), "public");
    let _ = assess(&extraction, &Snapshot::default(), "public");
});
