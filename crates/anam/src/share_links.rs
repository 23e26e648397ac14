//! The request builders of share links ([`CreateShareLink`], [`UpdateShareLink`]): public
//! links that open a persona, each with a lifetime and a usage limit. The operations are the
//! generic [`Resource`](crate::Resource) handle's (`client.share_links()`).

use std::time::Duration;

use anam_api::facts::{check_create_share_link, check_update_share_link};
use anam_api::types::{ShareLinkCreate, ShareLinkUpdate, builder};

use crate::checks::{not_blank, positive_count, positive_hours};
use crate::error::ValidationError;
use crate::ids::PersonaId;
use crate::resource::IntoBody;

/// A share link to create (`POST /v1/share-links`) for a persona. Unset, the lifetime is 168
/// hours (a week) and the usage limit 10: the spec's defaults, which the generated body fills
/// in and sends.
///
/// Anam types `expiresInHours` and `usageLimit` as numbers and documents no bounds; the
/// builders take a [`Duration`] and a `u32`, and refuse zero (a link that expires at once, or
/// that no use can pass; a `Duration` cannot be negative). A lifetime that is not a whole
/// number of hours is sent as a fraction (90 minutes is `1.5`, 15 minutes `0.25`); Anam does
/// not say how it rounds one.
///
/// ```
/// use std::time::Duration;
/// use anam::CreateShareLink;
/// use serde_json::json;
///
/// let persona = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";
/// let wire = |link: CreateShareLink| serde_json::to_value(link.build().unwrap()).unwrap();
/// assert_eq!(wire(CreateShareLink::new(persona)), json!({"personaId": persona, "expiresInHours": 168, "usageLimit": 10}));
///
/// let day = CreateShareLink::new(persona).expires_in(Duration::from_secs(90 * 60)).usage_limit(1);
/// assert_eq!(wire(day), json!({"personaId": persona, "expiresInHours": 1.5, "usageLimit": 1}));
///
/// let err = CreateShareLink::new(persona).usage_limit(0).build().unwrap_err();
/// assert_eq!(err.to_string(), "usageLimit is 0, but must be at least 1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateShareLink {
    persona: PersonaId,
    expires_in: Option<Duration>,
    usage_limit: Option<u32>,
}

impl CreateShareLink {
    /// A link that opens `persona` (`personaId`), with the spec's default lifetime and limit.
    pub fn new(persona: impl Into<PersonaId>) -> Self {
        CreateShareLink { persona: persona.into(), expires_in: None, usage_limit: None }
    }

    /// `expiresInHours`: how long the link works, from now; more than zero, a fraction of an
    /// hour sent as a fraction.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }

    /// `usageLimit`: how many times the link can be used; at least 1.
    pub fn usage_limit(mut self, uses: u32) -> Self {
        self.usage_limit = Some(uses);
        self
    }

    /// The checked wire form, the spec's defaults filled in by the generated body's builder.
    pub fn build(self) -> Result<ShareLinkCreate, ValidationError> {
        not_blank("personaId", &self.persona, "a persona id")?;
        let defaults = builder::ShareLinkCreate::default().persona_id(self.persona);
        let mut body = ShareLinkCreate::try_from(defaults)
            .map_err(|e| ValidationError::new("personaId", e, "a share-link body with a persona"))?;
        if let Some(lifetime) = self.expires_in {
            body.expires_in_hours = positive_hours("expiresInHours", lifetime)?;
        }
        if let Some(uses) = self.usage_limit {
            body.usage_limit = positive_count("usageLimit", uses)?;
        }
        check_create_share_link(&body)?;
        Ok(body)
    }
}

impl IntoBody<ShareLinkCreate> for CreateShareLink {
    fn into_body(self) -> Result<ShareLinkCreate, ValidationError> {
        self.build()
    }
}

/// A change to a share link (`PUT /v1/share-links/{id}`): only the fields set are sent, with
/// the checks of [`CreateShareLink`]. Anam does not say whether a new lifetime counts from now
/// or from the link's creation.
///
/// ```
/// use anam::UpdateShareLink;
/// use serde_json::json;
///
/// let body = UpdateShareLink::new().usage_limit(50).build().unwrap();
/// assert_eq!(serde_json::to_value(body).unwrap(), json!({"usageLimit": 50}));
/// let err = UpdateShareLink::new().expires_in(std::time::Duration::ZERO).build().unwrap_err();
/// assert_eq!(err.field, "expiresInHours");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateShareLink {
    expires_in: Option<Duration>,
    usage_limit: Option<u32>,
}

impl UpdateShareLink {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `expiresInHours`: a new lifetime; more than zero.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }

    /// `usageLimit`: a new usage limit; at least 1.
    pub fn usage_limit(mut self, uses: u32) -> Self {
        self.usage_limit = Some(uses);
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<ShareLinkUpdate, ValidationError> {
        let expires_in_hours = self.expires_in.map(|d| positive_hours("expiresInHours", d)).transpose()?;
        let usage_limit = self.usage_limit.map(|n| positive_count("usageLimit", n)).transpose()?;
        let body = ShareLinkUpdate { expires_in_hours, usage_limit };
        check_update_share_link(&body)?;
        Ok(body)
    }
}

impl IntoBody<ShareLinkUpdate> for UpdateShareLink {
    fn into_body(self) -> Result<ShareLinkUpdate, ValidationError> {
        self.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const PERSONA: &str = "00000000-0000-0000-0000-000000000000";

    fn wire<T: serde::Serialize>(body: T) -> Value {
        serde_json::to_value(body).unwrap()
    }

    #[test]
    fn the_documented_example_and_the_defaults_it_states() {
        let documented = json!({"personaId": PERSONA, "expiresInHours": 168, "usageLimit": 10});
        let week = CreateShareLink::new(PERSONA).expires_in(Duration::from_secs(168 * 3600)).usage_limit(10);
        assert_eq!(wire(week.build().unwrap()), documented);
        assert_eq!(wire(CreateShareLink::new(PERSONA).build().unwrap()), documented, "the spec's defaults");
    }

    #[test]
    fn fractions_of_an_hour_stay_fractions() {
        let body = CreateShareLink::new(PERSONA).expires_in(Duration::from_secs(15 * 60)).build().unwrap();
        assert_eq!(body.expires_in_hours, 0.25);
        let body = UpdateShareLink::new().expires_in(Duration::from_secs(36 * 3600)).build().unwrap();
        assert_eq!(wire(body), json!({"expiresInHours": 36}));
    }

    #[test]
    fn zero_and_blank_are_refused_by_field() {
        let err = CreateShareLink::new(PERSONA).expires_in(Duration::ZERO).build().unwrap_err();
        assert_eq!((err.field.as_str(), err.expected.as_str()), ("expiresInHours", "more than 0 hours"));
        assert_eq!(CreateShareLink::new(PERSONA).usage_limit(0).build().unwrap_err().field, "usageLimit");
        assert_eq!(UpdateShareLink::new().usage_limit(0).build().unwrap_err().field, "usageLimit");
        assert_eq!(CreateShareLink::new(" ").build().unwrap_err().field, "personaId");
        assert_eq!(wire(UpdateShareLink::new().build().unwrap()), json!({}));
    }

    #[test]
    fn the_largest_values_are_sent_as_numbers() {
        let body = CreateShareLink::new(PERSONA).expires_in(Duration::MAX).usage_limit(u32::MAX).build().unwrap();
        let wire = wire(body);
        assert!(wire["expiresInHours"].as_f64().is_some_and(f64::is_finite));
        assert_eq!(wire["usageLimit"], json!(u32::MAX));
    }
}
