//! The avatars a persona can have ([`Avatars`]): list, stream and get.

use std::future::Future;

use anam_api::Operation;
use anam_api::types::{Avatar, AvatarList, AvatarRenderStyleFilter};
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::client::Client;
use crate::error::{Result, ValidationError};
use crate::ids::{AvatarId, check_path_id};
use crate::pagination::{self, list_request, none_found_is_empty, page_of};
use crate::request::{found, send};

/// The avatar operations of a [`Client`]: `client.avatars()`. Anam's stock avatars and the
/// organisation's own; creating or uploading avatars is not covered.
///
/// ```no_run
/// use futures::TryStreamExt;
///
/// # async fn demo(client: anam::Client) -> anam::Result<()> {
/// let realistic = anam::ListAvatars::new().render_style("realistic").tags(["professional"]);
/// let avatars: Vec<_> = client.avatars().stream(realistic).try_collect().await?;
/// for avatar in &avatars {
///     println!("{} {}", avatar.id, avatar.display_name.as_deref().unwrap_or(""));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Avatars {
    client: Client,
}

impl Avatars {
    pub(crate) fn new(client: Client) -> Self {
        Avatars { client }
    }

    /// One page of avatars (`GET /v1/avatars`). Anam answers 404 when nothing matches; that
    /// reads as an empty page.
    pub fn list(&self, request: ListAvatars) -> impl Future<Output = Result<AvatarList>> + Send + use<> {
        let (client, checked) = (self.client.clone(), request.validate().map(|()| request));
        async move {
            let ListAvatars { page, per_page, search, render_style, tags, only_one_shot } = checked?;
            let mut call = client.generated().list_avatars();
            if let Some(page) = page {
                call = call.page(page);
            }
            if let Some(per_page) = per_page {
                call = call.per_page(per_page);
            }
            if let Some(search) = search {
                call = call.search(search);
            }
            if let Some(style) = render_style {
                call = call.render_style(style);
            }
            if !tags.is_empty() {
                call = call.tags(tags.join(","));
            }
            if let Some(only) = only_one_shot {
                call = call.only_one_shot(only);
            }
            let listed = send(&client, Operation::ListAvatars, || call.clone().send()).await;
            none_found_is_empty(Operation::ListAvatars, listed, (page, per_page), |meta| AvatarList {
                data: Vec::new(),
                meta,
            })
        }
    }

    /// Every avatar matching `request`, page after page, as [`crate::Personas::stream`] pages.
    pub fn stream(&self, request: ListAvatars) -> BoxStream<'static, Result<Avatar>> {
        let avatars = self.clone();
        pagination::stream(request, move |request| avatars.list(request))
    }

    /// One avatar (`GET /v1/avatars/{id}`). Its video URLs expire after an hour.
    pub fn get(&self, id: impl Into<AvatarId>) -> BoxFuture<'static, Result<Avatar>> {
        let (client, id) = (self.client.clone(), id.into());
        async move {
            check_path_id("an avatar id", &id)?;
            let call = client.generated().get_avatar().id(id);
            send(&client, Operation::GetAvatar, || call.clone().send()).await
        }
        .boxed()
    }

    /// One avatar, or `None` when the server answers 404.
    pub fn get_opt(&self, id: impl Into<AvatarId>) -> BoxFuture<'static, Result<Option<Avatar>>> {
        found(self.get(id)).boxed()
    }
}

page_of!(AvatarList, Avatar);

/// Which page of avatars to list, and the filters.
///
/// ```
/// let request = anam::ListAvatars::new().search("Liv").render_style("realistic").tags(["office", "studio"]);
/// assert!(request.validate().is_ok());
/// let err = anam::ListAvatars::new().tags(["a,b"]).validate().unwrap_err();
/// assert_eq!(err.field, "tags");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListAvatars {
    page: Option<u64>,
    per_page: Option<u64>,
    search: Option<String>,
    render_style: Option<AvatarRenderStyleFilter>,
    tags: Vec<String>,
    only_one_shot: Option<bool>,
}

list_request!(ListAvatars, Operation::ListAvatars, "avatars", "display name or generated description", check_tags);

impl ListAvatars {
    /// `renderStyle`: only avatars drawn in this style (`all`, the server's default, applies no filter).
    pub fn render_style(mut self, style: impl Into<AvatarRenderStyleFilter>) -> Self {
        self.render_style = Some(style.into());
        self
    }

    /// `tags`: only avatars with at least one of these (lower-case) tags; sent comma-separated.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// `onlyOneShot`: only one-shot avatars.
    pub fn only_one_shot(mut self, only: bool) -> Self {
        self.only_one_shot = Some(only);
        self
    }

    fn check_tags(&self) -> Result<(), ValidationError> {
        match self.tags.iter().find(|tag| tag.contains(',') || tag.trim().is_empty()) {
            Some(tag) => Err(ValidationError::new("tags", format!("{tag:?}"), "non-empty tags without commas")),
            None => Ok(()),
        }
    }
}
