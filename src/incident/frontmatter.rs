//! The YAML front matter, in the reference's structure and key order (the
//! order PyYAML's `safe_dump` gives: keys sorted, lists not indented).
//!
//! Written by hand rather than through a YAML serializer because the layout
//! must match the reference byte for byte (`created: '2026-01-10'` quoted as a
//! string, block lists at the key's indentation); [`yaml_scalar`] quotes every
//! value that a YAML 1.1 or 1.2 parser could read as anything but that string.

use super::{RisConfig, RisContext};
use std::fmt::Write;

/// The front matter block, `---` lines included.
pub fn render_front_matter(config: &RisConfig, ctx: &RisContext) -> String {
    let hipaa = &config.compliance.hipaa;
    let iso = &config.compliance.iso27001;
    let soc2 = &config.compliance.soc2;
    let today = ctx.today.format("%Y-%m-%d").to_string();
    let mut out = String::from("---\ncompliance:\n  hipaa:\n");
    push_bool(
        &mut out,
        4,
        "access-audit-required",
        hipaa.access_audit_required,
    );
    push_list(&mut out, 4, "controls", &hipaa.controls);
    push_bool(
        &mut out,
        4,
        "encryption-required",
        hipaa.encryption_required,
    );
    push_str(&mut out, 4, "phi-contains", &hipaa.phi_contains);
    push_str(&mut out, 4, "retention-period", &hipaa.retention_period);
    push_str(&mut out, 4, "review-frequency", &hipaa.review_frequency);
    out.push_str("  iso27001:\n");
    push_str(&mut out, 4, "classification", &iso.classification);
    push_list(&mut out, 4, "controls", &iso.controls);
    push_str(&mut out, 4, "review-frequency", &iso.review_frequency);
    out.push_str("  soc2:\n");
    push_list(&mut out, 4, "controls", &soc2.controls);
    push_str(&mut out, 4, "evidence-type", &soc2.evidence_type);
    push_str(&mut out, 4, "retention-period", &soc2.retention_period);
    push_str(&mut out, 0, "created", &today);
    push_str(&mut out, 0, "project", &ctx.project);
    push_str(&mut out, 0, "updated", &today);
    push_str(&mut out, 0, "version", &config.version);
    out.push_str("---\n");
    out
}

fn push_bool(out: &mut String, indent: usize, key: &str, value: bool) {
    let _ = writeln!(out, "{:indent$}{key}: {value}", "");
}

fn push_str(out: &mut String, indent: usize, key: &str, value: &str) {
    let _ = writeln!(out, "{:indent$}{key}: {}", "", yaml_scalar(value));
}

fn push_list(out: &mut String, indent: usize, key: &str, values: &[String]) {
    if values.is_empty() {
        let _ = writeln!(out, "{:indent$}{key}: []", "");
        return;
    }
    let _ = writeln!(out, "{:indent$}{key}:", "");
    for value in values {
        let _ = writeln!(out, "{:indent$}- {}", "", yaml_scalar(value));
    }
}

/// `value` as a YAML scalar that reads back as exactly this string: plain when
/// that is unambiguous, else single-quoted (`'` doubled), or double-quoted
/// with escapes when it holds control characters.
pub fn yaml_scalar(value: &str) -> String {
    if value.chars().any(char::is_control) {
        // A JSON string is a valid YAML double-quoted scalar.
        return serde_json::to_string(value).expect("a string always serializes");
    }
    if is_plain_safe(value) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// Conservative: only letters, digits and `._()/-` with single inner spaces,
/// starting with a letter or digit, and nothing a resolver would turn into a
/// bool, null, number, date or time.
fn is_plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphanumeric() || value.ends_with(' ') || value.contains("  ") {
        return false;
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '(' | ')' | '/' | '-' | ' '))
    {
        return false;
    }
    const RESERVED: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null"];
    if RESERVED.iter().any(|word| value.eq_ignore_ascii_case(word)) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b") {
        return false;
    }
    if value.parse::<f64>().is_ok() {
        return false;
    }
    // Numbers with `_` separators, dates, times: digits and punctuation only.
    let numeric_like = first.is_ascii_digit()
        && value.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | '_' | '+' | ' ' | 'T' | 't')
        });
    !numeric_like
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_the_same_string() {
        let samples = [
            "credentialmate",
            "2026-01-10",
            "1.0",
            "1",
            "7-years",
            "164.308(a)(1)(ii)(D)",
            "A.12.1.1",
            "yes",
            "No",
            "null",
            "~",
            "0x1F",
            "1_000",
            "it's: tricky",
            "key: value",
            "- dash",
            "# hash",
            "@at",
            "`tick`",
            "multi\nline",
            "tab\there",
            "",
            " leading",
            "trailing ",
            "two  spaces",
            "ünïcode",
            "1e5",
            ".inf",
            "12:30",
            "[list]",
            "{map}",
            "a, b",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "\"quoted\"",
        ];
        for sample in samples {
            let doc = format!("key: {}\n", yaml_scalar(sample));
            let parsed: std::collections::BTreeMap<String, serde_yaml_ng::Value> =
                serde_yaml_ng::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            assert_eq!(
                parsed["key"],
                serde_yaml_ng::Value::String(sample.to_string()),
                "{doc:?}"
            );
        }
    }

    #[test]
    fn quoting_matches_the_reference_style() {
        assert_eq!(yaml_scalar("2026-01-10"), "'2026-01-10'");
        assert_eq!(yaml_scalar("1.0"), "'1.0'");
        assert_eq!(yaml_scalar("credentialmate"), "credentialmate");
        assert_eq!(yaml_scalar("164.308(a)(1)(ii)(D)"), "164.308(a)(1)(ii)(D)");
        assert_eq!(yaml_scalar("7-years"), "7-years");
        assert_eq!(yaml_scalar("it's"), "'it''s'");
    }
}
