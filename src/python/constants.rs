//! Python literals without running code: string literals (implicit
//! concatenation joined, every escape decoded), `None`, tuples and lists of
//! them, and names bound to such literals earlier at module level. f-strings
//! and other expressions are never folded: their value is not static.

use super::Source;
use ruff_python_ast::{Expr, Stmt};
use std::collections::HashMap;

/// A Python literal we understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    None,
    Str(String),
    Seq(Vec<Value>),
}

/// The text of a string literal: adjacent literals (`'ab' 'cd'`) arrive
/// concatenated and escapes decoded; `b'..'` is read as text. `None` for
/// anything else, f-strings included.
pub fn literal_string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(string) => Some(string.value.to_str().to_string()),
        Expr::BytesLiteral(bytes) => {
            Some(String::from_utf8_lossy(&bytes.value.bytes().collect::<Vec<u8>>()).into_owned())
        }
        _ => None,
    }
}

/// Module-level names bound to literals, or why a name's value is not known
/// (the reason completes "`NAME` ...", e.g. "is an f-string (f'{x}')").
#[derive(Debug, Default)]
pub struct Constants<'a> {
    names: HashMap<&'a str, Result<Value, String>>,
}

/// One module-level `NAME = value` (or `NAME: T = value`, or `a = b = value`).
pub struct Assignment<'a> {
    pub statement: &'a Stmt,
    /// The simple-name targets; attribute and tuple targets are left out.
    pub targets: Vec<&'a str>,
    /// The value, evaluated with the names bound before this statement.
    pub value: Result<Value, String>,
}

impl<'a> Constants<'a> {
    /// Read the module-level assignments of `source` in order, showing each to
    /// `visit` before its names are bound. Assignments inside functions,
    /// classes and conditionals are not read.
    pub fn collect(source: &'a Source<'_>, mut visit: impl FnMut(&Assignment<'a>)) -> Self {
        let mut constants = Constants::default();
        for statement in source.suite() {
            let (targets, value): (Vec<&Expr>, &Expr) = match statement {
                Stmt::Assign(assign) => (assign.targets.iter().collect(), &assign.value),
                Stmt::AnnAssign(assign) => match &assign.value {
                    Some(value) => (vec![assign.target.as_ref()], value),
                    None => continue, // `revision: str` without a value
                },
                _ => continue,
            };
            let assignment = Assignment {
                statement,
                targets: targets
                    .into_iter()
                    .filter_map(|t| match t {
                        Expr::Name(name) => Some(name.id.as_str()),
                        _ => None,
                    })
                    .collect(),
                value: constants.eval(value, source),
            };
            visit(&assignment);
            for target in assignment.targets {
                constants.names.insert(target, assignment.value.clone());
            }
        }
        constants
    }

    /// The value bound to `name`, if it is a known literal.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.names.get(name).and_then(|v| v.as_ref().ok())
    }

    /// Evaluate a literal; a simple name resolves to its module-level value.
    /// Bounded ([`MAX_DEPTH`], [`MAX_ITEMS`]): a file cannot make the reader
    /// overflow its stack or copy a name into itself exponentially.
    pub fn eval(&self, expr: &Expr, source: &Source<'_>) -> Result<Value, String> {
        self.eval_within(expr, source, 0, &mut 0)
    }

    fn eval_within(
        &self,
        expr: &Expr,
        source: &Source<'_>,
        depth: usize,
        items: &mut usize,
    ) -> Result<Value, String> {
        *items += 1;
        if depth > MAX_DEPTH || *items > MAX_ITEMS {
            return Err(too_large());
        }
        if let Some(text) = literal_string(expr) {
            return Ok(Value::Str(text));
        }
        match expr {
            Expr::NoneLiteral(_) => Ok(Value::None),
            Expr::FString(_) | Expr::TString(_) => {
                Err(format!("is an f-string ({})", source.text(expr)))
            }
            Expr::Tuple(tuple) => self.seq(&tuple.elts, source, depth, items),
            Expr::List(list) => self.seq(&list.elts, source, depth, items),
            Expr::Name(name) => {
                let name = name.id.as_str();
                match self.names.get(name) {
                    Some(Ok(value)) => {
                        let (value_depth, value_items) = measure(value);
                        *items += value_items;
                        if depth + value_depth > MAX_DEPTH || *items > MAX_ITEMS {
                            return Err(too_large());
                        }
                        Ok(value.clone())
                    }
                    Some(Err(why)) => Err(format!("refers to `{name}`, which {why}")),
                    None => Err(format!(
                        "refers to `{name}`, which is not assigned a literal earlier in this module (imported?)"
                    )),
                }
            }
            _ => Err(format!(
                "is an expression (`{}`), not a literal",
                source.text(expr)
            )),
        }
    }

