//! Every problem a run finds in the account file before it contacts the server, collected and
//! said at once, in the file's order: a wrong type, an unknown or missing field, a value out
//! of range, an unset variable, a name used twice, a document that cannot be read. Each is one
//! line, `FILE:LINE:COLUMN: PATH ...`; at most [`MAX_SHOWN`] are said, then how many more.

use crate::text;
use crate::yaml::{self, Node};

/// The most problems said; the rest are counted.
pub const MAX_SHOWN: usize = 20;

/// One problem of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is, as the file's messages write a path (`personas[1].voiceDetection.speed`).
    pub path: String,
    /// What is wrong, starting with the path (`personas[1].voiceDetection.speed is 3, but ...`).
    pub message: String,
}

impl Problem {
    /// A problem at `path`; `message` starts with it.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), message: message.into() }
    }

    /// A problem of the item at `item` (`personas[1]`) from a check's message, which starts
    /// with the field's path inside the item (`voiceDetection.speed is 3, ...`,
    /// `documents[0]: ...`).
    pub fn in_item(item: &str, message: &str) -> Problem {
        let field = &message[..message.find([' ', ':']).unwrap_or(message.len())];
        Problem::new(format!("{item}.{field}"), format!("{item}.{message}"))
    }
}

/// The problems of one file so far.
#[derive(Debug, Default)]
pub struct Problems {
    found: Vec<Problem>,
    /// Places whose value is not known (`tools[2].url`, `tools[3]`): of a wrong type, missing,
    /// or holding an unset variable. What the later checks find there is not said: it would be
    /// about a value the file does not hold.
    broken: Vec<String>,
}

impl Problems {
    /// Adds a problem of the file's structure (a type, a field).
    pub fn structure(&mut self, problem: Problem) {
        self.found.push(problem);
    }

    /// Marks the place at `path` (`tools[2]`, `tools[3].url`) as not known.
    pub fn broken(&mut self, path: String) {
        self.broken.push(path);
    }

    /// Adds a problem a later check found, unless it is of a place not known.
    pub fn push(&mut self, problem: Problem) {
        if !self.broken.iter().any(|item| under(&problem.path, item)) {
            self.found.push(problem);
        }
    }

    /// `Ok` when there is no problem; else the lines that say them, in the file's order (by
    /// where each is in `tree`), each `SHOWN:LINE:COLUMN: MESSAGE`, at most [`MAX_SHOWN`] and
    /// then a line counting the rest. The lines are joined by newlines; each is one clean line
    /// once printed through [`text::line`].
    pub fn into_result(self, shown: &str, tree: &Node) -> Result<(), String> {
        if self.found.is_empty() {
            return Ok(());
        }
        let mut placed: Vec<((u64, u64), usize, Problem)> = self
            .found
            .into_iter()
            .enumerate()
            .map(|(i, problem)| (tree.locate(&yaml::steps(&problem.path)), i, problem))
            .collect();
        placed.sort_by_key(|(at, i, _)| (*at, *i));
        placed.dedup_by(|a, b| a.2 == b.2);
        let total = placed.len();
        let mut lines: Vec<String> = placed
            .into_iter()
            .take(MAX_SHOWN)
            .map(|((line, column), _, problem)| format!("{shown}:{line}:{column}: {}", problem.message))
            .collect();
        if total > MAX_SHOWN {
            lines.push(format!("{shown}: {} more problem(s) not shown; fix these first", total - MAX_SHOWN));
        }
        Err(lines.iter().map(|line| text::line(line)).collect::<Vec<_>>().join("\n"))
    }
}

/// Whether `path` is `item` or a path inside it (`tools[2].url` in `tools[2]`, not in `tools[20]`).
fn under(path: &str, item: &str) -> bool {
    path.strip_prefix(item).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        serde_saphyr::from_str(text).unwrap()
    }

    #[test]
    fn problems_are_said_in_the_files_order_and_counted_past_the_cap() {
        let node = tree("personas:\n  - name: a\n    speed: 3\n  - name: b\n");
        let mut problems = Problems::default();
        problems.push(Problem::in_item("personas[1]", "name \"b\" is also the name of personas[0]"));
        problems.push(Problem::in_item("personas[0]", "speed is 3, but must be at most 2"));
        let said = problems.into_result("f", &node).unwrap_err();
        assert_eq!(
            said,
            "f:3:5: personas[0].speed is 3, but must be at most 2\nf:4:5: personas[1].name \"b\" is also the name of personas[0]"
        );
        let mut many = Problems::default();
        for i in 0..25 {
            many.push(Problem::new(format!("personas[{i}]"), format!("personas[{i}] is wrong")));
        }
        let said = many.into_result("f", &node).unwrap_err();
        assert_eq!(said.lines().count(), MAX_SHOWN + 1);
        assert!(said.ends_with("\nf: 5 more problem(s) not shown; fix these first"), "{said}");
    }

    #[test]
    fn an_item_read_in_part_has_no_later_problems() {
        let mut problems = Problems::default();
        problems.structure(Problem::new("tools[1].type", "tools[1].type is a list, but must be text"));
        problems.broken("tools[1]".into());
        problems.push(Problem::in_item("tools[1]", "type is \"\", but must be one of webhook"));
        problems.push(Problem::in_item("tools[10]", "url is unset"));
        assert_eq!(problems.found.len(), 2, "{:?}", problems.found);
    }
}
