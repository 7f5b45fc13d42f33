//! Key column names read back from the definitions PostgreSQL printed, so the
//! catalog queries need not ask for them again per object (issue 14: the
//! per-constraint `conkey` join and the per-column `pg_get_indexdef` calls
//! were a third of the time of those two queries).
//!
//! Only the shapes whose key list is plain column names are read here:
//! primary keys, unique constraints and foreign keys, and indexes without
//! expressions. The queries still return the server's own list for the rest
//! (check and exclusion constraints, expression indexes). The text is the
//! server's own output: names are quoted exactly when `quote_ident` quotes
//! them, so the first unquoted `(` opens the key list.

/// The key columns of a definition: `PRIMARY KEY (a, b)`, `UNIQUE [NULLS NOT
/// DISTINCT] (a)`, `FOREIGN KEY (a) REFERENCES …`, or `CREATE INDEX … USING
/// method (a, b DESC, c text_pattern_ops)` for an index without expressions:
/// the first name of each item of the first parenthesised list (an index
/// key's opclass, collation and ordering follow it; `INCLUDE` columns are not
/// keys).
pub fn read(text: &str) -> Option<Vec<String>> {
    let mut chars = text.char_indices().peekable();
    // Up to the first `(` outside a quoted name.
    loop {
        match chars.next()?.1 {
            '"' => skip_quoted(&mut chars)?,
            '(' => break,
            _ => {}
        }
    }
    let mut names = Vec::new();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let mut first = name(&mut chars)?;
        // PostgreSQL 18's temporal foreign keys: `FOREIGN KEY (id, PERIOD valid_at)`.
        // Unquoted names are printed in lower case, so this is the keyword.
        if first == "PERIOD" && chars.next_if(|(_, c)| *c == ' ').is_some() {
            first = name(&mut chars)?;
        }
        names.push(first);
        // Whatever follows the name up to this item's end: ordering, opclass,
        // collation. Nested parentheses and quotes cannot end the item.
        let mut depth = 0usize;
        loop {
            match chars.next()?.1 {
                '"' => skip_quoted(&mut chars)?,
                '\'' => skip_literal(&mut chars)?,
                '(' => depth += 1,
                ')' if depth == 0 => return Some(names),
                ')' => depth -= 1,
                ',' if depth == 0 => break,
                _ => {}
            }
        }
    }
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// A quoted (`"a""b"` → `a"b`) or plain name.
fn name(chars: &mut Chars) -> Option<String> {
    let mut out = String::new();
    if chars.next_if(|(_, c)| *c == '"').is_some() {
        loop {
            match chars.next()?.1 {
                '"' if chars.next_if(|(_, c)| *c == '"').is_some() => out.push('"'),
                '"' => return Some(out),
                c => out.push(c),
            }
        }
    }
    while let Some((_, c)) = chars.next_if(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '$') {
        out.push(c);
    }
    // An item that does not start with a name, or a name called as a function
    // (`lower((name)::text)`), is an expression: not this shape.
    let call = chars.peek().is_some_and(|(_, c)| *c == '(');
    (!out.is_empty() && !call).then_some(out)
}

fn skip_quoted(chars: &mut Chars) -> Option<()> {
    loop {
        if chars.next()?.1 == '"' && chars.next_if(|(_, c)| *c == '"').is_none() {
            return Some(());
        }
    }
}

fn skip_literal(chars: &mut Chars) -> Option<()> {
    loop {
        if chars.next()?.1 == '\'' && chars.next_if(|(_, c)| *c == '\'').is_none() {
            return Some(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn constraint_key_lists() {
        assert_eq!(read("PRIMARY KEY (id)"), v(&["id"]));
        assert_eq!(
            read("UNIQUE (tenant_id, email)"),
            v(&["tenant_id", "email"])
        );
        assert_eq!(read("UNIQUE NULLS NOT DISTINCT (code)"), v(&["code"]));
        assert_eq!(
            read("PRIMARY KEY (id) INCLUDE (note) DEFERRABLE INITIALLY DEFERRED"),
            v(&["id"])
        );
        assert_eq!(
            read("FOREIGN KEY (owner_id, org) REFERENCES sales.owners(id, org) ON DELETE CASCADE"),
            v(&["owner_id", "org"])
        );
        assert_eq!(
            read("FOREIGN KEY (id, PERIOD valid_at) REFERENCES t(id, PERIOD valid_at)"),
            v(&["id", "valid_at"])
        );
        assert_eq!(
            read("PRIMARY KEY (id, valid_at WITHOUT OVERLAPS)"),
            v(&["id", "valid_at"])
        );
    }

    #[test]
    fn quoted_names_keep_their_commas_parentheses_and_quotes() {
        assert_eq!(
            read(r#"UNIQUE ("a, b", "c(d)", "say ""hi""", "Mixed")"#),
            v(&["a, b", "c(d)", r#"say "hi""#, "Mixed"])
        );
        assert_eq!(
            read(r#"CREATE UNIQUE INDEX "ix (x)" ON "we(ird"."t,1" USING btree ("a)b", c)"#),
            v(&["a)b", "c"])
        );
    }

    #[test]
    fn index_items_lose_their_ordering_opclass_and_collation() {
        assert_eq!(
            read("CREATE INDEX ix ON sales.t USING btree (owner_id, created_at DESC NULLS LAST)"),
            v(&["owner_id", "created_at"])
        );
        assert_eq!(
            read(
                r#"CREATE INDEX ix ON public.t USING btree (name text_pattern_ops, code COLLATE "C") INCLUDE (note) WHERE (active AND (kind = 'a,b'))"#
            ),
            v(&["name", "code"])
        );
        assert_eq!(
            read(
                "CREATE INDEX ix ON public.t USING gist (during range_ops) WITH (fillfactor='70')"
            ),
            v(&["during"])
        );
    }

    #[test]
    fn expressions_and_broken_text_are_not_this_shape() {
        assert_eq!(
            read("CREATE INDEX ix ON public.t USING btree (lower((name)::text))"),
            None
        );
        assert_eq!(
            read("CREATE INDEX ix ON public.t USING btree ((a + b))"),
            None
        );
        assert_eq!(read("CHECK"), None);
        assert_eq!(read("UNIQUE (a"), None);
        assert_eq!(read(r#"UNIQUE ("a)"#), None);
    }
}
