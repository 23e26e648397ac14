//! A changed text as a reviewer reads it, for the text plan: a multi-line text as a line diff
//! (unified, with two lines of context), a long one-line text as its changed words with a few
//! words around them (`… call [-112-]{+999+} at once …`, git's `--word-diff` markers). Shorter
//! texts, and texts without a space (ids, URLs, hashes), are shown whole by `render`.
//!
//! The diffs are `similar`'s, with a deadline shared by a whole plan, so that a file of huge
//! texts cannot make a plan slow: past it, `similar` returns a correct but coarser diff.
//! `--json` keeps the whole values; this is for people only.

use std::time::Instant;

use similar::{ChangeTag, DiffOp, TextDiff};

use crate::text;

/// Lines of context around a changed line.
const CONTEXT_LINES: usize = 2;

/// Words of context on each side of changed words.
const CONTEXT_WORDS: usize = 4;

/// The most diff lines shown for one field; the rest are counted.
pub const MAX_LINES: usize = 40;

/// The most characters of unchanged text kept on each side of a change in a one-line diff.
const MAX_CONTEXT_CHARS: usize = 40;

/// Whether a change from `from` to `to` reads better as a diff than as two whole values: either
/// holds a line break, or one is longer than a value is shown ([`text::MAX_VALUE`]) and both
/// hold words (a space).
pub fn wanted(from: &str, to: &str) -> bool {
    let long = from.chars().count() > text::MAX_VALUE || to.chars().count() > text::MAX_VALUE;
    from.contains('\n') || to.contains('\n') || (long && from.contains(' ') && to.contains(' '))
}

/// The diff of `from` and `to` for people: a summary to put after the field's name
/// (`(193 characters -> 193 characters)`), then its lines, not yet made clean (the texts'
/// own characters: see [`text::verbatim_line`]). Stops at [`MAX_LINES`] lines, saying how many
/// more changed lines or places there are.
pub fn diff(from: &str, to: &str, deadline: Instant) -> (String, Vec<String>) {
    if from.contains('\n') || to.contains('\n') {
        let count = |t: &str| t.lines().count();
        (format!("({} lines -> {} lines)", count(from), count(to)), lines(from, to, deadline))
    } else {
        let count = |t: &str| t.chars().count();
        (format!("({} characters -> {} characters)", count(from), count(to)), words(from, to, deadline))
    }
}

/// A line diff: for each group of changes, its `@@ -a,b +c,d @@` header, then its lines, each
/// `  ` (unchanged), `- ` (removed) or `+ ` (added).
fn lines(from: &str, to: &str, deadline: Instant) -> Vec<String> {
    let diff = TextDiff::configure().deadline(deadline).diff_lines(from, to);
    let mut out = Vec::new();
    let mut hidden = 0;
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let mut hunk = vec![similar::udiff::UnifiedHunkHeader::new(&group).to_string()];
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                let line = change.value();
                hunk.push(format!("{sign} {}", line.strip_suffix('\n').unwrap_or(line)));
            }
        }
        if out.len() + hunk.len() > MAX_LINES {
            hidden += changed_lines(&group);
        } else {
            out.extend(hunk);
        }
    }
    if hidden > 0 {
        out.push(format!("… and {hidden} more changed line(s) (the whole values: --json)"));
    }
    out
}

/// The lines a group of operations removes or adds.
fn changed_lines(group: &[DiffOp]) -> usize {
    group
        .iter()
        .map(|op| if op.tag() == similar::DiffTag::Equal { 0 } else { op.old_range().len() + op.new_range().len() })
        .sum()
}

/// A word diff: one line per place that changed, its removed words in `[-…-]`, its added ones
/// in `{+…+}`, with [`CONTEXT_WORDS`] words around, and `…` where the text goes on.
fn words(from: &str, to: &str, deadline: Instant) -> Vec<String> {
    let diff = TextDiff::configure().deadline(deadline).diff_words(from, to);
    // Words and the spaces between them are tokens of their own.
    let groups = diff.grouped_ops(2 * CONTEXT_WORDS);
    let mut out = Vec::new();
    for (n, group) in groups.iter().enumerate() {
        if out.len() == MAX_LINES {
            out.push(format!("… and {} more changed place(s) (the whole values: --json)", groups.len() - n));
            break;
        }
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let mut line = String::new();
        if first.new_range().start > 0 || first.old_range().start > 0 {
            line.push('…');
        }
        let (mut removed, mut added) = (String::new(), String::new());
        let mut equal = String::new();
        let changes: Vec<_> = group.iter().flat_map(|op| diff.iter_changes(op)).collect();
        for (i, change) in changes.iter().enumerate() {
            match change.tag() {
                ChangeTag::Delete => removed.push_str(change.value()),
                ChangeTag::Insert => added.push_str(change.value()),
                ChangeTag::Equal => {
                    flush(&mut line, &mut removed, &mut added);
                    equal.push_str(change.value());
                    let next_is_equal = changes.get(i + 1).is_some_and(|c| c.tag() == ChangeTag::Equal);
                    if !next_is_equal {
                        let at_start = line.is_empty() || line == "…";
                        let at_end = i + 1 == changes.len();
                        line.push_str(&context(&equal, at_start, at_end));
                        equal.clear();
                    }
                }
            }
        }
        flush(&mut line, &mut removed, &mut added);
        if last.old_range().end < diff.old_slices().len() || last.new_range().end < diff.new_slices().len() {
            line.truncate(line.trim_end().len());
            line.push('…');
        }
        out.push(line);
    }
    out
}

