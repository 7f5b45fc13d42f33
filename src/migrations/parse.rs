//! Static reading of one migration file with Ruff's Python parser
//! (`ruff_python_parser`): the module-level `revision`, `down_revision`,
//! `branch_labels`, `depends_on` and the generated docstring header. Files are
//! never imported. Parsing, literals and module constants are `crate::python`,
//! shared with the evidence check; Ruff's parser replaced tree-sitter-python
//! because it is ~13× faster on migration files (docs/graph.md, "Choosing the parser").

use super::Problem;
use crate::python::{Constants, Source, Value};
use ruff_python_ast::{Expr, Stmt};
use std::path::{Path, PathBuf};

/// A declared value with the line of its assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declared<T> {
    pub value: T,
    pub line: Option<u32>,
}

/// What one `.py` file in a version directory declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedFile {
    pub path: PathBuf,
    /// `None`: no usable `revision` (a helper module, or a value we could not resolve).
    pub revision: Option<Declared<String>>,
    /// The file assigns `revision` at module level (even if unresolved).
    pub assigns_revision: bool,
    pub down_revisions: Declared<Vec<String>>,
    pub depends_on: Declared<Vec<String>>,
    pub branch_labels: Declared<Vec<String>>,
    /// `Revision ID:` docstring header.
    pub header_revision_id: Option<String>,
    pub create_date: Option<String>,
    pub message: Option<String>,
    pub problems: Vec<Problem>,
}

/// Parse the source of `path` (a large one on a deep stack: hostile nesting
/// must not overflow it).
pub fn parse_source(path: &Path, source: &str) -> ParsedFile {
    crate::python::on_deep_stack(source, || read_source(path, source))
}

fn read_source(path: &Path, source: &str) -> ParsedFile {
    let mut parsed = ParsedFile {
        path: path.to_path_buf(),
        ..ParsedFile::default()
    };
    // The parse recovers from syntax errors, so the assignments before (and
    // after) a broken `upgrade()` are still read.
    let module = Source::parse(source);
    if let Some(error) = module.syntax_error() {
        let line = error.line;
        parsed.problems.push(problem(
            "syntax_error",
            "error",
            format!(
                "{}:{line}: Python syntax error ({}); Alembic cannot import this file",
                path.display(),
                // The parser may quote a character of the file: never a raw control character.
                super::walk::printable(&error.message)
            ),
            path,
            Some(line),
        ));
    }
    if let Some(Stmt::Expr(expr)) = module.suite().first() {
        if let Expr::StringLiteral(doc) = expr.value.as_ref() {
            read_docstring(doc.value.to_str(), &mut parsed);
        }
    }
    Constants::collect(&module, |assignment| {
        let line = module.line_of(assignment.statement);
        for &target in &assignment.targets {
            declare(&mut parsed, target, &assignment.value, line);
        }
    });
    if !parsed.assigns_revision {
        legacy_or_helper(&mut parsed);
    }
    parsed
}

/// Record a module-level assignment to one of the names Alembic reads.
fn declare(parsed: &mut ParsedFile, target: &str, value: &Result<Value, String>, line: u32) {
    let path = parsed.path.clone();
    let path = path.as_path();
    match target {
        "revision" => {
            parsed.assigns_revision = true;
            parsed.revision = match value {
                Ok(Value::Str(id)) => Some(Declared {
                    value: id.clone(),
                    line: Some(line),
                }),
                Ok(_) => {
                    parsed.problems.push(unresolved(
                        path,
                        line,
                        "revision",
                        "is not a string".into(),
                    ));
                    None
                }
                Err(why) => {
                    parsed
                        .problems
                        .push(unresolved(path, line, "revision", why.clone()));
                    None
                }
            };
        }
        "down_revision" | "depends_on" | "branch_labels" => {
            let ids = match value.as_ref().map(flatten) {
                Ok(Some(ids)) => ids,
                Ok(None) => {
                    parsed.problems.push(unresolved(
                        path,
                        line,
                        target,
                        "is not None, a string or a sequence of strings".into(),
                    ));
                    Vec::new()
                }
                Err(why) => {
                    let mut p = unresolved(path, line, target, why.clone());
                    // Labels only name branches; ids and edges shape the graph.
                    if target == "branch_labels" {
                        p.severity = "warning".into();
                    }
                    parsed.problems.push(p);
                    Vec::new()
                }
            };
            let slot = match target {
                "down_revision" => &mut parsed.down_revisions,
                "depends_on" => &mut parsed.depends_on,
                _ => &mut parsed.branch_labels,
            };
            *slot = Declared {
                value: ids,
                line: Some(line),
            };
        }
        _ => {}
    }
}

