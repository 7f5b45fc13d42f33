//! Loose comparison of column defaults: the catalog's expression
//! (`'user'::character varying`) against the migration's (`'user'`).

/// Compare default expressions loosely: the catalog adds casts
/// (`'user'::character varying`, `timezone('utc'::text, now())`) that the
/// migration source does not write; casts, whitespace, case and the quotes of a
/// lone literal are ignored.
pub(super) fn normalise_default(expr: &str) -> String {
    let without_casts = strip_casts(expr.trim());
    let trimmed = without_casts.trim();
    if let Some(literal) = lone_literal(trimmed) {
        return literal.to_lowercase();
    }
    trimmed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Whether a catalog default matches the migration's, for a column of `data_type`.
pub(super) fn defaults_match(actual: &str, expected: &str, data_type: &str) -> bool {
    let (actual, expected) = (normalise_default(actual), normalise_default(expected));
    if data_type == "boolean" {
        // PostgreSQL accepts '0', 'f', 'no', 'off' ... and stores `false`.
        let truth = |v: &str| match v {
            "t" | "true" | "1" | "y" | "yes" | "on" => Some(true),
            "f" | "false" | "0" | "n" | "no" | "off" => Some(false),
            _ => None,
        };
        if let (Some(a), Some(e)) = (truth(&actual), truth(&expected)) {
            return a == e;
        }
    }
    actual == expected
}

/// Remove `::type` casts outside string literals.
fn strip_casts(expr: &str) -> String {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len());
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_quote = !in_quote; // '' inside a literal toggles twice: still correct
            out.push(c);
            i += 1;
        } else if !in_quote && c == ':' && chars.get(i + 1) == Some(&':') {
            i += 2;
            // Type names may have several words: `timestamp with time zone`.
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '"' | '.' | ' '))
            {
                i += 1;
            }
            if chars.get(i) == Some(&'(') {
                let close = chars[i..].iter().position(|&c| c == ')');
                let modifier_only = close.is_some_and(|end| {
                    chars[i + 1..i + end]
                        .iter()
                        .all(|c| c.is_ascii_digit() || matches!(c, ',' | ' '))
                });
                if let (true, Some(end)) = (modifier_only, close) {
                    i += end + 1;
                }
            }
            while chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
                i += 2;
            }
            // Keep one separator where the type name swallowed trailing spaces.
            if i < chars.len() && chars[i - 1] == ' ' {
                out.push(' ');
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `'it''s'` → `it's`, when the whole expression is one quoted literal.
fn lone_literal(expr: &str) -> Option<String> {
    let rest = expr.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                value.push('\'');
                continue;
            }
            return chars.next().is_none().then_some(value);
        }
        value.push(c);
    }
    None
}
