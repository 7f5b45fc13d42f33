//! Small text helpers for the draft: markdown escaping, secret scrubbing,
//! relative links.

use crate::escape;
use std::path::{Component, Path, PathBuf};

/// `text` (a name, id, path or command) as an inline code span the text cannot
/// close, hazards shown as escapes, passwords masked.
pub fn code(text: &str) -> String {
    escape::md_code(&redact_secrets(text))
}

/// [`code`] in a table cell (`|` escaped).
pub fn code_cell(text: &str) -> String {
    escape::md_code_cell(&redact_secrets(text))
}

/// Free text as inert markdown on one line (report messages may hold line
/// breaks, and quote names someone else chose), passwords masked.
pub fn one_line(text: &str) -> String {
    escape::md_text(&redact_secrets(text))
}

/// Free text for a table cell ([`one_line`] escapes `|` already).
pub fn cell(text: &str) -> String {
    one_line(text)
}

/// Masks passwords in URLs (`scheme://user:password@host`) and in libpq
/// key/value strings (`password=…`). The report model carries no secrets; this
/// is the last line of defence should a message ever quote a connection string.
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    redact_password_pairs(&out)
}

fn redact_password_pairs(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("password=") {
        let value_start = search + found + "password=".len();
        let value_end = text[value_start..]
            .find(|c: char| c.is_whitespace() || c == '&' || c == ';')
            .map_or(text.len(), |end| value_start + end);
        out.push_str(&text[last..value_start]);
        if value_end > value_start {
            out.push_str("***");
        }
        last = value_end;
        search = value_end;
    }
    out.push_str(&text[last..]);
    out
}

/// `multiple_heads` → `Multiple Heads`.
pub fn title_case(code: &str) -> String {
    code.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `needle` occurs in `haystack` as a whole token (not inside a longer
/// identifier), so `20251230_17` does not match `20251230_1700`.
pub fn contains_token(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    haystack.match_indices(needle).any(|(start, _)| {
        let before = haystack[..start].chars().next_back();
        let after = haystack[start + needle.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The `Create Date:` line of an Alembic migration's docstring header.
pub fn create_date_header(source: &str) -> Option<String> {
    source.lines().take(40).find_map(|line| {
        line.trim()
            .strip_prefix("Create Date:")
            .map(|date| date.trim().to_string())
            .filter(|date| !date.is_empty())
    })
}

/// `2025-12-30 16:43:12.345678` → `2025-12-30 16:43` (other formats as given).
pub fn short_timestamp(date: &str) -> String {
    let date = date.trim();
    let bytes = date.as_bytes();
    let looks_like_datetime = bytes.len() >= 16
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b' ' || bytes[10] == b'T')
        && bytes[13] == b':'
        && date.is_char_boundary(16);
    if looks_like_datetime {
        format!("{} {}", &date[..10], &date[11..16])
    } else {
        one_line(date)
    }
}

/// `path` lexically made absolute against `base` and cleaned of `.`/`..`.
pub fn absolute_lexical(path: &Path, base: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The relative path from directory `from_dir` to `to`, both resolved against
/// `base`, with `/` separators (markdown links).
pub fn relative_link(to: &Path, from_dir: &Path, base: &Path) -> String {
    let to = absolute_lexical(to, base);
    let from = absolute_lexical(from_dir, base);
    let to_parts: Vec<_> = to.components().collect();
    let from_parts: Vec<_> = from.components().collect();
    let common = to_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    parts.extend(std::iter::repeat_n(
        "..".to_string(),
        from_parts.len() - common,
    ));
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A markdown link to a relative path: the text is escaped free text, the
/// destination percent-encoded outside a conservative set, so neither a
/// bracket, a parenthesis nor a line break in a file name can end it early.
pub fn link(text: &str, destination: &str) -> String {
    let mut encoded = String::with_capacity(destination.len());
    for byte in destination.bytes() {
        if byte.is_ascii_alphanumeric() || b"/._~-".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("[{}]({encoded})", one_line(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_passwords_and_key_value_passwords() {
        assert_eq!(
            redact_secrets("connect postgresql://app:s3cr%40t@db:5432/app?sslmode=require failed"),
            "connect postgresql://app:***@db:5432/app?sslmode=require failed"
        );
        assert_eq!(
            redact_secrets("host=db user=app password=hunter2 dbname=app"),
            "host=db user=app password=*** dbname=app"
        );
        assert_eq!(
            redact_secrets("postgresql:///db?host=/tmp/x"),
            "postgresql:///db?host=/tmp/x"
        );
        assert_eq!(
            redact_secrets("postgresql://app@db/x"),
            "postgresql://app@db/x"
        );
        assert_eq!(redact_secrets("no url here"), "no url here");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("alembic stamp 1"), "`alembic stamp 1`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a|b\nc"), "`a|b\\nc`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn links_cannot_be_ended_by_a_file_name() {
        assert_eq!(link("x.py", "../versions/x.py"), "[x.py](../versions/x.py)");
        assert_eq!(
            link("a](http://evil) [b", "v/a) (b\n<c>.py"),
            "[a\\](http\\://evil) \\[b](v/a%29%20%28b%0A%3Cc%3E.py)"
        );
    }

    #[test]
    fn tokens_match_whole_identifiers_only() {
        assert!(contains_token(
            "stamped `394c8c3cbf42` here",
            "394c8c3cbf42"
        ));
        assert!(contains_token("394c8c3cbf42", "394c8c3cbf42"));
        assert!(!contains_token("20251230_1700", "20251230_17"));
        assert!(!contains_token("x394c8c3cbf42", "394c8c3cbf42"));
        assert!(contains_token("code renamed_revision.", "renamed_revision"));
    }

    #[test]
    fn relative_links_from_the_ris_dir() {
        let base = Path::new("/repo");
        assert_eq!(
            relative_link(
                Path::new("apps/api/alembic/versions/x.py"),
                Path::new("docs/06-ris/resolutions"),
                base
            ),
            "../../../apps/api/alembic/versions/x.py"
        );
        assert_eq!(
            relative_link(
                Path::new("/repo/docs/ris/ris-001-a.md"),
                Path::new("./docs/ris"),
                base
            ),
            "ris-001-a.md"
        );
        assert_eq!(
            relative_link(Path::new("/elsewhere/r.md"), Path::new("/repo/docs"), base),
            "../../elsewhere/r.md"
        );
    }

    #[test]
    fn timestamps_and_headers() {
        assert_eq!(
            short_timestamp("2025-12-30 16:43:12.345678"),
            "2025-12-30 16:43"
        );
        assert_eq!(short_timestamp("yesterday"), "yesterday");
        assert_eq!(
            create_date_header(
                "\"\"\"merge\n\nRevision ID: x\nCreate Date: 2025-12-30 16:43:00\n\"\"\"\n"
            ),
            Some("2025-12-30 16:43:00".to_string())
        );
        assert_eq!(title_case("multiple_heads"), "Multiple Heads");
    }
}