/// A file without `revision`: Alembic takes the id from a bare-hex file name
/// (`1975ea83b712.py`, its 0.1 layout); anything else makes Alembic stop with
/// "Could not determine revision id from filename", so it is reported.
fn legacy_or_helper(parsed: &mut ParsedFile) {
    let stem = parsed
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let bare_hex = !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if bare_hex {
        parsed.revision = Some(Declared {
            value: stem.to_string(),
            line: None,
        });
        return;
    }
    let path = parsed.path.clone();
    parsed.problems.push(problem(
        "not_a_migration",
        "error",
        format!(
            "{}: defines no module-level `revision`; driftcheck skips it, but Alembic stops with \"Could not determine revision id from filename\" (move helper modules out of the versions directory)",
            path.display()
        ),
        &path,
        None,
    ));
}

pub(super) fn problem(
    code: &str,
    severity: &str,
    message: String,
    path: &Path,
    line: Option<u32>,
) -> Problem {
    Problem {
        code: code.into(),
        severity: severity.into(),
        message,
        file: Some(path.to_path_buf()),
        line,
    }
}

fn unresolved(path: &Path, line: u32, name: &str, why: String) -> Problem {
    problem(
        "unresolved_value",
        "error",
        format!(
            "{}:{line}: `{name}` {why}; driftcheck reads migrations without running them and will not guess its value",
            path.display()
        ),
        path,
        Some(line),
    )
}

