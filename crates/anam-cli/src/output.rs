//! Output for people (aligned tables) and for scripts (JSON), on stdout.

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

/// JSON for scripts, pretty-printed.
pub fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|text| text + "\n").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_cells_hold_no_control_characters() {
        let rows = vec![vec!["1".to_owned(), "Cara".to_owned()], vec!["22".to_owned(), "Liv".to_owned()]];
        assert_eq!(table(&["ID", "NAME"], &rows), "ID  NAME\n1   Cara\n22  Liv\n");
        let rows = vec![vec!["1".to_owned(), "Ca\u{1b}[2Jra".to_owned()]];
        assert_eq!(table(&["ID", "NAME"], &rows), "ID  NAME\n1   Ca\\u{1b}[2Jra\n", "a cell holds no raw ESC");
    }
}
