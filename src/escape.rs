//! Untrusted text, escaped for each medium it is written to.
//!
//! Catalog names and comments, revision ids, branch labels and file names come
//! from databases and repositories somebody else may control: they can hold
//! `|`, backticks, `<`, `&`, line breaks, ANSI escape sequences, bidirectional
//! overrides and Slack mentions such as `<!channel>`. Every renderer passes
//! them through one of these functions, so that
//! - a terminal never receives a raw control character ([`visible`]),
//! - a markdown table keeps one row per object and no name becomes a link,
//!   HTML, emphasis or a heading ([`md_code`], [`md_code_cell`], [`md_text`]),
//! - a Slack message cannot ping a channel or carry a link ([`slack`]).
//!
//! JSON needs nothing (serde escapes it), YAML front matter has its own
//! quoting (`incident::frontmatter::yaml_scalar`), GitHub workflow commands
//! theirs (`gate`).

use std::borrow::Cow;
use std::fmt::Write;

/// Characters a reader cannot see but a terminal or a renderer acts on: C0
/// and C1 controls, DEL, and the invisible format characters that reorder or
/// hide text (bidirectional overrides and isolates, zero-width characters:
/// the "Trojan Source" set).
fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Text with every control and invisible format character shown as an escape
/// (`\n`, `\t`, `\x1b`, `\u{202e}`): what a terminal may print.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_hazard(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// A diagnostic for stderr: like [`visible`], but our own multi-line messages
/// (a server error with its DETAIL and HINT) keep their line breaks.
pub fn diagnostic(text: &str) -> String {
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Free text on one line: runs of whitespace (line breaks included) become one
/// space, other hazards are shown as escapes.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    visible(&joined).into_owned()
}

/// A markdown inline code span holding `text` literally: the fence is longer
/// than any run of backticks inside, hazards are shown as escapes. Code spans
/// are never links, HTML or emphasis, so names go in them.
pub fn md_code(text: &str) -> String {
    code_span(&visible(text), false)
}

/// [`md_code`] for a table cell: `|` escaped too (GFM splits cells first).
pub fn md_code_cell(text: &str) -> String {
    code_span(&visible(text), true)
}

fn code_span(text: &str, in_table: bool) -> String {
    if text.is_empty() {
        return "*(empty)*".to_string();
    }
    let content = if in_table {
        text.replace('|', "\\|")
    } else {
        text.to_string()
    };
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A span that starts or ends with a backtick or a space needs a space of
    // padding (CommonMark strips exactly one on each side).
    let pad = content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    if pad {
        format!("{fence} {content} {fence}")
    } else {
        format!("{fence}{content}{fence}")
    }
}

/// Free text for markdown (a message that quotes names between backticks):
/// the parts between backtick pairs become code spans, the rest has every
/// character markdown acts on escaped, on one line, `|` included so it can sit
/// in a table. Whatever the pairing of backticks a hostile name produces, each
/// part is either escaped text or a closed code span: nothing can turn into a
/// link, HTML, a heading or a new table row.
pub fn md_text(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else {
            break;
        };
        push_md_plain(&mut out, &rest[..open]);
        let inner = &after[..close];
        if inner.is_empty() {
            out.push_str("\\`\\`");
        } else {
            out.push_str(&code_span(inner, true));
        }
        rest = &after[close + 1..];
    }
    push_md_plain(&mut out, rest);
    out
}