/// `None` → [], a string → [s], a flat sequence of strings → its items.
fn flatten(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::None => Some(Vec::new()),
        Value::Str(s) => Some(vec![s.clone()]),
        Value::Seq(items) => items
            .iter()
            .map(|item| match item {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
    }
}

/// Alembic's template: first line the message, then `Revision ID:`,
/// `Revises:`, `Create Date:` lines.
fn read_docstring(doc: &str, parsed: &mut ParsedFile) {
    parsed.message = doc
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(String::from);
    for line in doc.lines() {
        let line = line.trim();
        if let Some(id) = line.strip_prefix("Revision ID:") {
            let id = id.trim();
            if !id.is_empty() {
                parsed.header_revision_id = Some(id.to_string());
            }
        } else if let Some(date) = line.strip_prefix("Create Date:") {
            let date = date.trim();
            if !date.is_empty() {
                parsed.create_date = Some(date.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> ParsedFile {
        parse_source(Path::new("v/x.py"), source)
    }

    #[test]
    fn plain_strings_and_none() {
        let p = parse(
            "revision = 'abc'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n",
        );
        assert_eq!(p.revision.unwrap().value, "abc");
        assert!(p.down_revisions.value.is_empty());
        assert_eq!(p.down_revisions.line, Some(2));
        assert!(p.problems.is_empty());
    }

    #[test]
    fn annotated_assignments() {
        let p = parse(
            "from typing import Sequence, Union\nrevision: str = \"b2\"\ndown_revision: Union[str, None] = \"a1\"\nbranch_labels: Union[str, Sequence[str], None] = ('x',)\ndepends_on: Union[str, Sequence[str], None] = None\n",
        );
        let rev = p.revision.unwrap();
        assert_eq!((rev.value.as_str(), rev.line), ("b2", Some(2)));
        assert_eq!(p.down_revisions.value, ["a1"]);
        assert_eq!(p.branch_labels.value, ["x"]);
        assert!(p.problems.is_empty());
    }

    #[test]
    fn tuples_lists_and_parentheses() {
        let p = parse("revision = 'm'\ndown_revision = ('a', \"b\")\ndepends_on = ['c']\nbranch_labels = ('solo')\n");
        assert_eq!(p.down_revisions.value, ["a", "b"]);
        assert_eq!(p.depends_on.value, ["c"]);
        assert_eq!(p.branch_labels.value, ["solo"]);
    }

    #[test]
    fn simple_names_resolve_and_imports_do_not() {
        let p = parse("REV = 'r1'\nPARENT = ('p1',)\nrevision = REV\ndown_revision = PARENT\n");
        assert_eq!(p.revision.unwrap().value, "r1");
        assert_eq!(p.down_revisions.value, ["p1"]);
        assert!(p.problems.is_empty());

        let p = parse("from consts import PARENT\nrevision = 'r'\ndown_revision = PARENT\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].code, "unresolved_value");
        assert_eq!(p.problems[0].line, Some(3));
        assert_eq!(p.problems[0].severity, "error");
        assert!(p.problems[0].message.contains("PARENT"));
    }

    #[test]
    fn expressions_and_fstrings_are_unresolved() {
        let p = parse("import cli\nrevision = 'r'\nbranch_labels = (cli.EXPAND,)\n");
        assert_eq!(p.problems[0].code, "unresolved_value");
        assert_eq!(p.problems[0].severity, "warning");
        let p = parse("x = 'a'\nrevision = f'{x}b'\n");
        assert!(p.revision.is_none());
        assert!(p.assigns_revision);
        assert_eq!(p.problems[0].line, Some(2));
    }

    #[test]
    fn chained_and_concatenated() {
        let p = parse("revision = 'ab' 'cd'\ndown_revision = depends_on = None\n");
        assert_eq!(p.revision.unwrap().value, "abcd");
        assert_eq!(p.depends_on.line, Some(2));
    }

    #[test]
    fn helper_module_has_no_revision() {
        let p = parse("def helper():\n    return 1\n");
        assert!(p.revision.is_none());
        assert!(!p.assigns_revision);
        assert_eq!(p.problems[0].code, "not_a_migration");
    }

    #[test]
    fn legacy_hex_file_name_is_the_revision() {
        let p = parse_source(Path::new("v/1975ea83b712.py"), "down_revision = None\n");
        assert_eq!(p.revision.unwrap().value, "1975ea83b712");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn function_level_assignments_are_ignored() {
        let p = parse("revision = 'a'\ndef upgrade():\n    revision = 'b'\n");
        assert_eq!(p.revision.unwrap().value, "a");
    }

    #[test]
    fn docstring_header() {
        let p = parse(
            "\"\"\"merge batch_id and audit index\n\nRevision ID: 394c8c3cbf42\nRevises: a, b\nCreate Date: 2025-12-30 16:43:00.000000\n\n\"\"\"\nrevision = '20251230_1643'\n",
        );
        assert_eq!(p.message.as_deref(), Some("merge batch_id and audit index"));
        assert_eq!(p.header_revision_id.as_deref(), Some("394c8c3cbf42"));
        assert_eq!(p.create_date.as_deref(), Some("2025-12-30 16:43:00.000000"));
    }

    #[test]
    fn syntax_error_reports_a_line_and_keeps_what_it_can() {
        let p = parse("revision = 'a'\ndown_revision = None\n\ndef upgrade(:\n    pass\n");
        let err = p
            .problems
            .iter()
            .find(|p| p.code == "syntax_error")
            .unwrap();
        assert_eq!(err.line, Some(4));
        assert_eq!(p.revision.unwrap().value, "a");
    }

    #[test]
    fn modern_syntax_is_not_a_syntax_error() {
        // PEP 604, PEP 695, match, walrus, 3.12 f-strings, except*.
        let p = parse(concat!(
            "revision = 'a'\n",
            "type Point = tuple[float, float]\n",
            "def first[T](xs: list[T]) -> T | None:\n    return xs[0]\n",
            "match cmd:\n    case {'op': 'add', **rest}:\n        pass\n    case [x, *ys] if x:\n        pass\n",
            "if (n := len(a)) > 10:\n    pass\n",
            "x = f\"{\", \".join(songs)}\"\n",
            "try:\n    pass\nexcept* ValueError:\n    pass\n",
        ));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.revision.unwrap().value, "a");
    }

    #[test]
    fn indentation_and_string_errors_name_their_line() {
        let p = parse("revision = 'a'\ndef upgrade():\n    op.x()\n      op.y()\n");
        assert_eq!(p.problems[0].code, "syntax_error");
        assert_eq!(p.problems[0].line, Some(4));
        let p = parse("revision = 'a'\nx = 'abc\ny = 1\n");
        assert_eq!(p.problems[0].line, Some(2));
        assert!(p.problems[0]
            .message
            .starts_with("v/x.py:2: Python syntax error"));
    }

    #[test]
    fn escapes_and_raw_strings() {
        let p = parse("revision = 'a\\'b'\ndown_revision = r'c\\d'\n");
        assert_eq!(p.revision.unwrap().value, "a'b");
        assert_eq!(p.down_revisions.value, ["c\\d"]);
    }
}
