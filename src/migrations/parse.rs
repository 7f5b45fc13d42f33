//! Static reading of one migration file with tree-sitter-python: the
//! module-level `revision`, `down_revision`, `branch_labels`, `depends_on`
//! and the generated docstring header. Files are never imported.

use super::Problem;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tree_sitter::{Node, Parser};

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

/// A Python literal we understand.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    None,
    Str(String),
    Seq(Vec<Value>),
}

/// New parser for Python source (one per thread: parsers are not `Sync`).
pub fn python_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python matches the tree-sitter ABI");
    parser
}

/// Parse the source of `path`.
pub fn parse_source(parser: &mut Parser, path: &Path, source: &str) -> ParsedFile {
    let mut parsed = ParsedFile {
        path: path.to_path_buf(),
        ..ParsedFile::default()
    };
    let Some(tree) = parser.parse(source, None) else {
        parsed.problems.push(problem(
            "syntax_error",
            "error",
            format!("{}: the Python parser gave up on this file", path.display()),
            path,
            None,
        ));
        return parsed;
    };
    let root = tree.root_node();
    if root.has_error() {
        let (line, what) = first_error(root, source);
        parsed.problems.push(problem(
            "syntax_error",
            "error",
            format!(
                "{}:{line}: Python syntax error ({what}); Alembic cannot import this file",
                path.display()
            ),
            path,
            Some(line),
        ));
    }
    let src = source.as_bytes();
    let mut names: HashMap<&str, Result<Value, String>> = HashMap::new();
    let mut cursor = root.walk();
    for (index, statement) in root.named_children(&mut cursor).enumerate() {
        if statement.kind() != "expression_statement" {
            continue;
        }
        let Some(inner) = statement.named_child(0) else {
            continue;
        };
        if index == 0 && inner.kind() == "string" {
            if let Ok(Value::Str(doc)) = eval(inner, src, &names) {
                read_docstring(&doc, &mut parsed);
            }
            continue;
        }
        if inner.kind() != "assignment" {
            continue;
        }
        // `a = b = value` nests assignments in `right`: collect every target.
        let mut targets = Vec::new();
        let mut node = inner;
        let value_node = loop {
            if let Some(left) = node.child_by_field_name("left") {
                if left.kind() == "identifier" {
                    targets.push(text(left, src));
                }
            }
            match node.child_by_field_name("right") {
                Some(right) if right.kind() == "assignment" => node = right,
                other => break other,
            }
        };
        let Some(value_node) = value_node else {
            continue; // `revision: str` without a value
        };
        let value = eval(value_node, src, &names);
        let line = statement.start_position().row as u32 + 1;
        for target in targets {
            match target {
                "revision" => {
                    parsed.assigns_revision = true;
                    parsed.revision = match &value {
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
            names.insert(target, value.clone());
        }
    }
    if !parsed.assigns_revision {
        legacy_or_helper(&mut parsed);
    }
    parsed
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

fn problem(code: &str, severity: &str, message: String, path: &Path, line: Option<u32>) -> Problem {
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

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

/// The first ERROR or MISSING node, depth first: its line and a short description.
fn first_error(root: Node<'_>, source: &str) -> (u32, String) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            let line = node.start_position().row as u32 + 1;
            let what = if node.is_missing() {
                format!("missing `{}`", node.kind())
            } else {
                let snippet: String = node
                    .utf8_text(source.as_bytes())
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(40)
                    .collect();
                format!("unexpected `{}`", snippet.trim())
            };
            return (line, what);
        }
        let descend = node.has_error() && cursor.goto_first_child();
        if descend {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return (
                    root.start_position().row as u32 + 1,
                    "invalid syntax".into(),
                );
            }
        }
    }
}

/// Evaluate a literal; a simple name resolves to its earlier module-level value.
fn eval(
    node: Node<'_>,
    src: &[u8],
    names: &HashMap<&str, Result<Value, String>>,
) -> Result<Value, String> {
    match node.kind() {
        "none" => Ok(Value::None),
        "string" => {
            let mut out = String::new();
            let mut raw = false;
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                match part.kind() {
                    "string_start" => {
                        let prefix = text(part, src).to_ascii_lowercase();
                        raw = prefix.contains('r');
                    }
                    "string_content" => {
                        let content = text(part, src);
                        if raw {
                            out.push_str(content);
                        } else {
                            out.push_str(&unescape(content));
                        }
                    }
                    "interpolation" => {
                        return Err(format!("is an f-string ({})", text(node, src)));
                    }
                    _ => {}
                }
            }
            Ok(Value::Str(out))
        }
        "concatenated_string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                match eval(part, src, names)? {
                    Value::Str(s) => out.push_str(&s),
                    _ => return Err("is not a plain string".into()),
                }
            }
            Ok(Value::Str(out))
        }
        "tuple" | "list" | "expression_list" => {
            let mut cursor = node.walk();
            let items: Result<Vec<Value>, String> = node
                .named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .map(|n| eval(n, src, names))
                .collect();
            Ok(Value::Seq(items?))
        }
        "parenthesized_expression" => {
            let mut cursor = node.walk();
            let inner = node
                .named_children(&mut cursor)
                .find(|n| n.kind() != "comment")
                .ok_or_else(|| "is empty parentheses".to_string())?;
            eval(inner, src, names)
        }
        "identifier" => {
            let name = text(node, src);
            match names.get(name) {
                Some(Ok(value)) => Ok(value.clone()),
                Some(Err(why)) => Err(format!("refers to `{name}`, which {why}")),
                None => Err(format!(
                    "refers to `{name}`, which is not assigned a literal earlier in this module (imported?)"
                )),
            }
        }
        _ => Err(format!(
            "is an expression (`{}`), not a literal",
            text(node, src)
        )),
    }
}

/// Python escapes that can appear in an id or a docstring header.
fn unescape(content: &str) -> String {
    if !content.contains('\\') {
        return content.to_string();
    }
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\n') => {}
            Some(other @ ('\\' | '\'' | '"')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
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
        parse_source(&mut python_parser(), Path::new("v/x.py"), source)
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
        let p = parse_source(
            &mut python_parser(),
            Path::new("v/1975ea83b712.py"),
            "down_revision = None\n",
        );
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
}
