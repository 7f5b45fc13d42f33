//! What a raw SQL string in a migration (`op.execute("…")`) may change, read
//! with a real SQL parser (sqlparser, PostgreSQL dialect): data only, DDL on
//! named tables and objects, or anything (functions, extensions, `DO`
//! blocks, SQL that does not parse, SQL built at run time). Parsed by
//! [`crate::evidence::sql`], the one SQL parsing module.

use crate::evidence::sql::{ident, parse};
use sqlparser::ast::{visit_relations, ObjectName, ObjectNamePart, Statement};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE` only: no schema change.
    Data,
    /// DDL on these tables or objects (unqualified names, as PostgreSQL
    /// folds them).
    Objects(BTreeSet<String>),
    /// Could change anything.
    Anything,
}

pub fn scope(sql: &str) -> Scope {
    let Ok(statements) = parse(sql) else {
        return Scope::Anything;
    };
    let mut names = BTreeSet::new();
    for statement in &statements {
        match statement {
            Statement::Query(_)
            | Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_) => continue,
            Statement::CreateTable(_)
            | Statement::AlterTable(_)
            | Statement::CreateIndex(_)
            | Statement::CreateView(_)
            | Statement::CreateTrigger(_)
            | Statement::Drop { .. }
            | Statement::Comment { .. } => {
                let before = names.len();
                let _ = visit_relations(statement, |name| {
                    names.extend(last(name));
                    ControlFlow::<()>::Continue(())
                });
                match statement {
                    Statement::CreateIndex(index) => {
                        names.extend(index.name.as_ref().and_then(last));
                    }
                    Statement::Drop { names: dropped, .. } => {
                        names.extend(dropped.iter().filter_map(last));
                    }
                    _ => {}
                }
                if names.len() == before {
                    return Scope::Anything;
                }
            }
            _ => return Scope::Anything,
        }
    }
    if names.is_empty() {
        Scope::Data
    } else {
        Scope::Objects(names)
    }
}

/// The unqualified name, folded as PostgreSQL folds unquoted identifiers.
fn last(name: &ObjectName) -> Option<String> {
    match name.0.last()? {
        ObjectNamePart::Identifier(part) => Some(ident(part)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(names: &[&str]) -> Scope {
        Scope::Objects(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn data_ddl_and_anything() {
        assert_eq!(
            scope("UPDATE users SET role = 'x'; DELETE FROM t"),
            Scope::Data
        );
        assert_eq!(scope("SELECT 1"), Scope::Data);
        assert_eq!(
            scope("ALTER TABLE public.Users ADD COLUMN x int"),
            objects(&["users"])
        );
        assert_eq!(
            scope("CREATE INDEX CONCURRENTLY ix_a ON orders (status)"),
            objects(&["ix_a", "orders"])
        );
        assert_eq!(scope("DROP VIEW IF EXISTS \"Open\""), objects(&["Open"]));
        assert_eq!(
            scope("CREATE VIEW v AS SELECT id FROM orders"),
            objects(&["orders", "v"])
        );
        assert_eq!(scope("CREATE EXTENSION pgcrypto"), Scope::Anything);
        assert_eq!(
            scope("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql"),
            Scope::Anything
        );
        assert_eq!(scope("DO $$ BEGIN END $$"), Scope::Anything);
        assert_eq!(scope("not sql at all"), Scope::Anything);
    }
}
