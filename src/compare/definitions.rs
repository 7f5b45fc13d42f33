//! Objects defined by SQL text (views, materialized views, functions,
//! triggers, rules, event triggers, row-level security policies) as
//! comparable items.

use super::item::{owner_and_grants, Item};
use super::{normalize, DiffOptions, Kind};
use crate::schema::Snapshot;

/// Views, functions, triggers, rules, event triggers and policies of a snapshot.
pub(super) fn push(snapshot: &Snapshot, options: &DiffOptions, items: &mut Vec<Item>) {
    for view in &snapshot.views {
        let kind = if view.materialized {
            Kind::MaterializedView
        } else {
            Kind::View
        };
        let extra = owner_and_grants(options, &view.owner, &view.acl);
        // A view's options (`with (check_option=cascaded)`), when read, are
        // part of its definition.
        let with = view
            .options
            .as_ref()
            .filter(|o| !o.is_empty())
            .map(|o| format!("with ({}) ", o.join(", ")))
            .unwrap_or_default();
        let mut item = Item::new(
            kind,
            view.key(),
            &view.schema,
            format!("{}{extra}", normalize::text(&view.definition)),
            format!("{with}{}{extra}", normalize::one_line(&view.definition)),
        );
        item.detail = view.options.as_ref().map(|_| with);
        items.push(item);
    }

    for function in &snapshot.functions {
        let mut header = format!("{}({})", function.kind, function.arguments);
        if let Some(result) = &function.result {
            header.push_str(&format!(" returns {result}"));
        }
        header.push_str(&format!(" language {}", function.language));
        header.push_str(&owner_and_grants(options, &function.owner, &function.acl));
        let display = match &function.definition {
            Some(definition) => normalize::one_line(definition),
            None => header.clone(),
        };
        let mut item = Item::new(
            Kind::Function,
            function.key(),
            &function.schema,
            header,
            display,
        );
        item.detail = function.definition.as_deref().map(normalize::text);
        items.push(item);
    }

    for trigger in &snapshot.triggers {
        let state = enabled_state(&trigger.enabled);
        let mut item = Item::new(
            Kind::Trigger,
            trigger.key(),
            &trigger.schema,
            format!("{}{state}", normalize::text(&trigger.definition)),
            format!("{}{state}", normalize::one_line(&trigger.definition)),
        );
        item.table = Some(format!("{}.{}", trigger.schema, trigger.table));
        items.push(item);
    }

    for rule in &snapshot.rules {
        let state = enabled_state(&rule.enabled);
        let mut item = Item::new(
            Kind::Rule,
            rule.key(),
            &rule.schema,
            format!("{}{state}", normalize::text(&rule.definition)),
            format!("{}{state}", normalize::one_line(&rule.definition)),
        );
        item.table = Some(format!("{}.{}", rule.schema, rule.table));
        items.push(item);
    }

    for trigger in &snapshot.event_triggers {
        let mut text = format!("on {}", trigger.event);
        if !trigger.tags.is_empty() {
            let tags: Vec<String> = trigger
                .tags
                .iter()
                .map(|t| format!("'{}'", t.replace('\'', "''")))
                .collect();
            text.push_str(&format!(" when tag in ({})", tags.join(", ")));
        }
        text.push_str(&format!(" execute function {}", trigger.function));
        text.push_str(enabled_state(&trigger.enabled));
        text.push_str(&owner_and_grants(options, &trigger.owner, &None));
        items.push(Item::new(
            Kind::EventTrigger,
            trigger.key(),
            &trigger.schema,
            text.clone(),
            text,
        ));
    }

    for policy in &snapshot.policies {
        let mut display = format!(
            "{} for {} to {}",
            if policy.permissive {
                "permissive"
            } else {
                "restrictive"
            },
            policy.command,
            policy.roles.join(", ")
        );
        let mut compare = display.clone();
        if let Some(using) = &policy.using {
            display.push_str(&format!(" using ({})", normalize::one_line(using)));
            compare.push_str(&format!(" using {}", normalize::expression(using)));
        }
        if let Some(check) = &policy.with_check {
            display.push_str(&format!(" with check ({})", normalize::one_line(check)));
            compare.push_str(&format!(" with check {}", normalize::expression(check)));
        }
        let mut item = Item::new(Kind::Policy, policy.key(), &policy.schema, compare, display);
        item.table = Some(format!("{}.{}", policy.schema, policy.table));
        items.push(item);
    }
}

/// `pg_trigger.tgenabled` (and the same letters of rules and event
/// triggers): nothing for the default, else what `ALTER … DISABLE/ENABLE` set.
fn enabled_state(letter: &str) -> &'static str {
    match letter {
        "D" => " (disabled)",
        "R" => " (enabled on replica only)",
        "A" => " (enabled always)",
        _ => "",
    }
}
