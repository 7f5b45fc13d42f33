//! Reading the `explanation` of each schema difference in a check's JSON.

use serde_json::Value;
use std::collections::BTreeMap;

/// object → (explanation code, side), `none` / `-` where absent.
pub fn explanations(json: &Value) -> BTreeMap<String, (String, String)> {
    json["schema_diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let why = &entry["explanation"];
            (
                entry["object"].as_str().unwrap().to_string(),
                (
                    why["code"].as_str().unwrap_or("none").to_string(),
                    why["side"].as_str().unwrap_or("-").to_string(),
                ),
            )
        })
        .collect()
}

/// `(code, side)` as [`explanations`] lists it.
pub fn why(code: &str, side: &str) -> (String, String) {
    (code.to_string(), side.to_string())
}

/// The explanation of the difference on `object`.
pub fn explanation<'j>(json: &'j Value, object: &str) -> &'j Value {
    &json["schema_diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["object"] == object)
        .unwrap_or_else(|| panic!("no difference on {object}: {json:#}"))["explanation"]
}
