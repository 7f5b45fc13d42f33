//! The one place raw SQL from migrations is parsed: sqlparser with the
//! PostgreSQL dialect (pure Rust, no C build of libpg_query). The evidence
//! check turns the statements into effects (`extract/raw_sql.rs`), the
//! explanation reads which objects they name (`explain/raw_sql.rs`), and
//! check conditions are compared in a normal form ([`normalise_condition`]).

use sqlparser::ast::{
    visit_expressions_mut, BinaryOperator, Expr, Ident, InTarget, ObjectName, ObjectNamePart,
    Statement, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// Every statement of `sql`, or the parser's message.
///
/// sqlparser reads `CREATE INDEX CONCURRENTLY` but not `DROP INDEX
/// CONCURRENTLY`; the keyword changes how the index is dropped, not what is
/// dropped, so when the text does not parse it is read again without it.
pub fn parse(sql: &str) -> Result<Vec<Statement>, String> {
    let dialect = PostgreSqlDialect {};
    Parser::parse_sql(&dialect, sql)
        .map_err(|error| error.to_string())
        .or_else(|message| {
            const DROP_CONCURRENTLY: &str = "DROP INDEX CONCURRENTLY ";
            let upper = sql.to_ascii_uppercase();
            if !upper.contains(DROP_CONCURRENTLY) {
                return Err(message);
            }
            let mut plain = String::with_capacity(sql.len());
            let mut rest = 0;
            for (at, _) in upper.match_indices(DROP_CONCURRENTLY) {
                plain.push_str(&sql[rest..at]);
                plain.push_str("DROP INDEX ");
                rest = at + DROP_CONCURRENTLY.len();
            }
            plain.push_str(&sql[rest..]);
            Parser::parse_sql(&dialect, &plain).map_err(|_| message)
        })
}

/// An identifier as PostgreSQL folds it: unquoted names are lower-cased.
pub fn ident(ident: &Ident) -> String {
    match ident.quote_style {
        None => ident.value.to_lowercase(),
        Some(_) => ident.value.clone(),
    }
}

/// `(schema, name)` of a possibly qualified name; `None` for dialect
/// oddities (a name computed by a function).
pub fn qualified(name: &ObjectName) -> Option<(Option<String>, String)> {
    let parts: Option<Vec<String>> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(i) => Some(ident(i)),
            ObjectNamePart::Function(_) => None,
        })
        .collect();
    let mut parts = parts?;
    let last = parts.pop()?;
    Some((parts.pop(), last))
}

/// A check condition (or any SQL expression) in a normal form, so the text a
/// migration wrote and the server's deparsed definition (`CHECK ((amount >
/// 0))`, `(status)::text = ANY ((ARRAY['a'::character varying])::text[])`)
/// compare equal: parentheses, casts, `IN` lists written as `= ANY (ARRAY[…])`,
/// unquoted identifier case and whitespace do not matter; string literals
/// keep their case. `None` when the text does not parse (compare nothing).
pub fn normalise_condition(text: &str) -> Option<String> {
    let mut text = text.trim();
    if let Some(rest) = strip_prefix_ci(text, "CHECK") {
        text = rest.trim_start();
    }
    if let Some(rest) = strip_suffix_ci(text, "NOT VALID") {
        text = rest.trim_end();
    }
    let mut expr = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()?;
    let _ = visit_expressions_mut(&mut expr, |e| {
        loop {
            let replacement = match e {
                Expr::Nested(inner) => Some((**inner).clone()),
                Expr::Cast { expr, .. } => Some((**expr).clone()),
                Expr::AnyOp {
                    left,
                    compare_op: BinaryOperator::Eq,
                    right,
                    is_some: false,
                } => match right.as_ref() {
                    Expr::Array(array) => Some(Expr::In {
                        expr: left.clone(),
                        target: InTarget::List(array.elem.clone()),
                        negated: false,
                        global: false,
                    }),
                    _ => None,
                },
                Expr::Identifier(i) if i.quote_style.is_none() => {
                    let lower = i.value.to_lowercase();
                    (lower != i.value).then(|| Expr::Identifier(Ident::new(lower)))
                }
                Expr::Function(function) => {
                    // `LOWER(x)` is `lower(x)`.
                    for part in function.name.0.iter_mut() {
                        if let ObjectNamePart::Identifier(i) = part {
                            if i.quote_style.is_none() {
                                i.value = i.value.to_lowercase();
                            }
                        }
                    }
                    None
                }
                Expr::CompoundIdentifier(parts) => {
                    // `t.x` and `x` are the same column in a check.
                    parts.last().map(|i| Expr::Identifier(Ident::new(ident(i))))
                }
                _ => None,
            };
            match replacement {
                Some(new) => *e = new,
                None => break,
            }
        }
        ControlFlow::<()>::Continue(())
    });
    // Parentheses were dropped from the tree, whose shape keeps the grouping:
    // put them back around every compound operand, so the text keeps it too.
    let _ = visit_expressions_mut(&mut expr, |e| {
        let wrap = |operand: &mut Box<Expr>| {
            if !matches!(
                operand.as_ref(),
                Expr::Identifier(_) | Expr::Value(_) | Expr::Function(_) | Expr::Array(_)
            ) {
                let inner = std::mem::replace(operand.as_mut(), Expr::Value(Value::Null.into()));
                **operand = Expr::Nested(Box::new(inner));
            }
        };
        match e {
            Expr::BinaryOp { left, right, .. } => {
                wrap(left);
                wrap(right);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::In { expr, .. } => wrap(expr),
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Some(expr.to_string())
}

fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ci<'t>(text: &'t str, suffix: &str) -> Option<&'t str> {
    let start = text.len().checked_sub(suffix.len())?;
    let tail = text.get(start..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..start])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_match_the_servers_deparsed_form() {
        let same = |a: &str, b: &str| {
            assert_eq!(normalise_condition(a), normalise_condition(b), "{a} ~ {b}");
            assert!(normalise_condition(a).is_some());
        };
        same("amount > 0", "CHECK ((amount > 0))");
        same("Amount>0", "CHECK ((amount > 0)) NOT VALID");
        same(
            "status IN ('a', 'b')",
            "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))",
        );
        same("t.x IS NOT NULL", "CHECK ((x IS NOT NULL))");
        same("(a + b) * c > 1", "CHECK ((((a + b) * c) > 1))");
        same("LOWER(Email)", "lower((email)::text)");
        let differ = |a: &str, b: &str| {
            assert_ne!(normalise_condition(a), normalise_condition(b), "{a} !~ {b}");
        };
        differ("amount > 0", "CHECK ((amount >= 0))");
        differ("role = 'Admin'", "CHECK (((role)::text = 'admin'::text))");
        differ("(a + b) * c > 1", "a + b * c > 1");
        assert_eq!(normalise_condition("amount >"), None);
    }

    #[test]
    fn names_fold_as_postgresql_folds_them() {
        let statements = parse("DROP TABLE Public.\"Users\"").unwrap();
        let Statement::Drop { names, .. } = &statements[0] else {
            panic!("{statements:?}")
        };
        assert_eq!(
            qualified(&names[0]),
            Some((Some("public".to_string()), "Users".to_string()))
        );
        assert!(parse("CREATE TABLE (").unwrap_err().contains("Expected"));
    }
}
