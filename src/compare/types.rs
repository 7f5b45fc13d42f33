//! Schemas, extensions (their versions as items of their own) and the types
//! a schema declares (enums, domains, composite, range and base types,
//! sequences) as comparable items.

use super::constraints::generated_name;
use super::item::{owner_and_grants, Item};
use super::{normalize, DiffOptions, Kind};
use crate::schema::Snapshot;

/// Schemas, extensions, enums, domains, other types and sequences of a snapshot.
pub(super) fn push(snapshot: &Snapshot, options: &DiffOptions, items: &mut Vec<Item>) {
    for schema in &snapshot.schemas {
        let text = format!(
            "schema{}",
            owner_and_grants(options, &schema.owner, &schema.acl)
        );
        items.push(Item::new(
            Kind::Schema,
            schema.name.clone(),
            &schema.name,
            text.clone(),
            text,
        ));
    }

    for extension in &snapshot.extensions {
        let text = format!("extension in schema {}", extension.schema);
        items.push(Item::new(
            Kind::Extension,
            extension.key(),
            &extension.schema,
            text.clone(),
            text,
        ));
        let version = format!("version {}", extension.version);
        items.push(Item::new(
            Kind::ExtensionVersion,
            extension.key(),
            &extension.schema,
            version.clone(),
            version,
        ));
    }

    for user_type in &snapshot.types {
        let (kind, mut text) = match user_type.kind.as_str() {
            "composite" => (
                Kind::CompositeType,
                format!("composite ({})", user_type.attributes.join(", ")),
            ),
            "range" => (
                Kind::RangeType,
                format!(
                    "range ({})",
                    user_type.definition.as_deref().unwrap_or_default()
                ),
            ),
            _ => (
                Kind::BaseType,
                format!(
                    "base type ({})",
                    user_type.definition.as_deref().unwrap_or_default()
                ),
            ),
        };
        text.push_str(&owner_and_grants(options, &user_type.owner, &None));
        items.push(Item::new(
            kind,
            user_type.key(),
            &user_type.schema,
            text.clone(),
            text,
        ));
    }

    for enum_type in &snapshot.enums {
        let values: Vec<String> = enum_type
            .values
            .iter()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect();
        let mut text = format!("enum ({})", values.join(", "));
        if options.include_owners {
            if let Some(owner) = &enum_type.owner {
                text.push_str(&format!(", owner {owner}"));
            }
        }
        items.push(Item::new(
            Kind::Enum,
            enum_type.key(),
            &enum_type.schema,
            text.clone(),
            text,
        ));
    }

    for domain in &snapshot.domains {
        let mut display = domain.data_type.clone();
        let mut compare = domain.data_type.to_lowercase();
        if domain.not_null {
            display.push_str(" not null");
            compare.push_str(" not null");
        }
        if let Some(default) = &domain.default {
            display.push_str(&format!(" default {}", normalize::one_line(default)));
            compare.push_str(&format!(" default {}", normalize::expression(default)));
        }
        // The constraint names, when read, join the definition: migrations
        // address them by name. Two names PostgreSQL generated
        // (`posint_check`, `posint_check1`) are not drift, as on tables.
        let names = domain
            .check_names
            .as_ref()
            .filter(|names| names.len() == domain.checks.len());
        let mut named = compare.clone();
        for (i, check) in domain.checks.iter().enumerate() {
            let expression = normalize::expression(check);
            compare.push_str(&format!(" {expression}"));
            match names.map(|names| names[i].as_str()) {
                Some(name) => {
                    display.push_str(&format!(
                        " constraint {name} {}",
                        normalize::one_line(check)
                    ));
                    let name = if generated_name(name, &domain.name) {
                        "<generated>"
                    } else {
                        name
                    };
                    named.push_str(&format!(" constraint {name} {expression}"));
                }
                None => display.push_str(&format!(" {}", normalize::one_line(check))),
            }
        }
        let mut owner = String::new();
        if options.include_owners {
            if let Some(name) = &domain.owner {
                owner = format!(", owner {name}");
            }
        }
        display.push_str(&owner);
        compare.push_str(&owner);
        let mut item = Item::new(Kind::Domain, domain.key(), &domain.schema, compare, display);
        item.detail = names.map(|_| named + &owner);
        items.push(item);
    }

    for sequence in &snapshot.sequences {
        let mut text = format!(
            "{} start {} increment {} min {} max {}",
            sequence.data_type, sequence.start, sequence.increment, sequence.min, sequence.max
        );
        if sequence.cycle {
            text.push_str(" cycle");
        }
        if let Some(owned_by) = &sequence.owned_by {
            text.push_str(&format!(" owned by {owned_by}"));
        }
        text.push_str(&owner_and_grants(options, &sequence.owner, &sequence.acl));
        // `CACHE` joins the definition; a snapshot taken before it was read
        // has none, and is compared without it.
        let with_cache = sequence.cache.map(|cache| format!("{text} cache {cache}"));
        let mut item = Item::new(
            Kind::Sequence,
            sequence.key(),
            &sequence.schema,
            text.clone(),
            with_cache.clone().unwrap_or(text),
        );
        item.detail = with_cache;
        item.table = sequence
            .owned_by
            .as_deref()
            .and_then(|column| column.rsplit_once('.'))
            .map(|(table, _)| table.to_string());
        items.push(item);
    }
}
