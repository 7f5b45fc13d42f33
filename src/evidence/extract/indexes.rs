//! Index operations: `op.create_index` and `op.drop_index`, plain or in a
//! batch block.

use super::args::{bind, bool_of, Args};
use super::{Op, SCHEMA, TABLE};
use crate::evidence::model::*;

pub(super) fn create_index(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[&["index_name", "name"], TABLE, &["columns"]]),
        &[SCHEMA, "unique"],
    )?;
    let unique = match bound.get("unique") {
        Some(u) => bool_of(u)?,
        None => false,
    };
    // Functional indexes (sa.text(...) items): every key as SQL text.
    let items = bound.get("columns")?;
    let (columns, expressions) = match op.values.str_list(items) {
        Some(columns) => (columns, None),
        None => (Vec::new(), key_texts(op, items)),
    };
    Some(EffectKind::CreateIndex {
        table: op.table_of(&bound)?,
        name: op.values.str_of(bound.get("index_name")?)?,
        columns,
        unique,
        expressions,
    })
}

/// `["a", sa.text("lower(b)")]`: column names and expressions as SQL text;
/// `None` when one is neither.
fn key_texts(op: &Op, items: &ruff_python_ast::Expr) -> Option<Vec<String>> {
    let items = match items {
        ruff_python_ast::Expr::List(list) => &list.elts,
        ruff_python_ast::Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    items.iter().map(|item| op.values.sql_text(item)).collect()
}

pub(super) fn drop_index(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[&["index_name", "name"], TABLE]),
        &[SCHEMA],
    )?;
    let name = op.values.str_of(bound.get("index_name")?)?;
    let (table, schema) = match op.batch {
        Some(b) => (Some(b.table.name.clone()), b.table.schema.clone()),
        None => (
            op.values.optional(bound.get("table_name"))?,
            op.values.optional(bound.get(SCHEMA))?,
        ),
    };
    Some(EffectKind::DropIndex {
        table,
        schema,
        name,
    })
}
