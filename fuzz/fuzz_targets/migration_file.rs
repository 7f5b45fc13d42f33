//! A migration file as the revision graph reads it (`migrations::parse::parse_source`).
#![no_main]

use driftcheck::migrations::parse::parse_source;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let source = driftcheck_fuzz::text(data);
    let path = Path::new("versions/0001_fuzz.py");
    let parsed = parse_source(path, &source);
    assert_eq!(parsed.path, path);
    let lines = source.lines().count().max(1) as u32;
    for problem in &parsed.problems {
        // Every problem names the file, and a line that exists.
        assert_eq!(problem.file.as_deref(), Some(path), "{problem:?}");
        if let Some(line) = problem.line {
            assert!(
                (1..=lines + 1).contains(&line),
                "line outside 1..={lines}: {problem:?}"
            );
        }
    }
});
