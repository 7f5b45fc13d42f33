//! Audit of the catalog SQL (tests only): every function, operator and type
//! named in `sql/*.sql` is `pg_catalog`-qualified, so no search_path, and
//! nothing the database holds, can substitute code of its own.

use std::fs;
use std::path::Path;

/// Keywords that are followed by `(` without being function calls.
const KEYWORDS: [&str; 12] = [
    "ARRAY", "EXISTS", "ANY", "ALL", "OPERATOR", "IN", "AND", "NOT", "FROM", "THEN", "WHERE", "OR",
];

/// SQL text with comments, string literals and quoted identifiers blanked out.
fn code_only(sql: &str) -> String {
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '\'' | '"' => {
                for inner in chars.by_ref() {
                    if inner == c {
                        break;
                    }
                }
                // A quoted identifier stays a word; a literal becomes one.
                out.push_str(if c == '"' { "Q" } else { "L" });
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every problem in one file: unqualified calls, operators and cast types.
fn problems(sql: &str) -> Vec<String> {
    let code = code_only(sql);
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    let mut previous_word = String::new();
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_alphanumeric() || "_$.".contains(bytes[i])) {
                i += 1;
            }
            let word: String = bytes[start..i].iter().collect();
            let cast = start >= 2 && bytes[start - 2] == ':' && bytes[start - 1] == ':';
            if cast && !word.starts_with("pg_catalog.") {
                found.push(format!("type {word} not qualified"));
            }
            let call = bytes[i..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
            let upper = word.to_ascii_uppercase();
            if call
                && !word.starts_with("pg_catalog.")
                && !KEYWORDS.contains(&upper.as_str())
                && !previous_word.eq_ignore_ascii_case("AS")
            {
                found.push(format!("call {word}(...) not qualified"));
            }
            previous_word = word;
        } else if "=<>!~|+-*/%^&#@".contains(c) {
            let start = i;
            while i < bytes.len() && "=<>!~|+-*/%^&#@".contains(bytes[i]) {
                i += 1;
            }
            let qualified = code[..code.char_indices().nth(start).map_or(0, |(b, _)| b)]
                .trim_end()
                .ends_with("OPERATOR(pg_catalog.");
            if !qualified {
                let op: String = bytes[start..i].iter().collect();
                found.push(format!("operator {op} not qualified"));
            }
        } else {
            if !c.is_whitespace() {
                previous_word.clear();
            }
            i += 1;
        }
    }
    found
}

#[test]
fn every_function_operator_and_type_in_the_catalog_sql_is_pg_catalog_qualified() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/database/sql");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let sql = fs::read_to_string(&path).unwrap();
        let problems = problems(&sql);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} SQL files");
}

#[test]
fn the_audit_catches_what_it_looks_for() {
    assert_eq!(
        problems("SELECT lower(x::text) FROM t WHERE a = 1 -- ok()"),
        [
            "call lower(...) not qualified",
            "type text not qualified",
            "operator = not qualified"
        ]
    );
    assert!(problems(
        "SELECT pg_catalog.lower(x::pg_catalog.text) FROM unnest_me AS k(a) \
         WHERE a OPERATOR(pg_catalog.=) ANY ('{x}'::pg_catalog.\"char\"[]) AND EXISTS (SELECT 1)"
    )
    .is_empty());
}
