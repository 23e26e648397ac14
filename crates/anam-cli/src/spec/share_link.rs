//! A share link as the file describes it (`shareLinks:`). A link has no name of its own, so it
//! is found by the persona it opens: the file holds at most one per persona, matched with the
//! persona's primary link on the server, else its newest. Its expiry is a date (`expiresAt`,
//! RFC 3339), so that a plan stays the same from one day to the next; a link created without
//! one lasts the API's default (a week), and the expiry is then not managed.

use anam::chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One share link.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ShareLinkSpec {
    /// The key: the persona the link opens, by name (or id).
    pub persona: String,
    /// How many times the link can be used, at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<u32>,
    /// When the link stops working (`2027-01-31T18:00:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl ShareLinkSpec {
    /// `expiresAt` read, when written.
    pub fn expiry(&self) -> Result<Option<DateTime<Utc>>, String> {
        let Some(text) = &self.expires_at else { return Ok(None) };
        DateTime::parse_from_rfc3339(text).map(|at| Some(at.with_timezone(&Utc))).map_err(|e| {
            format!(
                "expiresAt is {:?}, but must be a date and time such as 2027-01-31T18:00:00Z ({e})",
                crate::text::shorten(text)
            )
        })
    }
}

/// Checks a link: an expiry that reads as a date, and the rest with the SDK's builder (whose
/// rules are the CLI's: a usage limit of at least 1). The persona is checked when planning (it
/// is a name); here a placeholder id stands for it. Returns every problem, each starting with
/// its field.
pub fn check(link: &ShareLinkSpec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut request = anam::CreateShareLink::new("placeholder");
    if let Some(uses) = link.usage_limit {
        request = request.usage_limit(uses);
    }
    if let Err(e) = request.build() {
        problems.push(crate::spec::in_file_terms(&e, str::to_owned));
    }
    problems.extend(link.expiry().err());
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_dates_are_checked() {
        let link = ShareLinkSpec { persona: "Front desk".into(), ..ShareLinkSpec::default() };
        assert!(check(&link).is_empty());
        let zero = ShareLinkSpec { usage_limit: Some(0), expires_at: Some("soon".into()), ..link.clone() };
        let problems = check(&zero);
        assert_eq!(problems[0], "usageLimit is 0, but must be at least 1");
        assert!(problems[1].starts_with("expiresAt is \"soon\", but must be a date"), "both: {problems:?}");
        let date = ShareLinkSpec { expires_at: Some("2027-01-31T18:00:00+01:00".into()), ..link.clone() };
        assert_eq!(date.expiry().unwrap().unwrap().to_rfc3339(), "2027-01-31T17:00:00+00:00");
        let bad = ShareLinkSpec { expires_at: Some("next week".into()), ..link };
        assert!(check(&bad)[0].starts_with("expiresAt is \"next week\", but must be a date"));
    }
}
