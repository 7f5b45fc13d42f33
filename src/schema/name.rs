//! Names that repeat across catalog rows, shared: schemas, tables, columns
//! (and the key columns of constraints and indexes), column types and
//! constraint kinds. A snapshot of 5,000 tables holds 125,000 columns,
//! constraints and indexes, each naming its schema and table: one copy of
//! each name per run ([`Interner`], shared by the databases read together),
//! referenced from every row, instead of a string per row and field.
//! Serialised as a plain string.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An immutable name, cheap to clone; compares, hashes and prints as its text.
/// Two copies of one interned name compare by pointer (`Arc`'s equality does
/// so already; ordering below): sorting rows and matching them against the
/// other database's, which share the interner, rarely reads the text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Name(Arc<str>);

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return std::cmp::Ordering::Equal;
        }
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name(Arc::from(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name(Arc::from(text))
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name(Arc::from(text.as_str()))
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        String::deserialize(deserializer).map(Name::from)
    }
}

/// One copy of each name: the rows of the snapshots read together (local
/// and production) share them. Hashed with foldhash (randomly seeded per
/// process): SipHash was a tenth of a check's CPU at 10,000 tables.
#[derive(Default)]
pub struct Interner(HashSet<Name, foldhash::fast::RandomState>);

/// An [`Interner`] for several reads at once.
pub type SharedInterner = std::sync::Mutex<Interner>;

impl Interner {
    pub fn intern(&mut self, text: &str) -> Name {
        if let Some(name) = self.0.get(text) {
            return name.clone();
        }
        let name = Name::from(text);
        self.0.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interned_name_is_one_copy() {
        let mut names = Interner::default();
        let a = names.intern("public");
        let b = names.intern(&String::from("public"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(&a.0, &names.intern("audit").0));
    }

    #[test]
    fn names_order_as_their_text_interned_or_not() {
        let mut names = Interner::default();
        let words = ["b", "a", "ab", "", "a"];
        let mut interned: Vec<Name> = words.iter().map(|w| names.intern(w)).collect();
        let mut separate: Vec<Name> = words.iter().map(|&w| Name::from(w)).collect();
        interned.sort();
        separate.sort();
        assert_eq!(interned, ["", "a", "a", "ab", "b"]);
        assert_eq!(interned, separate);
        assert_eq!(
            interned[1].cmp(&interned[2]),
            std::cmp::Ordering::Equal,
            "one name, one pointer"
        );
    }

    #[test]
    fn a_name_behaves_as_its_text() {
        let name = Name::from("users");
        assert_eq!(name, "users");
        assert_eq!("users", name);
        assert_eq!(name.to_string(), "users");
        assert_eq!(format!("{name:?}"), "\"users\"");
        let mut sorted = vec![Name::from("b"), Name::from("a")];
        sorted.sort();
        assert_eq!(sorted, ["a", "b"]);
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"users\"");
        let back: Name = serde_json::from_str("\"users\"").unwrap();
        assert_eq!(back, name);
    }
}
