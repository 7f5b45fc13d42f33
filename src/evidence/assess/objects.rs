//! Effects of raw SQL on views, functions, triggers, extensions and types,
//! and enum types and their values, checked against the snapshot: an object
//! exists or not (a function by schema and name, any arguments; an extension
//! by name), an enum holds the labels the migration gives it.

use super::{dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::CheckStatus;

impl Ctx<'_> {
    fn object_schema<'s>(&'s self, schema: &'s Option<String>) -> &'s str {
        schema.as_deref().unwrap_or(self.default_schema)
    }

    /// `Some(definition)` when the object exists (`Result` for kinds the
    /// snapshot may one day not read).
    fn find_object(&self, object: &ObjectRef) -> Result<Option<String>, String> {
        let snap = self.snapshot;
        let schema = self.object_schema(&object.schema);
        let name = pg_name(&object.name);
        Ok(match object.kind {
            ObjectKind::View | ObjectKind::MaterializedView => snap
                .views
                .iter()
                .find(|v| v.schema == schema && v.name == name)
                .map(|v| {
                    if v.materialized {
                        "materialized view".to_string()
                    } else {
                        "view".to_string()
                    }
                }),
            ObjectKind::Function => snap
                .functions
                .iter()
                .find(|f| f.schema == schema && f.name == name)
                .map(|f| format!("{}({})", f.name, f.arguments)),
            ObjectKind::Trigger => {
                let table = object.table.as_ref().map(|t| pg_name(&t.name));
                snap.triggers
                    .iter()
                    .find(|t| {
                        t.schema == schema && Some(t.table.as_str()) == table && t.name == name
                    })
                    .map(|t| t.definition.clone())
            }
            ObjectKind::Extension => snap
                .extensions
                .iter()
                .find(|e| e.name == name)
                .map(|e| format!("version {}", e.version)),
            ObjectKind::Type => {
                let enum_type = snap
                    .enums
                    .iter()
                    .find(|e| e.schema == schema && e.name == name);
                let domain = snap
                    .domains
                    .iter()
                    .find(|d| d.schema == schema && d.name == name);
                let other = snap
                    .types
                    .iter()
                    .find(|t| t.schema == schema && t.name == name);
                match (enum_type, domain, other) {
                    (Some(e), _, _) => Some(format!("enum ({})", e.values.join(", "))),
                    (None, Some(d), _) => Some(format!("domain over {}", d.data_type)),
                    (None, None, Some(t)) if t.attributes.is_empty() => {
                        Some(format!("{} type", t.kind))
                    }
                    (None, None, Some(t)) => {
                        Some(format!("{} type ({})", t.kind, t.attributes.join(", ")))
                    }
                    (None, None, None) => None,
                }
            }
        })
    }

    fn subject(&self, object: &ObjectRef) -> String {
        let schema = self.object_schema(&object.schema);
        match (&object.kind, &object.table) {
            (ObjectKind::Extension, _) => format!("extension {}", object.name),
            (ObjectKind::Trigger, Some(table)) => {
                format!("trigger {} on {schema}.{}", object.name, table.name)
            }
            (kind, _) => format!("{} {schema}.{}", kind.label(), object.name),
        }
    }

    pub(super) fn check_create_object(&self, object: &ObjectRef) -> Finding {
        let subject = self.subject(object);
        if let Some(table) = &object.table {
            if self
                .snapshot
                .table(self.schema_of(table), pg_name(&table.name))
                .is_none()
            {
                return self.table_absent(table, &subject);
            }
        }
        match self.find_object(object) {
            Err(why) => Finding::unknown(why),
            Ok(None) => Finding::new(
                CheckStatus::Absent,
                format!("{subject} not found"),
                format!("missing: {subject}"),
            ),
            Ok(Some(found)) => {
                let materialized = object.kind == ObjectKind::MaterializedView;
                let is_view =
                    matches!(object.kind, ObjectKind::View | ObjectKind::MaterializedView);
                if is_view && (found == "materialized view") != materialized {
                    Finding::new(
                        CheckStatus::Differs,
                        format!("exists but it is a {found}"),
                        format!("differs: {subject} (it is a {found})"),
                    )
                } else {
                    Finding::new(
                        CheckStatus::Present,
                        format!("exists: {found}"),
                        format!("found: {subject}"),
                    )
                }
            }
        }
    }

    pub(super) fn check_drop_object(&self, object: &ObjectRef) -> Finding {
        let subject = self.subject(object);
        if let Some(table) = &object.table {
            if let Some(missing) = self.missing_table_of_drop(table) {
                return missing;
            }
        }
        match self.find_object(object) {
            Err(why) => Finding::unknown(why),
            Ok(found) => dropped(&subject, found.as_deref(), None),
        }
    }

    pub(super) fn check_create_enum(
        &self,
        schema: &Option<String>,
        name: &str,
        values: Option<&[String]>,
    ) -> Finding {
        let schema = self.object_schema(schema);
        let subject = format!("enum type {schema}.{name}");
        let Some(found) = self
            .snapshot
            .enums
            .iter()
            .find(|e| e.schema == schema && e.name == pg_name(name))
        else {
            return Finding::new(
                CheckStatus::Absent,
                format!("{subject} not found"),
                format!("missing: {subject}"),
            );
        };
        let found_text = found.values.join(", ");
        // Later migrations may add labels: the migration's must be there, in order.
        let missing: Vec<&String> = values
            .unwrap_or_default()
            .iter()
            .filter(|v| !found.values.contains(v))
            .collect();
        let in_order = values.is_none_or(|values| {
            let mut rest = found.values.iter();
            values.iter().all(|v| rest.any(|f| f == v))
        });
        if missing.is_empty() && in_order {
            Finding::new(
                CheckStatus::Present,
                format!("exists: ({found_text})"),
                format!("found: {subject}"),
            )
        } else {
            let problem = if missing.is_empty() {
                format!("labels in another order: ({found_text})")
            } else {
                let missing: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                format!("labels {} missing", missing.join(", "))
            };
            Finding::new(
                CheckStatus::Differs,
                format!("exists but {problem}"),
                format!("differs: {subject} ({problem})"),
            )
        }
    }

    pub(super) fn check_add_enum_value(
        &self,
        schema: &Option<String>,
        name: &str,
        value: &str,
    ) -> Finding {
        let schema = self.object_schema(schema);
        let subject = format!("label '{value}' of enum type {schema}.{name}");
        match self
            .snapshot
            .enums
            .iter()
            .find(|e| e.schema == schema && e.name == pg_name(name))
        {
            None => Finding::unknown(format!(
                "enum type {schema}.{name} not found: cannot tell whether the label was added"
            )),
            Some(found) if found.values.iter().any(|v| v == value) => Finding::new(
                CheckStatus::Present,
                format!("the type has it: ({})", found.values.join(", ")),
                format!("found: {subject}"),
            ),
            Some(found) => Finding::new(
                CheckStatus::Absent,
                format!("the type lacks it: ({})", found.values.join(", ")),
                format!("missing: {subject}"),
            ),
        }
    }
}
