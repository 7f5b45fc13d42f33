//! Normal forms of SQL text, so that differences PostgreSQL introduces by
//! itself (casts it adds, parentheses it wraps, formatting, generated names)
//! are not reported as drift.
//!
//! These forms are only ever compared with each other, never shown or run.

/// A lexical token of SQL text, enough to normalise catalog output.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `'...'` string literal, verbatim with quotes (case matters).
    Literal(String),
    /// `"..."` quoted identifier, verbatim with quotes (case matters).
    Quoted(String),
    /// Keyword, identifier, number (lowercased; may contain `.`).
    Word(String),
    Open,
    Close,
    Cast,
    /// Any other operator or punctuation run.
    Symbol(String),
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    // A doubled quote is an escaped quote inside the token.
                    if chars.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            let body: String = chars[start..i].iter().collect();
            tokens.push(if c == '\'' {
                Token::Literal(body)
            } else {
                Token::Quoted(body)
            });
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_$.".contains(chars[i])) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(Token::Word(word.to_lowercase()));
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token::Cast);
            i += 2;
        } else if ",;[]".contains(c) {
            tokens.push(Token::Symbol(c.to_string()));
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_alphanumeric()
                && !chars[i].is_whitespace()
                && !"_$'\"(),;[]".contains(chars[i])
                && (chars[i] != ':' || chars.get(i + 1) != Some(&':'))
            {
                i += 1;
            }
            tokens.push(Token::Symbol(chars[start..i].iter().collect()));
        }
    }
    tokens
}

/// Type names spelled with more than one word; the longest match wins.
const MULTI_WORD_TYPES: [&[&str]; 9] = [
    &["character", "varying"],
    &["bit", "varying"],
    &["double", "precision"],
    &["timestamp", "without", "time", "zone"],
    &["timestamp", "with", "time", "zone"],
    &["time", "without", "time", "zone"],
    &["time", "with", "time", "zone"],
    &["interval", "day", "to", "second"],
    &["interval", "year", "to", "month"],
];

/// Length of the type name starting at `start` (words, typmod, array brackets).
fn type_name_length(tokens: &[Token], start: usize) -> usize {
    let word_at = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let mut end = start;
    match tokens.get(start) {
        Some(Token::Quoted(_)) => end += 1,
        Some(Token::Word(_)) => {
            let longest = MULTI_WORD_TYPES
                .iter()
                .filter(|words| {
                    words
                        .iter()
                        .enumerate()
                        .all(|(k, w)| word_at(start + k) == Some(w))
                })
                .map(|words| words.len())
                .max()
                .unwrap_or(1);
            end += longest;
        }
        _ => return 0,
    }
    // Type modifier: `(255)`, `(10, 2)`, `(6)` — possibly before `with time zone`.
    if tokens.get(end) == Some(&Token::Open) {
        if let Some(close) = matching_close(tokens, end) {
            end = close + 1;
            for words in [
                &["with", "time", "zone"][..],
                &["without", "time", "zone"][..],
            ] {
                if words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| word_at(end + k) == Some(w))
                {
                    end += words.len();
                }
            }
        }
    }
    while tokens.get(end) == Some(&Token::Symbol("[".into()))
        && tokens.get(end + 1) == Some(&Token::Symbol("]".into()))
    {
        end += 2;
    }
    end - start
}

