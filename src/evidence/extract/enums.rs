//! Enum types SQLAlchemy creates: `sa.Enum("a", "b", name="x")` and
//! `postgresql.ENUM(...)` columns of `op.create_table` (created before the
//! table, unless `create_type=False`), and `sa.Enum(...).create(bind)`;
//! `native_enum=False` makes no type.
//! `op.add_column` does not create the type (Alembic leaves it to the
//! migration), so its enum columns are not read here.

use super::args::{bool_of, callee, last_segment, split_args};
use super::values::Values;
use crate::evidence::model::EffectKind;
use ruff_python_ast::{Expr, ExprCall};

/// Whether `expr` is a call of `Enum` / `ENUM` (any module prefix).
pub(super) fn is_enum_call(expr: &Expr) -> bool {
    matches!(callee(expr), "Enum" | "ENUM")
}

/// The enum type an `Enum(...)` call names: `None` without a literal
/// `name=`, or when `create_type=False` (`creating`: only then is that
/// keyword read, as `.create(bind)` creates the type regardless).
pub(super) fn enum_type(values: &Values, call: &ExprCall, creating: bool) -> Option<EffectKind> {
    if !matches!(last_segment(&call.func), "Enum" | "ENUM") {
        return None;
    }
    let args = split_args(call);
    let keyword = |key: &str| {
        args.keywords
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    };
    if creating && keyword("create_type").and_then(bool_of) == Some(false) {
        return None;
    }
    // `native_enum=False`: a VARCHAR (and a check), no type.
    if keyword("native_enum").and_then(bool_of) == Some(false) {
        return None;
    }
    let name = values.str_of(keyword("name")?)?;
    let schema = values.optional(keyword("schema"))?;
    // Labels are known when every positional argument is a string (not a
    // Python enum class, not `*values`).
    let labels: Option<Vec<String>> = if args.has_splat || args.positional.is_empty() {
        None
    } else {
        args.positional.iter().map(|a| values.str_of(a)).collect()
    };
    Some(EffectKind::CreateEnum {
        schema,
        name,
        values: labels,
    })
}

/// The enum types the `sa.Column(...)`s of a `create_table` call create, in order.
pub(super) fn created_by_columns(values: &Values, call: &ExprCall) -> Vec<EffectKind> {
    let mut out: Vec<EffectKind> = Vec::new();
    for item in call.arguments.args.iter() {
        let Expr::Call(column) = item else { continue };
        if last_segment(&column.func) != "Column" {
            continue;
        }
        let typed =
            column
                .arguments
                .args
                .iter()
                .chain(column.arguments.keywords.iter().filter_map(|k| {
                    (k.arg.as_ref().map(|a| a.as_str()) == Some("type_")).then_some(&k.value)
                }));
        for expr in typed {
            if let Expr::Call(enum_call) = expr {
                if let Some(created) = enum_type(values, enum_call, true) {
                    let name = |e: &EffectKind| match e {
                        EffectKind::CreateEnum { schema, name, .. } => {
                            Some((schema.clone(), name.clone()))
                        }
                        _ => None,
                    };
                    // SQLAlchemy creates a type shared by two columns once.
                    if !out.iter().any(|e| name(e) == name(&created)) {
                        out.push(created);
                    }
                }
            }
        }
    }
    out
}
