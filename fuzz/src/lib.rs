//! Helpers shared by the fuzz targets: a clean environment for the parsers
//! that consult `PG*` variables, and the secret-leak check.

use std::sync::Once;

/// Inputs are arbitrary bytes; the parsers take text. Invalid UTF-8 is
/// replaced, as a file read lossily would be.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// `parse_target` falls back to `PG*` variables and `pg_service.conf`: point
/// them at nothing so that a run depends on its input only.
pub fn clean_environment() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for var in [
            "PGSERVICE",
            "PGSSLMODE",
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGPASSWORD",
            "PGDATABASE",
            "PGSSLROOTCERT",
            "PGAPPNAME",
            "PGOPTIONS",
            "DATABASE_URL",
        ] {
            std::env::remove_var(var);
        }
        std::env::set_var(
            "PGSERVICEFILE",
            "/nonexistent/driftcheck-fuzz/pg_service.conf",
        );
        std::env::set_var("PGSYSCONFDIR", "/nonexistent/driftcheck-fuzz");
        std::env::set_var("PGPASSFILE", "/nonexistent/driftcheck-fuzz/pgpass");
    });
}

/// A password worth checking for in output: long and distinctive enough that
/// it cannot appear in a message by accident (letters and digits), and found
/// nowhere else in the input (else the message may quote that other place).
pub fn distinctive(password: &str, input: &str) -> bool {
    password.chars().count() >= 8
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| c.is_ascii_alphabetic())
        && input.matches(password).count() == 1
}

/// Panic when `output` shows `password`.
pub fn assert_hidden(output: &str, password: &str, what: &str) {
    assert!(
        !output.contains(password),
        "{what} shows the password {password:?}: {output}"
    );
}