fn matching_close(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Drop `::type` casts on values (a literal, a number, `NULL`, `true`/`false`,
/// `ARRAY[…]`, or one of those in parentheses) and casts to `text` or
/// `character varying` without a length (which the server adds around string
/// columns): PostgreSQL adds or changes these depending on how a value was
/// written, and the column's own type is compared separately. Any other cast
/// on a column or a call stays: `(age)::numeric / 3` is not `age / 3`, nor
/// `(now())::date` `now()`.
fn strip_casts(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let to_string_type = matches!(
            (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)),
            (Some(Token::Word(t)), next, _) if (t == "text" || t == "varchar") && next != Some(&Token::Open)
        ) || matches!(
            (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)),
            (Some(Token::Word(c)), Some(Token::Word(v)), next)
                if c == "character" && v == "varying" && next != Some(&Token::Open)
        );
        if tokens[i] == Token::Cast && (to_string_type || ends_with_value(&out)) {
            let length = type_name_length(&tokens, i + 1);
            i += 1 + length;
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// Whether `tokens` ends with a value a cast may be dropped from.
fn ends_with_value(tokens: &[Token]) -> bool {
    let is_value = |token: &Token| match token {
        Token::Literal(_) => true,
        Token::Word(w) => is_decimal(w) || matches!(w.as_str(), "null" | "true" | "false"),
        _ => false,
    };
    match tokens.last() {
        Some(Token::Symbol(s)) if s == "]" => true,
        Some(Token::Close) => {
            let mut depth = 0usize;
            let Some(open) = tokens.iter().rposition(|t| {
                match t {
                    Token::Close => depth += 1,
                    Token::Open => depth -= 1,
                    _ => {}
                }
                depth == 0
            }) else {
                return false;
            };
            match &tokens[open + 1..tokens.len() - 1] {
                [value] => is_value(value),
                [Token::Symbol(minus), value] => minus == "-" && is_value(value),
                [Token::Word(array), ..] => array == "array",
                _ => false,
            }
        }
        Some(token) => is_value(token),
        None => false,
    }
}

/// Remove parentheses that change nothing: around a whole expression, around
/// a single token (unless they are a call's argument list), and doubled ones.
fn strip_redundant_parentheses(mut tokens: Vec<Token>) -> Vec<Token> {
    loop {
        let mut removed = false;
        let mut i = 0;
        while i < tokens.len() {
            if tokens[i] != Token::Open {
                i += 1;
                continue;
            }
            let Some(close) = matching_close(&tokens, i) else {
                break;
            };
            let is_call = matches!(
                i.checked_sub(1).and_then(|p| tokens.get(p)),
                Some(Token::Word(_)) | Some(Token::Quoted(_))
            );
            let whole = i == 0 && close == tokens.len() - 1;
            let single = close == i + 2 && !is_call;
            let doubled = tokens.get(i + 1) == Some(&Token::Open)
                && matching_close(&tokens, i + 1) == Some(close - 1);
            if doubled {
                tokens.remove(close - 1);
                tokens.remove(i + 1);
                removed = true;
            } else if whole || single {
                tokens.remove(close);
                tokens.remove(i);
                removed = true;
            } else {
                i += 1;
            }
        }
        if !removed {
            return tokens;
        }
    }
}

fn render(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|token| match token {
            Token::Literal(s) | Token::Quoted(s) | Token::Word(s) | Token::Symbol(s) => s.as_str(),
            Token::Open => "(",
            Token::Close => ")",
            Token::Cast => "::",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normal form of an expression (default, check, generation, policy):
/// casts, redundant parentheses, case of keywords and whitespace do not count.
pub fn expression(text: &str) -> String {
    render(&strip_redundant_parentheses(canonical_spellings(
        strip_casts(tokenize(text)),
    )))
}

/// Spellings that mean the same value and that PostgreSQL keeps as written:
/// `CURRENT_TIMESTAMP` / `transaction_timestamp()` are `now()`, `ARRAY[]` is
/// `'{}'`, and numeric literals compare by value (`0.00` is `0`).
fn canonical_spellings(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let next = tokens.get(i + 1);
        match &tokens[i] {
            Token::Word(w) if w == "current_timestamp" && next != Some(&Token::Open) => {
                out.extend([Token::Word("now".into()), Token::Open, Token::Close]);
            }
            Token::Word(w) if w == "transaction_timestamp" && next == Some(&Token::Open) => {
                out.push(Token::Word("now".into()));
            }
            Token::Word(w)
                if w == "array"
                    && next == Some(&Token::Symbol("[".into()))
                    && tokens.get(i + 2) == Some(&Token::Symbol("]".into())) =>
            {
                out.push(Token::Literal("'{}'".into()));
                i += 2;
            }
            Token::Word(w) if is_decimal(w) => out.push(Token::Word(canonical_decimal(w))),
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

fn is_decimal(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        && word.chars().filter(|&c| c == '.').count() <= 1
        && word.chars().any(|c| c.is_ascii_digit())
}

/// `007.500` → `7.5`, `0.00` → `0`.
fn canonical_decimal(word: &str) -> String {
    let (whole, fraction) = word.split_once('.').unwrap_or((word, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Normal form of other SQL text (views, functions, triggers, index
/// definitions): only whitespace and keyword case do not count.
pub fn text(text: &str) -> String {
    render(&tokenize(text))
}

/// One-line form for display: whitespace runs collapsed to one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An index definition without the index's own name, so two indexes that
/// differ only by a generated name compare equal.
pub fn index_without_name(definition: &str) -> String {
    let mut tokens = tokenize(definition);
    if let Some(position) = tokens
        .iter()
        .position(|t| *t == Token::Word("index".into()))
    {
        let mut name = position + 1;
        if tokens.get(name) == Some(&Token::Word("concurrently".into())) {
            name += 1;
        }
        if matches!(tokens.get(name), Some(Token::Word(w)) if w != "on")
            || matches!(tokens.get(name), Some(Token::Quoted(_)))
        {
            tokens.remove(name);
        }
    }
    render(&tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_casts_do_not_count() {
        assert_eq!(
            expression("'x'::character varying"),
            expression("'x'::text")
        );
        assert_eq!(expression("'{}'::jsonb"), expression("'{}'"));
        assert_eq!(
            expression("'2024-01-01 00:00:00'::timestamp without time zone"),
            expression("'2024-01-01 00:00:00'::timestamp(6) without time zone")
        );
        assert_eq!(expression("0::bigint"), expression("0"));
        assert_eq!(
            expression("ARRAY[]::text[]"),
            expression("ARRAY[]::character varying[]")
        );
    }

    #[test]
    fn equivalent_spellings_do_not_count() {
        assert_eq!(expression("CURRENT_TIMESTAMP"), expression("now()"));
        assert_eq!(expression("transaction_timestamp()"), expression("now()"));
        assert_eq!(expression("ARRAY[]::text[]"), expression("'{}'::text[]"));
        assert_eq!(expression("0.00"), expression("0"));
        assert_eq!(expression("(1.50)::numeric(5,2)"), expression("1.5"));
        assert_ne!(expression("1.05"), expression("1.5"));
        assert_ne!(expression("clock_timestamp()"), expression("now()"));
        assert_ne!(expression("10"), expression("1"));
    }

    #[test]
    fn redundant_parentheses_and_whitespace_do_not_count() {
        assert_eq!(expression("(now())"), expression("now()"));
        assert_eq!(expression("((1 + 2))"), expression("1   + 2"));
        assert_eq!(
            expression("CHECK (((role)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))"),
            expression("CHECK ((role = ANY (ARRAY['a'::text, 'b'::text])))")
        );
        assert_eq!(expression("NOW()"), expression("now()"));
    }

    #[test]
    fn casts_on_columns_and_calls_count() {
        assert_ne!(expression("((age)::numeric / 3)"), expression("(age / 3)"));
        assert_ne!(expression("(now())::date"), expression("now()"));
        assert_eq!(expression("(-1)::integer"), expression("-1"));
        assert_ne!(
            expression("((name)::character varying(5))"),
            expression("(name)")
        );
        assert_eq!(
            expression("NULL::text"),
            expression("NULL::character varying")
        );
        assert_eq!(
            expression("((status)::text = 'a'::text)"),
            expression("((status)::text = ('a'::character varying)::text)")
        );
    }

    #[test]
    fn real_differences_remain() {
        assert_ne!(expression("'x'::text"), expression("'y'::text"));
        assert_ne!(expression("'X'"), expression("'x'"));
        assert_ne!(expression("(a + b) * c"), expression("a + b * c"));
        assert_ne!(expression("lower(email)"), expression("upper(email)"));
        assert_ne!(expression("false"), expression("true"));
    }

    #[test]
    fn quoted_text_is_kept_verbatim() {
        assert_eq!(expression("'it''s  (x)'"), "'it''s  (x)'");
        assert_ne!(expression("\"Name\""), expression("\"name\""));
    }

    #[test]
    fn index_name_is_removed() {
        assert_eq!(
            index_without_name(
                "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)"
            ),
            index_without_name(
                "CREATE UNIQUE INDEX uq_users_email ON public.users USING btree (email)"
            )
        );
        assert_eq!(
            index_without_name("CREATE INDEX \"Idx\" ON public.t USING btree (a)"),
            index_without_name("CREATE INDEX t_a_idx ON public.t USING btree (a)")
        );
        assert_ne!(
            index_without_name("CREATE INDEX i ON public.t USING btree (a)"),
            index_without_name("CREATE INDEX i ON public.t USING hash (a)")
        );
    }
}
