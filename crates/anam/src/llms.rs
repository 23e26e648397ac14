//! The language-model configurations a persona can use ([`Llms`]): list, stream and get.

use std::future::Future;

use anam_api::Operation;
use anam_api::types::{Llm, LlmList};
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::client::Client;
use crate::error::Result;
use crate::ids::{LlmId, check_path_id};
use crate::pagination::{self, list_request, none_found_is_empty, page_of};
use crate::request::{found, send};

/// The LLM operations of a [`Client`]: `client.llms()`. Creating or changing LLMs is not covered.
///
/// The list holds the organisation's own LLMs; Anam's built-in defaults (which every
/// organisation can use) only with [`ListLlms::include_defaults`].
///
/// ```no_run
/// use futures::TryStreamExt;
///
/// # async fn demo(client: anam::Client) -> anam::Result<()> {
/// let llms: Vec<_> = client.llms().stream(anam::ListLlms::new().include_defaults(true)).try_collect().await?;
/// println!("{} LLM(s) available", llms.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Llms {
    client: Client,
}

impl Llms {
    pub(crate) fn new(client: Client) -> Self {
        Llms { client }
    }

    /// One page of LLMs (`GET /v1/llms`).
    pub fn list(&self, request: ListLlms) -> impl Future<Output = Result<LlmList>> + Send + use<> {
        let (client, checked) = (self.client.clone(), request.validate().map(|()| request));
        async move {
            let ListLlms { page, per_page, search, include_defaults } = checked?;
            let mut call = client.generated().list_llms();
            if let Some(page) = page {
                call = call.page(page);
            }
            if let Some(per_page) = per_page {
                call = call.per_page(per_page);
            }
            if let Some(search) = search {
                call = call.search(search);
            }
            if let Some(include) = include_defaults {
                call = call.include_defaults(include);
            }
            let listed = send(&client, Operation::ListLlms, || call.clone().send()).await;
            none_found_is_empty(Operation::ListLlms, listed, (page, per_page), |meta| LlmList {
                data: Vec::new(),
                meta,
            })
        }
    }

    /// Every LLM matching `request`, page after page, as [`crate::Personas::stream`] pages.
    pub fn stream(&self, request: ListLlms) -> BoxStream<'static, Result<Llm>> {
        let llms = self.clone();
        pagination::stream(request, move |request| llms.list(request))
    }

    /// One LLM (`GET /v1/llms/{id}`). Its upstream secret is never returned.
    pub fn get(&self, id: impl Into<LlmId>) -> BoxFuture<'static, Result<Llm>> {
        let (client, id) = (self.client.clone(), id.into());
        async move {
            check_path_id("an LLM id", &id)?;
            let call = client.generated().get_llm().id(id);
            send(&client, Operation::GetLlm, || call.clone().send()).await
        }
        .boxed()
    }

    /// One LLM, or `None` when the server answers 404.
    pub fn get_opt(&self, id: impl Into<LlmId>) -> BoxFuture<'static, Result<Option<Llm>>> {
        found(self.get(id)).boxed()
    }
}

page_of!(LlmList, Llm);

/// Which page of LLMs to list.
///
/// ```
/// assert!(anam::ListLlms::new().include_defaults(true).validate().is_ok());
/// assert_eq!(anam::ListLlms::new().per_page(500).validate().unwrap_err().field, "perPage");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListLlms {
    page: Option<u64>,
    per_page: Option<u64>,
    search: Option<String>,
    include_defaults: Option<bool>,
}

list_request!(ListLlms, Operation::ListLlms, "LLMs", "display name");

impl ListLlms {
    /// `includeDefaults`: also list the built-in default LLMs every organisation has.
    pub fn include_defaults(mut self, include: bool) -> Self {
        self.include_defaults = Some(include);
        self
    }
}
