//! Branches on the database dialect (`if dialect_name == "postgresql":`,
//! `if conn.dialect.name in ("mysql", "sqlite"):`): driftcheck reads
//! PostgreSQL databases only, so such a test has a known outcome and only the
//! branch PostgreSQL takes is read. Any other test stays unknown.

use ruff_python_ast::{BoolOp, CmpOp, Expr, UnaryOp};

/// The dialect every database driftcheck reads has.
const DIALECT: &str = "postgresql";

/// Whether `expr` is `<base>.dialect.name` with `base` a connection or a
/// migration context (`is_source`).
pub(super) fn is_dialect_name(expr: &Expr, is_source: &dyn Fn(&Expr) -> bool) -> bool {
    let Expr::Attribute(name) = expr else {
        return false;
    };
    let Expr::Attribute(dialect) = name.value.as_ref() else {
        return false;
    };
    name.attr.as_str() == "name" && dialect.attr.as_str() == "dialect" && is_source(&dialect.value)
}

/// The outcome of a test on the dialect on PostgreSQL; `None` when the test
/// is anything else. `is_dialect`: an expression holding the dialect's name.
pub(super) fn outcome(test: &Expr, is_dialect: &dyn Fn(&Expr) -> bool) -> Option<bool> {
    match test {
        Expr::Compare(compare) => {
            let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
                return None;
            };
            if !is_dialect(&compare.left) {
                return None;
            }
            let names: Vec<&str> = match right {
                Expr::StringLiteral(s) => vec![s.value.to_str()],
                Expr::Tuple(t) => literal_names(&t.elts)?,
                Expr::List(l) => literal_names(&l.elts)?,
                Expr::Set(s) => literal_names(&s.elts)?,
                _ => return None,
            };
            let equal = names.contains(&DIALECT);
            match (op, right) {
                (CmpOp::Eq, Expr::StringLiteral(_)) => Some(equal),
                (CmpOp::NotEq, Expr::StringLiteral(_)) => Some(!equal),
                (CmpOp::In, _) => Some(equal),
                (CmpOp::NotIn, _) => Some(!equal),
                _ => None,
            }
        }
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            outcome(&unary.operand, is_dialect).map(|b| !b)
        }
        Expr::BoolOp(bool_op) => {
            let values: Option<Vec<bool>> = bool_op
                .values
                .iter()
                .map(|v| outcome(v, is_dialect))
                .collect();
            let values = values?;
            Some(match bool_op.op {
                BoolOp::And => values.iter().all(|v| *v),
                BoolOp::Or => values.iter().any(|v| *v),
            })
        }
        _ => None,
    }
}

fn literal_names(items: &[Expr]) -> Option<Vec<&str>> {
    items
        .iter()
        .map(|item| match item {
            Expr::StringLiteral(s) => Some(s.value.to_str()),
            _ => None,
        })
        .collect()
}
