//! The content of a Secrets Manager secret (`secrets::url_from_content`), then
//! the URL it yields through the connection URL parser. Errors and target
//! descriptions never show the password.
#![no_main]

use driftcheck::database::connect::{parse_target, Role};
use driftcheck::secrets::url_from_content;
use driftcheck_fuzz::{assert_hidden, distinctive};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    driftcheck_fuzz::clean_environment();
    let content = driftcheck_fuzz::text(data);
    let password = serde_json::from_str::<serde_json::Value>(content.trim())
        .ok()
        .and_then(|v| v.get("password")?.as_str().map(str::to_string))
        .filter(|p| distinctive(p, &content));
    match url_from_content(&content) {
        Err(error) => {
            if let Some(password) = &password {
                assert_hidden(&error.reason, password, "the secret error");
            }
        }
        Ok(url) => {
            assert!(
                url.to_ascii_lowercase().starts_with("postgres"),
                "not a URL: {url:?}"
            );
            let Some(password) = &password else { return };
            match parse_target(&url, Role::Production) {
                Ok(target) => assert_hidden(&target.describe(), password, "the target"),
                Err(error) => assert_hidden(&error.to_string(), password, "the URL error"),
            }
        }
    }
});