    fn seq(
        &self,
        elements: &[Expr],
        source: &Source<'_>,
        depth: usize,
        items: &mut usize,
    ) -> Result<Value, String> {
        let values: Result<Vec<Value>, String> = elements
            .iter()
            .map(|item| self.eval_within(item, source, depth + 1, items))
            .collect();
        Ok(Value::Seq(values?))
    }
}

/// Deepest nesting of tuples and lists read; Alembic's values are flat.
const MAX_DEPTH: usize = 100;
/// Most values (strings, `None`s, sequences) one literal may hold, names expanded.
const MAX_ITEMS: usize = 100_000;

fn too_large() -> String {
    format!("is a literal nested more than {MAX_DEPTH} deep or of more than {MAX_ITEMS} values")
}

/// (nesting depth, number of values) of a value built within the limits.
fn measure(value: &Value) -> (usize, usize) {
    match value {
        Value::Seq(items) => items
            .iter()
            .map(measure)
            .fold((1, 1), |(d, n), (id, in_)| (d.max(id + 1), n + in_)),
        _ => (0, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constants_of(text: &str) -> Vec<(Vec<String>, Result<Value, String>)> {
        let source = Source::parse(text);
        let mut seen = Vec::new();
        Constants::collect(&source, |a| {
            seen.push((
                a.targets.iter().map(|t| t.to_string()).collect(),
                a.value.clone(),
            ))
        });
        seen
    }

    #[test]
    fn literals_names_and_sequences() {
        let seen = constants_of(
            "A = 'x' \"y\"\nB: str = A\nC = D = (A, None, [b'z'])\ndef f():\n    E = 1\n",
        );
        let s = |v: &str| Value::Str(v.into());
        assert_eq!(seen[0], (vec!["A".into()], Ok(s("xy"))));
        assert_eq!(seen[1], (vec!["B".into()], Ok(s("xy"))));
        assert_eq!(
            seen[2],
            (
                vec!["C".into(), "D".into()],
                Ok(Value::Seq(vec![
                    s("xy"),
                    Value::None,
                    Value::Seq(vec![s("z")])
                ]))
            )
        );
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn unknown_values_say_why() {
        let seen = constants_of("A = f'{x}'\nB = A\nC = compute()\nD = MISSING\n");
        assert_eq!(seen[0].1, Err("is an f-string (f'{x}')".into()));
        assert_eq!(
            seen[1].1,
            Err("refers to `A`, which is an f-string (f'{x}')".into())
        );
        assert_eq!(
            seen[2].1,
            Err("is an expression (`compute()`), not a literal".into())
        );
        assert!(seen[3].1.as_ref().unwrap_err().contains("imported?"));
    }

    /// Found writing the fuzz targets (`fuzz/fuzz_targets/migration_file.rs`
    /// confirmed the crash): lists nested 30,000 deep overflowed the stack of
    /// the evaluator (SIGSEGV), and names repeated at each level copied a value
    /// 8^20 times. Both are now "not a literal" with the reason.
    #[test]
    fn deep_or_self_multiplying_literals_are_refused() {
        let deep = format!("revision = {}{}\n", "[".repeat(30_000), "]".repeat(30_000));
        let seen = constants_of(&deep);
        assert!(seen[0]
            .1
            .as_ref()
            .unwrap_err()
            .contains("nested more than 100 deep"));
        let mut text = "a0 = 'x'\n".to_string();
        for level in 1..=20 {
            let refs = vec![format!("a{}", level - 1); 8].join(", ");
            text += &format!("a{level} = ({refs})\n");
        }
        let seen = constants_of(&text);
        assert_eq!(seen.len(), 21);
        assert!(seen[20]
            .1
            .as_ref()
            .unwrap_err()
            .contains("more than 100000 values"));
        // Within the limits, nesting and names still resolve.
        let seen = constants_of("a = [[['x']]]\nb = (a, a)\n");
        assert_eq!(
            measure(seen[1].1.as_ref().unwrap()),
            (4, 1 + 2 * 4) // b, and each a: [[['x']]] is 3 sequences and a string
        );
    }

    #[test]
    fn later_bindings_win_and_get_skips_unknowns() {
        let source = Source::parse("A = 'x'\nA = 'y'\nB = 'b'\nB = g()\n");
        let constants = Constants::collect(&source, |_| {});
        assert_eq!(constants.get("A"), Some(&Value::Str("y".into())));
        assert_eq!(constants.get("B"), None);
    }
}
