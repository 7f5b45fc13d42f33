//! Table operations: `op.create_table` (its columns and table-level
//! constraints), `op.drop_table`, `op.rename_table`. None of them is valid in
//! a batch block.

use super::args::{bind, callee, Args};
use super::{columns, constraints, Op, SCHEMA};
use crate::evidence::model::*;
use ruff_python_ast::Expr;

pub(super) fn create_table(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(args, &[&["table_name", "name"]], &[SCHEMA])?;
    let table = op.table_of(&bound)?;
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    for item in &bound.rest {
        let Expr::Call(call) = item else {
            return None;
        };
        match callee(item) {
            "Column" => columns.push(columns::column_spec(op.values, call)?),
            name => constraints.push(constraints::table_constraint(op.values, call, name)?),
        }
    }
    // Column-level primary_key=True makes an unnamed primary key.
    if !constraints
        .iter()
        .any(|c| c.kind == ConstraintKind::PrimaryKey)
    {
        let pk: Vec<String> = columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect();
        if !pk.is_empty() {
            constraints.push(ConstraintSpec {
                kind: ConstraintKind::PrimaryKey,
                name: None,
                columns: pk,
                references: None,
                condition: None,
                on_delete: None,
                on_update: None,
            });
        }
    }
    Some(EffectKind::CreateTable {
        table,
        columns,
        constraints,
    })
}

pub(super) fn drop_table(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(args, &[&["table_name", "name"]], &[SCHEMA])?;
    Some(EffectKind::DropTable {
        table: op.table_of(&bound)?,
    })
}

pub(super) fn rename_table(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(args, &[&["old_table_name"], &["new_table_name"]], &[SCHEMA])?;
    Some(EffectKind::RenameTable {
        table: TableRef {
            schema: op.values.optional(bound.get(SCHEMA))?,
            name: op.values.str_of(bound.get("old_table_name")?)?,
        },
        new_name: op.values.str_of(bound.get("new_table_name")?)?,
    })
}
