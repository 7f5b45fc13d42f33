//! Order within one upgrade: which objects each effect creates, removes or
//! modifies, so an effect a later one undoes (add then drop) is not judged on
//! its own, and one that re-creates what an earlier one dropped proves little.

use super::Ctx;
use crate::evidence::model::*;

/// What a later effect does to an object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Exists,
    Gone,
    Modified,
}

#[derive(Clone, PartialEq, Eq)]
pub(super) enum Obj {
    Table(String, String),
    Column(String, String, String),
    /// Indexes are found by schema + name; the table is for drop-table cascades.
    Index(String, String, Option<String>),
    Constraint(String, String, String),
    /// A view, function, extension, type or trigger: kind label, schema, name
    /// (a trigger's name is `table.name`).
    Object(&'static str, String, String),
}

impl Obj {
    pub(super) fn same(&self, other: &Obj) -> bool {
        match (self, other) {
            (Obj::Index(s1, n1, _), Obj::Index(s2, n2, _)) => s1 == s2 && n1 == n2,
            _ => self == other,
        }
    }

    /// The table this object belongs to (for cascades of drop/rename table).
    pub(super) fn table(&self) -> Option<(&str, &str)> {
        match self {
            Obj::Table(s, t) | Obj::Column(s, t, _) | Obj::Constraint(s, t, _) => Some((s, t)),
            Obj::Index(s, _, t) => t.as_deref().map(|t| (s.as_str(), t)),
            Obj::Object(..) => None,
        }
    }
}

impl Ctx<'_> {
    /// The objects an effect creates, removes or modifies.
    pub(super) fn outcomes(&self, kind: &EffectKind) -> Vec<(Obj, Outcome)> {
        match kind {
            // Columns and constraints of a new table are checked with the table;
            // a later drop of one of them is handled in `check_create_table`.
            EffectKind::CreateTable { table, .. } => vec![(
                Obj::Table(self.schema_of_owned(table), table.name.clone()),
                Outcome::Exists,
            )],
            EffectKind::DropTable { table } => vec![(
                Obj::Table(self.schema_of_owned(table), table.name.clone()),
                Outcome::Gone,
            )],
            EffectKind::RenameTable { table, new_name } => {
                let s = self.schema_of_owned(table);
                vec![
                    (Obj::Table(s.clone(), table.name.clone()), Outcome::Gone),
                    (Obj::Table(s, new_name.clone()), Outcome::Exists),
                ]
            }
            EffectKind::AddColumn { table, column } => vec![(
                Obj::Column(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    column.name.clone(),
                ),
                Outcome::Exists,
            )],
            EffectKind::DropColumn { table, column } => vec![(
                Obj::Column(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    column.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::CreateIndex { table, name, .. } => vec![(
                Obj::Index(
                    self.schema_of_owned(table),
                    name.clone(),
                    Some(table.name.clone()),
                ),
                Outcome::Exists,
            )],
            EffectKind::DropIndex {
                table,
                schema,
                name,
            } => vec![(
                Obj::Index(
                    schema
                        .clone()
                        .unwrap_or_else(|| self.default_schema.to_string()),
                    name.clone(),
                    table.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::CreateConstraint { table, constraint } => match &constraint.name {
                Some(name) => vec![(
                    Obj::Constraint(
                        self.schema_of_owned(table),
                        table.name.clone(),
                        name.clone(),
                    ),
                    Outcome::Exists,
                )],
                None => Vec::new(),
            },
            EffectKind::DropConstraint { table, name, .. } => vec![(
                Obj::Constraint(
                    self.schema_of_owned(table),
                    table.name.clone(),
                    name.clone(),
                ),
                Outcome::Gone,
            )],
            EffectKind::AlterColumn {
                table,
                column,
                new_name,
                ..
            } => {
                let s = self.schema_of_owned(table);
                let old = Obj::Column(s.clone(), table.name.clone(), column.clone());
                match new_name {
                    Some(n) => vec![
                        (old, Outcome::Gone),
                        (
                            Obj::Column(s, table.name.clone(), n.clone()),
                            Outcome::Exists,
                        ),
                    ],
                    None => vec![(old, Outcome::Modified)],
                }
            }
            EffectKind::CreateObject { object } => vec![(self.object(object), Outcome::Exists)],
            EffectKind::DropObject { object } => vec![(self.object(object), Outcome::Gone)],
            EffectKind::CreateEnum { schema, name, .. } => {
                vec![(self.type_obj(schema, name), Outcome::Exists)]
            }
            EffectKind::AddEnumValue { schema, name, .. } => {
                vec![(self.type_obj(schema, name), Outcome::Modified)]
            }
            EffectKind::Unknown { .. } | EffectKind::DataChange { .. } => Vec::new(),
        }
    }

    fn type_obj(&self, schema: &Option<String>, name: &str) -> Obj {
        let schema = schema.clone();
        Obj::Object(
            "type",
            schema.unwrap_or_else(|| self.default_schema.to_string()),
            name.to_string(),
        )
    }

    fn object(&self, object: &ObjectRef) -> Obj {
        let schema = object
            .schema
            .clone()
            .unwrap_or_else(|| self.default_schema.to_string());
        match (object.kind, &object.table) {
            (ObjectKind::Type, _) => self.type_obj(&object.schema, &object.name),
            // One namespace for views and materialized views.
            (ObjectKind::View | ObjectKind::MaterializedView, _) => {
                Obj::Object("view", schema, object.name.clone())
            }
            (ObjectKind::Trigger, Some(table)) => {
                Obj::Object("trigger", schema, format!("{}.{}", table.name, object.name))
            }
            (kind, _) => Obj::Object(kind.label(), schema, object.name.clone()),
        }
    }

    /// Line of the first later effect that undoes what effect `index` did.
    pub(super) fn superseded_by(&self, index: usize) -> Option<u32> {
        let mine = self.outcomes(&self.effects[index].kind);
        if mine.is_empty() {
            return None;
        }
        for later in &self.effects[index + 1..] {
            for (obj, outcome) in self.outcomes(&later.kind) {
                for (my_obj, my_outcome) in &mine {
                    let undone = match (my_outcome, outcome) {
                        (Outcome::Exists | Outcome::Modified, Outcome::Gone) => {
                            my_obj.same(&obj) || cascades(&obj, my_obj)
                        }
                        (Outcome::Gone, Outcome::Exists) => my_obj.same(&obj),
                        _ => false,
                    };
                    if undone {
                        return Some(later.line);
                    }
                }
            }
        }
        None
    }

    /// Line of an earlier effect that removed an object effect `index` creates again.
    pub(super) fn replaces(&self, index: usize) -> Option<u32> {
        let mine = self.outcomes(&self.effects[index].kind);
        self.effects[..index].iter().rev().find_map(|earlier| {
            let removed = self
                .outcomes(&earlier.kind)
                .into_iter()
                .any(|(obj, outcome)| {
                    outcome == Outcome::Gone
                        && mine
                            .iter()
                            .any(|(o, my)| *my == Outcome::Exists && o.same(&obj))
                });
            removed.then_some(earlier.line)
        })
    }

    /// Whether an effect after `index` removes `obj` (drop or rename).
    pub(super) fn removed_later(&self, index: usize, obj: &Obj) -> bool {
        self.effects[index + 1..].iter().any(|later| {
            self.outcomes(&later.kind)
                .iter()
                .any(|(o, outcome)| *outcome == Outcome::Gone && o.same(obj))
        })
    }

    /// Whether a later `alter_column` (after effect `index`) changes nullability / type of a column.
    pub(super) fn later_alters(
        &self,
        index: usize,
        schema: &str,
        table: &str,
        column: &str,
    ) -> (bool, bool, bool) {
        let (mut nullable, mut type_, mut default) = (false, false, false);
        for later in &self.effects[index + 1..] {
            if let EffectKind::AlterColumn {
                table: t,
                column: c,
                nullable: n,
                type_: ty,
                server_default: d,
                ..
            } = &later.kind
            {
                if t.name == table && self.schema_of(t) == schema && c == column {
                    nullable |= n.is_some();
                    type_ |= ty.is_some();
                    default |= d.is_some();
                }
            }
        }
        (nullable, type_, default)
    }
}

/// Whether dropping/renaming table `gone` removes `obj` with it.
pub(super) fn cascades(gone: &Obj, obj: &Obj) -> bool {
    match (gone, obj.table()) {
        (Obj::Table(s, t), Some((os, ot))) => !matches!(obj, Obj::Table(..)) && s == os && t == ot,
        _ => false,
    }
}
