//! Text for a terminal. Every line the CLI prints for people (errors, prompts, progress, plan
//! and result lines, tables) goes through [`line`]: one line, control characters escaped,
//! values shortened, bounded in length. A file, a server or a user can put anything in a name
//! or a value, and none of it may move the cursor, clear the screen or fill the terminal.

/// The longest line [`line`] returns, in characters.
pub const MAX_LINE: usize = 300;

/// The longest value [`line`] and [`shorten`] echo whole, in characters; a longer one is cut and
/// its length is said.
pub const MAX_VALUE: usize = 60;

/// `text` as one line for a terminal: every quoted value (`"…"` or `` `…` ``) over
/// [`MAX_VALUE`] characters cut, saying how long it was (`"xxxx…" (1048576 characters)`);
/// control characters (newlines, ESC, CR, BEL, …) and the invisible characters that reorder or
/// hide text escaped (`\u{1b}`); at most [`MAX_LINE`] characters, with `…` where it was cut.
pub fn line(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(['"', '`']) {
        push_escaped(&mut out, &rest[..start]);
        let (segment, after) = quoted_segment(&rest[start..]);
        push_segment(&mut out, segment);
        rest = after;
    }
    push_escaped(&mut out, rest);
    clip(&out, MAX_LINE)
}

/// `text` as one line for a terminal, its quotes left alone: for text shown as it is written
/// (the lines of a diff), whose quotes are its own and not around values to shorten. Control
/// and invisible characters are escaped as by [`line`], and the line is cut at [`MAX_LINE`].
pub fn verbatim_line(text: &str) -> String {
    let mut out = String::new();
    push_escaped(&mut out, text);
    clip(&out, MAX_LINE)
}

/// `value` whole when it is short, else its first [`MAX_VALUE`] characters, `…` and its length:
/// for values shown without quotes (names in a plan). [`line`] escapes it where it is printed.
pub fn shorten(value: &str) -> String {
    let count = value.chars().count();
    if count <= MAX_VALUE {
        return value.to_owned();
    }
    let head: String = value.chars().take(MAX_VALUE).collect();
    format!("{head}… ({count} characters)")
}

/// A file name as messages show it: whole when short, else `…` and its last [`MAX_VALUE`]
/// characters (the end of a path says most), with its length.
pub fn file_name(path: &std::path::Path) -> String {
    let shown = path.display().to_string();
    let count = shown.chars().count();
    if count <= MAX_VALUE {
        return shown;
    }
    let tail: String = shown.chars().skip(count - MAX_VALUE).collect();
    format!("…{tail} ({count} characters)")
}

/// The quoted value at the start of `text` (which starts with its quote) and what follows it.
/// A `\` inside `"…"` escapes the next character, as Rust's `{:?}` and JSON write them; a value
/// with no closing quote runs to the end.
fn quoted_segment(text: &str) -> (&str, &str) {
    let quote = text.chars().next().unwrap_or('"');
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return text.split_at(i + c.len_utf8());
        }
    }
    (text, "")
}

/// A quoted value, cut and escaped: its quotes kept, its length said when it was cut.
fn push_segment(out: &mut String, segment: &str) {
    let mut chars = segment.chars();
    let Some(open) = chars.next() else { return };
    let inner = chars.as_str();
    let (inner, close) = match inner.chars().last() {
        Some(last) if last == open => (&inner[..inner.len() - last.len_utf8()], Some(last)),
        _ => (inner, None),
    };
    let count = inner.chars().count();
    out.push(open);
    if count <= MAX_VALUE {
        push_escaped(out, inner);
        out.extend(close);
        return;
    }
    let head_end = inner.char_indices().nth(MAX_VALUE).map_or(inner.len(), |(i, _)| i);
    push_escaped(out, &inner[..head_end]);
    out.push('…');
    out.push(open);
    out.push_str(&format!(" ({count} characters)"));
}

/// `text` with control and invisible characters escaped.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
}

/// `value` with its control and invisible characters escaped, as [`line`] does, but never cut:
/// for a value printed whole for a program to read (a session token, a signed URL), which a
/// hostile server could otherwise fill with escape sequences.
pub fn whole(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_escaped(&mut out, value);
    out
}

/// Characters a terminal does not show but that change what is shown: bidirectional overrides
/// and isolates, zero-width characters, the byte-order mark, and the line and paragraph
/// separators some terminals break lines at.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `text` in lines of at most `width` characters, broken at spaces (a longer word is cut), for
/// a long message printed over several lines, each of them then passed through [`line`].
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` cut to `max` characters, the last of them `…` when it was cut: for a part of a
/// message that must leave room for what follows it.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_long_values_say_their_length() {
        assert_eq!(line("a\nb\u{1b}[31mc\rd\u{7}e"), "a\\nb\\u{1b}[31mc\\rd\\u{7}e");
        assert_eq!(line("unknown field `co\u{1b}lour`"), "unknown field `co\\u{1b}lour`");
        assert_eq!(line("x\u{202e}y"), "x\\u{202e}y");
        let long = format!("no avatar has the id or name {:?}; pick one", "x".repeat(1 << 20));
        let shown = line(&long);
        assert_eq!(
            shown,
            format!("no avatar has the id or name \"{}…\" (1048576 characters); pick one", "x".repeat(60))
        );
        assert_eq!(line(r#"a "say \"hi\"" b"#), r#"a "say \"hi\"" b"#, "an escaped quote does not end a value");
        assert_eq!(line("it's \"open"), "it's \"open", "a value without its closing quote runs to the end");
        let unquoted = "y".repeat(1000);
        assert_eq!(line(&unquoted).chars().count(), MAX_LINE);
        assert!(line(&unquoted).ends_with('…'));
        let quoted = format!("say \"{}\"\t", "q".repeat(100));
        assert_eq!(verbatim_line(&quoted), format!("say \"{}\"\\t", "q".repeat(100)), "quotes are the text's own");
        assert_eq!(verbatim_line(&"v".repeat(1000)).chars().count(), MAX_LINE);
        assert_eq!(shorten("Front desk"), "Front desk");
        assert_eq!(shorten(&"z".repeat(61)), format!("{}… (61 characters)", "z".repeat(60)));
        let path = std::path::PathBuf::from(format!("/{}/personas.yaml", "d".repeat(100)));
        assert!(file_name(&path).starts_with('…') && file_name(&path).contains("personas.yaml (115 characters)"));
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("abcdefghij k", 4), ["abcd", "efgh", "ij k"]);
        assert_eq!(wrap("", 10), [""]);
        let long = format!("eyJ{}\u{1b}[2J", "a".repeat(500));
        assert_eq!(whole(&long), format!("eyJ{}\\u{{1b}}[2J", "a".repeat(500)), "escaped, not cut");
    }
}
