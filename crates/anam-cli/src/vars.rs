//! `${NAME}` in the file's string values: replaced by the environment variable `NAME`, so that
//! one file serves several accounts (`${CRM_URL}`) and keeps secrets out of the repository
//! (`${CRM_TOKEN}`). `$${` is a literal `${`; map keys are never replaced. A variable that is
//! not set is an error naming the place in the file and the variable, before anything is sent.
//! `export` writes strings with [`escape`], so that a `${` the server holds stays literal.

use serde_json::Value;

/// Replaces every `${NAME}` in the strings of `value` with `lookup(NAME)`; `at` is the path of
/// `value` in the file (`tools[0].url`). Every string whose variables cannot be replaced is left
/// as it is, and its place and problem added to `problems` (`tools[0].url`, `tools[0].url: ${URL}
/// is not set: ...`), in the file's order of keys and items.
pub fn substitute(
    value: &mut Value,
    at: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<(String, String)>,
) {
    match value {
        Value::String(text) => match expand(text, lookup) {
            Ok(expanded) => *text = expanded,
            Err(problem) => problems.push((at.to_owned(), format!("{at}: {problem}"))),
        },
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                substitute(item, &format!("{at}[{i}]"), lookup, problems);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let at = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                substitute(item, &at, lookup, problems);
            }
        }
        _ => {}
    }
}

/// `text` with its variables replaced.
fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(literal) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = literal;
        } else if let Some(inner) = after.strip_prefix("${") {
            let Some(end) = inner.find('}') else {
                return Err("has `${` without its closing `}` (write $${ for a literal ${)".into());
            };
            let name = &inner[..end];
            if !is_name(name) {
                return Err(format!(
                    "has ${{{}}}, which is not a variable name (letters, digits and _; write $${{ for a literal ${{)",
                    crate::text::shorten(name)
                ));
            }
            let value =
                lookup(name).ok_or_else(|| format!("${{{name}}} is not set: set the environment variable {name}"))?;
            out.push_str(&value);
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `name` is a variable's name: a letter or `_`, then letters, digits and `_`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` as the file writes a literal: every `${` as `$${`.
pub fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

/// Every string of `value` escaped ([`escape`]).
pub fn escape_all(value: &mut Value) {
    match value {
        Value::String(text) => *text = escape(text),
        Value::Array(items) => items.iter_mut().for_each(escape_all),
        Value::Object(map) => map.values_mut().for_each(escape_all),
        _ => {}
    }
}

/// The variable `export` writes for a secret header: the tool's and the header's names in
/// upper case, other characters as `_` (`crm_lookup`, `Authorization`: `CRM_LOOKUP_AUTHORIZATION`).
pub fn placeholder(tool: &str, header: &str) -> String {
    let name: String = format!("{tool}_{header}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("_{name}") } else { name };
    format!("${{{name}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        match name {
            "CRM_URL" => Some("https://crm.example.com".into()),
            "TOKEN" => Some("s3cret ${NOT_AGAIN}".into()),
            _ => None,
        }
    }

    #[test]
    fn variables_are_replaced_in_values_only_and_unset_ones_are_named() {
        let mut value =
            json!({"tools": [{"url": "${CRM_URL}/find", "headers": {"${KEY}": "Bearer ${TOKEN}"}}], "n": 1});
        let mut problems = Vec::new();
        substitute(&mut value, "", &env, &mut problems);
        assert_eq!(problems, []);
        assert_eq!(value["tools"][0]["url"], "https://crm.example.com/find");
        assert_eq!(
            value["tools"][0]["headers"]["${KEY}"], "Bearer s3cret ${NOT_AGAIN}",
            "a value is not expanded twice"
        );
        let mut unset = json!({"personas": [{"systemPrompt": "Hi ${WHO}", "name": "${A}"}, {"name": "${B}"}]});
        substitute(&mut unset, "", &env, &mut problems);
        let said: Vec<&str> = problems.iter().map(|(_, message)| message.as_str()).collect();
        assert_eq!(
            said,
            [
                "personas[0].name: ${A} is not set: set the environment variable A",
                "personas[0].systemPrompt: ${WHO} is not set: set the environment variable WHO",
                "personas[1].name: ${B} is not set: set the environment variable B",
            ],
            "every one, not the first"
        );
        assert_eq!(problems[0].0, "personas[0].name");
        assert_eq!(expand("costs $5, $${literal}, $", &env).unwrap(), "costs $5, ${literal}, $");
        assert!(expand("${CRM_URL", &env).unwrap_err().contains("without its closing"));
        assert!(expand("${1x}", &env).unwrap_err().contains("not a variable name"));
        assert!(expand("${}", &env).unwrap_err().contains("not a variable name"));
        assert_eq!(escape("a ${b} $${c}"), "a $${b} $$${c}");
        assert_eq!(expand(&escape("a ${b} $${c}"), &env).unwrap(), "a ${b} $${c}", "an escaped text reads back");
        assert_eq!(placeholder("crm.lookup", "X-Api-Key"), "${CRM_LOOKUP_X_API_KEY}");
        assert_eq!(placeholder("9to5", "a"), "${_9TO5_A}");
    }
}
