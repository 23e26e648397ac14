//! What each resource of the API offers (list, get, create, update, delete), as traits that
//! `cargo xtask codegen` implements from the spec's paths for the marker types in
//! [`crate::resources`]. A resource is a path `/v1/<collection>/{id}` whose `id` is a named id
//! schema (`PersonaId` makes `resources::Persona`); its get, update and delete are that path's
//! GET, PUT and DELETE, its list and create the collection's GET and POST.
//!
//! The `anam` crate writes each operation once for every resource over these traits (its
//! `Resource` handle), so a resource added to the spec gets them by being generated.

use std::fmt;

use crate::types::Pagination;
use crate::{Call, Client, ValidationError};

/// A resource of the API: what lives at `/v1/<collection>/{id}`.
pub trait Resource: 'static {
    /// Its id type (`PersonaId`).
    type Id: Clone + fmt::Display + Send + Sync + 'static;
    /// Its name for people, in the singular (`persona`, `share link`).
    const NAME: &'static str;
}

/// `GET /v1/<collection>/{id}`.
pub trait Get: Resource {
    /// What the get answers.
    type Item: Send + 'static;
    /// The generated builder of the operation.
    type GetCall<'a>: Call<Output = Self::Item>;
    /// The operation for `id`, ready to send.
    fn get(client: &Client, id: Self::Id) -> Self::GetCall<'_>;
}

/// `GET /v1/<collection>`: one page of the resource's items (or all of them, for a list that
/// the API does not page).
pub trait List: Resource {
    /// Its query: filters and paging.
    type Query: ListQuery;
    /// One item of the list (often a trimmed form of the resource).
    type Item: Send + 'static;
    /// What the list answers.
    type Page: Send + 'static;
    /// The generated builder of the operation.
    type ListCall<'a>: Call<Output = Self::Page>;
    /// The operation for `query`, ready to send.
    fn list(client: &Client, query: Self::Query) -> Self::ListCall<'_>;
    /// The items of a page, and its paging metadata when the list is paged.
    fn into_items(page: Self::Page) -> (Vec<Self::Item>, Option<Pagination>);
    /// A page without items, with `meta` when the list is paged.
    fn empty_page(meta: Pagination) -> Self::Page;
    /// An item's id, to skip an item seen on an earlier page.
    fn item_id(item: &Self::Item) -> &str;
}

/// `POST /v1/<collection>` with a JSON body.
pub trait Create: Resource {
    /// The request body.
    type Body: Send + Sync + Clone + 'static;
    /// What the create answers.
    type Created: Send + 'static;
    /// The generated builder of the operation.
    type CreateCall<'a>: Call<Output = Self::Created>;
    /// The operation for `body`, ready to send.
    fn create(client: &Client, body: Self::Body) -> Self::CreateCall<'_>;
}

/// `PUT /v1/<collection>/{id}` with a JSON body.
pub trait Update: Resource {
    /// The request body.
    type Body: Send + Sync + Clone + 'static;
    /// What the update answers.
    type Updated: Send + 'static;
    /// The generated builder of the operation.
    type UpdateCall<'a>: Call<Output = Self::Updated>;
    /// The operation for `id` and `body`, ready to send.
    fn update(client: &Client, id: Self::Id, body: Self::Body) -> Self::UpdateCall<'_>;
}

/// `DELETE /v1/<collection>/{id}`.
pub trait Delete: Resource {
    /// The generated builder of the operation.
    type DeleteCall<'a>: Call;
    /// The operation for `id`, ready to send.
    fn delete(client: &Client, id: Self::Id) -> Self::DeleteCall<'_>;
}

/// A list's query, owned, so that a stream can ask for page after page: its filters and
/// paging, generated for every list of the spec (`query::ListPersonas`, ...).
pub trait ListQuery: Clone + Default + Send + Sync + 'static {
    /// Whether the list is paged (`page` and `perPage`).
    const PAGED: bool;
    /// The page and page size it asks for.
    fn paging(&self) -> (Option<u64>, Option<u64>);
    /// The same query for another page and page size (a list that is not paged ignores them).
    fn at_page(self, page: u64, per_page: u64) -> Self;
    /// Checks every value against what the spec says of it (ranges, comma-separated lists).
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Checks the items of a comma-separated query parameter (`tags=professional,studio`): none
/// may be blank or hold a comma.
pub fn check_comma_separated(name: &str, items: &[String]) -> Result<(), ValidationError> {
    match items.iter().find(|item| item.contains(',') || item.trim().is_empty()) {
        Some(item) => Err(ValidationError::new(name, format!("{item:?}"), "non-empty values without commas")),
        None => Ok(()),
    }
}
