//! Output for people (aligned tables) and for scripts (JSON), on stdout.

use serde_json::Value;

use crate::text;

/// Rows under headers, each column as wide as its widest cell; every cell is one clean line
/// ([`text::line`]), whatever the server put in it.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows.iter().map(|row| row.iter().map(|cell| text::line(cell)).collect()).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// A persona's JSON with its share-link tokens replaced by `[redacted]`: whoever holds one can
/// open the persona, and a script that prints a persona should not print them.
pub fn redact_share_links(mut persona: Value) -> Value {
    for link in persona["shareLinks"].as_array_mut().into_iter().flatten() {
        if link.get("token").is_some() {
            link["token"] = Value::from("[redacted]");
        }
    }
    if persona["primaryShareLink"].get("token").is_some() {
        persona["primaryShareLink"]["token"] = Value::from("[redacted]");
    }
    persona
}

/// JSON for scripts, pretty-printed.
pub fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|text| text + "\n").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_tokens_are_redacted() {
        let rows = vec![vec!["1".to_owned(), "Cara".to_owned()], vec!["22".to_owned(), "Liv".to_owned()]];
        assert_eq!(table(&["ID", "NAME"], &rows), "ID  NAME\n1   Cara\n22  Liv\n");
        let rows = vec![vec!["1".to_owned(), "Ca\u{1b}[2Jra".to_owned()]];
        assert_eq!(table(&["ID", "NAME"], &rows), "ID  NAME\n1   Ca\\u{1b}[2Jra\n", "a cell holds no raw ESC");
        let persona = serde_json::json!({"shareLinks": [{"token": "secret"}], "primaryShareLink": {"token": "secret"}});
        assert!(!redact_share_links(persona).to_string().contains("secret"));
    }
}
