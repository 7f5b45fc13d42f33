//! Ignore rules: the `[ignore]` table of `driftcheck.toml`.
//!
//! ```toml
//! [ignore]
//! tables = ["audit.*_2024*"]
//! columns = ["public.*.updated_at"]
//! fold_partitions = true
//! ```
//!
//! Patterns are globs on the qualified name the diff reports (`*` also
//! matches dots). Compiling them validates every pattern up front, so a bad
//! one is reported with its kind and text before any database is touched.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use super::Kind;

/// Per kind a list of globs, plus partition folding. Unknown keys are errors,
/// so a typo (`table = [...]`) does not silently ignore nothing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IgnoreRules {
    pub schemas: Vec<String>,
    pub tables: Vec<String>,
    pub columns: Vec<String>,
    pub constraints: Vec<String>,
    pub indexes: Vec<String>,
    pub sequences: Vec<String>,
    pub views: Vec<String>,
    pub materialized_views: Vec<String>,
    pub enums: Vec<String>,
    pub domains: Vec<String>,
    pub functions: Vec<String>,
    pub triggers: Vec<String>,
    pub extensions: Vec<String>,
    /// Extension names whose version is not compared (`["*"]`: none is).
    pub extension_versions: Vec<String>,
    pub composite_types: Vec<String>,
    pub range_types: Vec<String>,
    pub base_types: Vec<String>,
    /// Tables whose storage parameters are not compared.
    pub storage_parameters: Vec<String>,
    pub rules: Vec<String>,
    pub event_triggers: Vec<String>,
    pub policies: Vec<String>,
    /// Partitions are reported through their partitioned parent only.
    pub fold_partitions: bool,
}

impl Default for IgnoreRules {
    fn default() -> Self {
        IgnoreRules {
            schemas: Vec::new(),
            tables: Vec::new(),
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            sequences: Vec::new(),
            views: Vec::new(),
            materialized_views: Vec::new(),
            enums: Vec::new(),
            domains: Vec::new(),
            functions: Vec::new(),
            triggers: Vec::new(),
            extensions: Vec::new(),
            extension_versions: Vec::new(),
            composite_types: Vec::new(),
            range_types: Vec::new(),
            base_types: Vec::new(),
            storage_parameters: Vec::new(),
            rules: Vec::new(),
            event_triggers: Vec::new(),
            policies: Vec::new(),
            fold_partitions: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ignore pattern `{pattern}` in `[ignore] {key}`: {reason}")]
pub struct IgnorePatternError {
    /// The key under `[ignore]`, e.g. `tables`.
    pub key: &'static str,
    pub pattern: String,
    pub reason: String,
}

/// Compiled ignore rules, ready for [`super::diff`].
#[derive(Debug, Clone)]
pub struct Ignore {
    sets: Vec<(Kind, GlobSet)>,
    pub fold_partitions: bool,
}

impl Default for Ignore {
    fn default() -> Self {
        Ignore {
            sets: Vec::new(),
            fold_partitions: true,
        }
    }
}

impl IgnoreRules {
    fn patterns(&self, kind: Kind) -> &[String] {
        match kind {
            Kind::Schema => &self.schemas,
            Kind::Table => &self.tables,
            Kind::Column => &self.columns,
            Kind::Constraint => &self.constraints,
            Kind::Index => &self.indexes,
            Kind::Sequence => &self.sequences,
            Kind::View => &self.views,
            Kind::MaterializedView => &self.materialized_views,
            Kind::Enum => &self.enums,
            Kind::Domain => &self.domains,
            Kind::Function => &self.functions,
            Kind::Trigger => &self.triggers,
            Kind::Extension => &self.extensions,
            Kind::ExtensionVersion => &self.extension_versions,
            Kind::CompositeType => &self.composite_types,
            Kind::RangeType => &self.range_types,
            Kind::BaseType => &self.base_types,
            Kind::StorageParameters => &self.storage_parameters,
            Kind::Rule => &self.rules,
            Kind::EventTrigger => &self.event_triggers,
            Kind::Policy => &self.policies,
        }
    }

    /// From the `[ignore]` table as `config` keeps it; an unknown key is an
    /// error that names it.
    pub fn from_toml(table: &toml::Table) -> Result<IgnoreRules, toml::de::Error> {
        table.clone().try_into()
    }

    pub fn compile(&self) -> Result<Ignore, IgnorePatternError> {
        let mut sets = Vec::new();
        for kind in Kind::ALL {
            let patterns = self.patterns(kind);
            if patterns.is_empty() {
                continue;
            }
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                let glob = Glob::new(pattern).map_err(|error| IgnorePatternError {
                    key: kind.plural(),
                    pattern: pattern.clone(),
                    reason: error.kind().to_string(),
                })?;
                builder.add(glob);
            }
            let set = builder.build().map_err(|error| IgnorePatternError {
                key: kind.plural(),
                pattern: patterns.join(", "),
                reason: error.to_string(),
            })?;
            sets.push((kind, set));
        }
        Ok(Ignore {
            sets,
            fold_partitions: self.fold_partitions,
        })
    }
}

impl Ignore {
    /// Does a rule of this kind match this qualified name?
    pub fn matches(&self, kind: Kind, object: &str) -> bool {
        self.sets
            .iter()
            .any(|(k, set)| *k == kind && set.is_match(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserialises_from_toml_with_defaults() {
        let rules: IgnoreRules = toml::from_str(
            r#"
tables = ["audit.*_2024*"]
columns = ["public.*.updated_at"]
"#,
        )
        .unwrap();
        assert_eq!(rules.tables, vec!["audit.*_2024*"]);
        assert!(rules.fold_partitions);
        let ignore = rules.compile().unwrap();
        assert!(ignore.matches(Kind::Table, "audit.events_2024_01"));
        assert!(!ignore.matches(Kind::Table, "audit.events_2025_01"));
        assert!(!ignore.matches(Kind::Column, "audit.events_2024_01"));
        assert!(ignore.matches(Kind::Column, "public.users.updated_at"));
        assert!(!ignore.matches(Kind::Column, "public.users.updated_by"));
    }

    #[test]
    fn from_the_config_table() {
        let table: toml::Table =
            toml::from_str("indexes = [\"public.tmp_*\"]\nfold_partitions = false").unwrap();
        let rules = IgnoreRules::from_toml(&table).unwrap();
        assert_eq!(rules.indexes, vec!["public.tmp_*"]);
        assert!(!rules.fold_partitions);
        let table: toml::Table = toml::from_str("colums = []").unwrap();
        let error = IgnoreRules::from_toml(&table).unwrap_err();
        assert!(error.to_string().contains("colums"), "{error}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let error = toml::from_str::<IgnoreRules>("table = [\"x\"]").unwrap_err();
        assert!(error.to_string().contains("table"), "{error}");
    }

    #[test]
    fn bad_pattern_names_key_and_pattern() {
        let rules = IgnoreRules {
            indexes: vec!["public.[".to_string()],
            ..IgnoreRules::default()
        };
        let error = rules.compile().unwrap_err();
        assert_eq!(error.key, "indexes");
        assert!(error.to_string().contains("`public.[`"), "{error}");
        assert!(error.to_string().contains("[ignore] indexes"), "{error}");
    }
}
