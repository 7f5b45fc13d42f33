//! `driftcheck.toml` as `config::Config::parse` reads it, then its `[ignore]`
//! rules compiled to globs (`compare::IgnoreRules`), as every check does.
#![no_main]

use driftcheck::compare::IgnoreRules;
use driftcheck::config::Config;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = driftcheck_fuzz::text(data);
    let path = Path::new("repo/driftcheck.toml");
    let config = match Config::parse(&text, path) {
        Ok(config) => config,
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains("repo/driftcheck.toml"),
                "error without its file: {message}"
            );
            return;
        }
    };
    assert_eq!(config.path.as_deref(), Some(path));
    if let Some(table) = &config.ignore {
        if let Ok(rules) = IgnoreRules::from_toml(table) {
            let _ = rules.compile();
        }
    }
});
