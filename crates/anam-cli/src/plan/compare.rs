//! What the kinds' plans share: comparing the file's values with the server's.

use serde_json::Value;

use crate::plan::Change;

/// Whether two JSON values are the same, numbers compared by value (`60` is `60.0`), lists
/// and objects item by item.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, v)| y.get(key).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Values as a list in a fixed order (their JSON text's), so that lists compare as sets.
pub fn sorted(values: impl Iterator<Item = Value>) -> Value {
    let mut values: Vec<Value> = values.collect();
    values.sort_by_key(|v| v.to_string());
    Value::Array(values)
}

/// The changes of the `wanted` fields (as the file names them, with the file's values) whose
/// server value (`current`) differs.
pub fn changes(wanted: Vec<(String, Value)>, current: impl Fn(&str) -> Value) -> Vec<Change> {
    wanted
        .into_iter()
        .filter_map(|(field, to)| {
            let from = current(&field);
            (!same(&from, &to)).then_some(Change { field, from, to, secret: false })
        })
        .collect()
}

/// The fields a create sets, each as a change from `null`.
pub fn created(wanted: Vec<(String, Value)>) -> Vec<Change> {
    wanted.into_iter().map(|(field, to)| Change { field, from: Value::Null, to, secret: false }).collect()
}

/// Whether `field`, or a field inside it (`voiceDetection.x` for `voiceDetection`), changes.
pub fn touches(changes: &[Change], field: &str) -> bool {
    changes.iter().any(|c| c.field == field || c.field.starts_with(&format!("{field}.")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_objects_by_key() {
        assert!(same(&json!(60), &json!(60.0)));
        assert!(!same(&json!(0.5), &json!(0.6)));
        assert!(same(&json!({"a": 1, "b": [2]}), &json!({"b": [2.0], "a": 1.0})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert_eq!(sorted([json!("b"), json!("a")].into_iter()), json!(["a", "b"]));
        let found =
            changes(vec![("x".into(), json!(1)), ("y".into(), json!(2))], |f| json!(if f == "x" { 1 } else { 3 }));
        assert_eq!(found, [Change { field: "y".into(), from: json!(3), to: json!(2), secret: false }]);
        assert!(touches(&found, "y") && !touches(&found, "x"));
    }
}
