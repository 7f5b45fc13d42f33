//! `alembic.ini` (and, after a NUL byte, `pyproject.toml`) as
//! `migrations::alembic_config::AlembicConfig` reads them, then the options
//! driftcheck asks for, with `%(name)s` interpolation.
#![no_main]

use driftcheck::migrations::alembic_config::AlembicConfig;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const KEYS: [&str; 7] = [
    "script_location",
    "version_locations",
    "sqlalchemy.url",
    "path_separator",
    "version_path_separator",
    "recursive_version_locations",
    "prepend_sys_path",
];

fuzz_target!(|data: &[u8]| {
    let input = driftcheck_fuzz::text(data);
    let (ini, toml) = match input.split_once('\0') {
        Some((ini, toml)) => (ini, Some(toml)),
        None => (&*input, None),
    };
    let ini_path = Path::new("project/alembic.ini");
    let toml_path = Path::new("project/pyproject.toml");
    let named = |message: String| {
        assert!(
            message.starts_with("project/alembic.ini:")
                || message.starts_with("project/pyproject.toml:"),
            "error without its file: {message}"
        );
    };
    for section in [None, Some("other")] {
        let config = match AlembicConfig::from_text(
            Some((ini_path, ini)),
            toml.map(|text| (toml_path, text)),
            section,
        ) {
            Ok(config) => config,
            Err(error) => {
                named(error.to_string());
                continue;
            }
        };
        for key in KEYS {
            if let Err(error) = config.get(key) {
                named(error.to_string());
            }
        }
    }
});