/// Backslash-escapes what CommonMark and GFM act on in running text: emphasis,
/// code, links and images, HTML and entities, tables, strikethrough, headings,
/// and the start of extended autolinks (`scheme://`, `www.`, `user@host`).
fn push_md_plain(out: &mut String, text: &str) {
    for (index, c) in text.char_indices() {
        match c {
            // `snake_case` stays as it is: an underscore between letters or
            // digits can neither open nor close emphasis.
            '_' if text[..index]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && text[index + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric) =>
            {
                out.push('_');
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '@' => {
                out.push('\\');
                out.push(c);
            }
            ':' if text[index + 1..].starts_with("//") => out.push_str("\\:"),
            '.' if text[..index].to_ascii_lowercase().ends_with("www") => out.push_str("\\."),
            // A line may start with the text: no list item or setext underline.
            '-' | '+' | '=' if out.is_empty() => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')'
                if !out.is_empty()
                    && out.bytes().all(|b| b.is_ascii_digit())
                    && text[index + 1..].chars().next().is_none_or(|n| n == ' ') =>
            {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Text for a Slack `mrkdwn` field: `&`, `<` and `>` as entities (Slack's own
/// escaping: no `<!channel>`, `<@user>` or `<https://…|link>` survives), on one
/// line, hazards shown as escapes. Fields also carry `verbatim: true` so Slack
/// does not turn bare URLs and names into links.
pub fn slack(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a|b`c<d>&e\n# f\x1b[31m\r<!channel> [x](http://evil) \u{202e}";

    #[test]
    fn visible_shows_every_hazard_as_an_escape() {
        assert_eq!(
            visible("a\x1b[2J\r\n\t\x07\u{9b}\u{202e}\u{200b}b"),
            "a\\x1b[2J\\r\\n\\t\\x07\\u{9b}\\u{202e}\\u{200b}b"
        );
        assert!(matches!(visible("plain é ✓"), Cow::Borrowed(_)));
        assert!(!visible(HOSTILE).chars().any(is_hazard));
        assert_eq!(diagnostic("a\x1b[1m\nDETAIL: b"), "a\\x1b[1m\nDETAIL: b");
    }

    #[test]
    fn code_spans_cannot_be_closed_from_inside() {
        assert_eq!(md_code("users"), "`users`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a``b`"), "``` a``b` ```");
        assert_eq!(md_code_cell("a|b"), "`a\\|b`");
        assert_eq!(md_code("a|b"), "`a|b`");
        assert_eq!(md_code("x\ny"), "`x\\ny`");
        assert_eq!(md_code(""), "*(empty)*");
    }

    #[test]
    fn text_keeps_our_code_spans_and_escapes_the_rest() {
        assert_eq!(
            md_text("table `public.users` not found"),
            "table `public.users` not found"
        );
        assert_eq!(md_text("a | b"), "a \\| b");
        assert_eq!(
            md_text("<b>x</b> & [l](u) *e* _u_"),
            "\\<b\\>x\\</b\\> \\& \\[l\\](u) \\*e\\* \\_u\\_"
        );
        assert_eq!(
            md_text("see http://evil.test and www.evil.test or a@b.test"),
            "see http\\://evil.test and www\\.evil.test or a\\@b.test"
        );
        assert_eq!(md_text("- not a list"), "\\- not a list");
        assert_eq!(md_text("1. not a list"), "1\\. not a list");
        assert_eq!(md_text("0.1.0"), "0.1.0");
        assert_eq!(
            md_text("ck_users_role _x_ a_"),
            "ck_users_role \\_x\\_ a\\_"
        );
        assert_eq!(md_text("two\nlines"), "two lines");
        // An odd backtick is escaped text, never an open span.
        assert_eq!(md_text("a `b` c`d"), "a `b` c\\`d");
    }

    #[test]
    fn hostile_text_stays_one_inert_markdown_cell() {
        for rendered in [md_text(HOSTILE), md_code_cell(HOSTILE)] {
            assert!(!rendered.contains('\n'), "{rendered}");
            assert!(!rendered.chars().any(is_hazard), "{rendered}");
            // Every `|` is escaped: the row keeps its columns.
            let bytes = rendered.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'|' {
                    assert_eq!(bytes[i - 1], b'\\', "{rendered}");
                }
            }
        }
        let text = md_text(HOSTILE);
        assert!(
            !text.contains("<!channel>") && !text.contains("[x](http"),
            "{text}"
        );
    }

    #[test]
    fn slack_text_cannot_mention_or_link() {
        let text = slack("<!channel> <@U123> <https://evil|click> a&b\nc");
        assert_eq!(
            text,
            "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt; a&amp;b c"
        );
        assert!(!text.contains('<') && !text.contains('>'));
    }
}
