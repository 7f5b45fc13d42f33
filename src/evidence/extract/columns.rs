//! Column operations: `op.add_column` (with its `sa.Column(...)`),
//! `op.drop_column`, `op.alter_column`, plain or in a batch block.

use super::args::{bind, bool_of, callee, last_segment, shorten, split_args, Args};
use super::types::map_type;
use super::values::Values;
use super::{Op, SCHEMA, TABLE};
use crate::evidence::model::*;
use ruff_python_ast::{Expr, ExprCall};

pub(super) fn add_column(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(args, &op.params(&[TABLE, &["column"]]), &[SCHEMA])?;
    let Expr::Call(column) = bound.get("column")? else {
        return None;
    };
    Some(EffectKind::AddColumn {
        table: op.table_of(&bound)?,
        column: column_spec(op.values, column)?,
    })
}

pub(super) fn drop_column(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(args, &op.params(&[TABLE, &["column_name"]]), &[SCHEMA])?;
    Some(EffectKind::DropColumn {
        table: op.table_of(&bound)?,
        column: op.values.str_of(bound.get("column_name")?)?,
    })
}

pub(super) fn alter_column(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[TABLE, &["column_name"]]),
        &[
            SCHEMA,
            "nullable",
            "type_",
            "new_column_name",
            "server_default",
        ],
    )?;
    let nullable = match bound.get("nullable") {
        Some(n) if n.is_none_literal_expr() => None,
        Some(n) => Some(bool_of(n)?),
        None => None,
    };
    let type_ = bound.get("type_").map(|t| match map_type(t) {
        Some(mapped) => TypeChange::Mapped(mapped),
        None => TypeChange::Unmapped(shorten(op.values.text(t))),
    });
    // `server_default=False` is Alembic's "leave unchanged" sentinel.
    let server_default = match bound.get("server_default") {
        Some(d) if bool_of(d) == Some(false) => None,
        Some(d) => Some(op.values.default_of(d)),
        None => None,
    };
    Some(EffectKind::AlterColumn {
        table: op.table_of(&bound)?,
        column: op.values.str_of(bound.get("column_name")?)?,
        nullable,
        type_,
        new_name: op.values.optional(bound.get("new_column_name"))?,
        server_default,
    })
}

/// `sa.Column("name", sa.Type(...), nullable=..., server_default=..., primary_key=...)`.
pub(super) fn column_spec(values: &Values, call: &ExprCall) -> Option<ColumnSpec> {
    if last_segment(&call.func) != "Column" {
        return None;
    }
    let args = split_args(call);
    if args.has_splat {
        return None;
    }
    let mut positional = args.positional.into_iter().peekable();
    let mut name = match positional.peek() {
        Some(first)
            if matches!(
                first,
                Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_) | Expr::Name(_)
            ) =>
        {
            let value = values.str_of(first);
            if value.is_some() {
                positional.next();
            }
            value
        }
        _ => None,
    };
    // The type is the first positional that is not a column option object.
    let mut type_expr = positional.find(|p| {
        !matches!(
            callee(p),
            "ForeignKey" | "Sequence" | "Identity" | "Computed" | "FetchedValue"
        )
    });
    let mut nullable = None;
    let mut server_default = None;
    let mut primary_key = false;
    for &(key, value) in &args.keywords {
        match key {
            "name" => name = Some(values.str_of(value)?),
            "type_" => type_expr = Some(value),
            "nullable" => nullable = Some(bool_of(value)?),
            "primary_key" => primary_key = bool_of(value)?,
            "server_default" => server_default = Some(values.default_of(value)),
            _ => {}
        }
    }
    Some(ColumnSpec {
        name: name?,
        data_type: type_expr.and_then(map_type),
        nullable: nullable.unwrap_or(!primary_key),
        server_default: server_default.filter(|d| *d != DefaultSpec::Null),
        primary_key,
    })
}