/// Appends the removed and added words (each shortened like a value) and empties them.
fn flush(line: &mut String, removed: &mut String, added: &mut String) {
    if !removed.is_empty() {
        line.push_str(&format!("[-{}-]", text::shorten(removed)));
    }
    if !added.is_empty() {
        line.push_str(&format!("{{+{}+}}", text::shorten(added)));
    }
    removed.clear();
    added.clear();
}

/// Unchanged text of a word diff, at most [`MAX_CONTEXT_CHARS`] characters of it: its end
/// before the first change, its start after the last, both ends between two changes.
fn context(equal: &str, at_start: bool, at_end: bool) -> String {
    let chars: Vec<char> = equal.chars().collect();
    if chars.len() <= MAX_CONTEXT_CHARS {
        return equal.to_owned();
    }
    let head = |n: usize| chars[..n].iter().collect::<String>();
    let tail = |n: usize| chars[chars.len() - n..].iter().collect::<String>();
    match (at_start, at_end) {
        (true, false) => format!("…{}", tail(MAX_CONTEXT_CHARS)),
        (false, true) => format!("{}…", head(MAX_CONTEXT_CHARS)),
        _ => format!("{}…{}", head(MAX_CONTEXT_CHARS / 2), tail(MAX_CONTEXT_CHARS / 2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn one_line_shows_the_changed_words_with_a_few_around_them() {
        let from = "You are the night shift receptionist. You answer only urgent questions. In an emergency, \
                    tell them to call 112 and stay on the line until help arrives; otherwise take a message.";
        let to = from.replace("112", "999");
        assert!(wanted(from, &to));
        let (summary, lines) = diff(from, &to, later());
        assert_eq!(summary, "(177 characters -> 177 characters)");
        assert_eq!(lines, ["…tell them to call [-112-]{+999+} and stay on the…"]);
        let (_, lines) = diff(from, &format!("Hello. {}", from.replace("message.", "note.")), later());
        assert_eq!(lines, ["{+Hello. +}You are the night…", "…arrives; otherwise take a [-message.-]{+note.+}"]);
    }

    #[test]
    fn many_lines_show_a_line_diff() {
        let from = "Hours: 9 to 5.\nCall 112 in an emergency.\nBe brief.\n";
        let to = "Hours: 9 to 5.\nCall 999 in an emergency.\nNever give medical advice.\nBe brief.\n";
        let (summary, lines) = diff(from, to, later());
        assert_eq!(summary, "(3 lines -> 4 lines)");
        assert_eq!(
            lines,
            [
                "@@ -1,3 +1,4 @@",
                "  Hours: 9 to 5.",
                "- Call 112 in an emergency.",
                "+ Call 999 in an emergency.",
                "+ Never give medical advice.",
                "  Be brief."
            ]
        );
    }

    #[test]
    fn short_texts_and_words_without_spaces_are_shown_whole_and_long_diffs_are_cut() {
        assert!(!wanted("short", "also short"));
        assert!(!wanted(&"a".repeat(100), &"b".repeat(100)), "hashes, ids, URLs");
        let from: String = (0..200).map(|n| format!("line {n}\n")).collect();
        let to = from.replace('0', "zero");
        let (_, lines) = diff(&from, &to, later());
        assert_eq!(lines.len(), MAX_LINES + 1);
        assert!(
            lines[MAX_LINES].starts_with("… and ")
                && lines[MAX_LINES].ends_with("more changed line(s) (the whole values: --json)")
        );
        let huge = format!("a {}", "x".repeat(1 << 20));
        let (_, lines) = diff("a b", &huge, later());
        assert_eq!(lines, [format!("a [-b-]{{+{}… (1048576 characters)+}}", "x".repeat(60))]);
    }
}
