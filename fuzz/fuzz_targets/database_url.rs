//! A connection URL (`database::connect::parse_target`: `--database-url`,
//! `DATABASE_URL`, the URL of `alembic.ini` or of a secret). Neither the
//! target's description nor an error shows the password of the URL.
#![no_main]

use driftcheck::database::connect::{parse_target, Role};
use driftcheck_fuzz::{assert_hidden, distinctive};
use libfuzzer_sys::fuzz_target;

/// The password of `scheme://user:password@host/...`, when written without
/// `%` escapes (so that what the URL holds is what a message could show).
fn password(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let raw = userinfo.split_once(':')?.1;
    (!raw.contains('%')).then_some(raw)
}

fuzz_target!(|data: &[u8]| {
    driftcheck_fuzz::clean_environment();
    let url = driftcheck_fuzz::text(data);
    let password = password(&url).filter(|p| distinctive(p, &url));
    for role in [Role::Local, Role::Production] {
        let shown = match parse_target(&url, role) {
            Ok(target) => format!("{} {target:?}", target.describe()),
            Err(error) => error.to_string(),
        };
        if let Some(password) = &password {
            assert_hidden(&shown, password, "the URL parser");
        }
    }
});
