//! The tools a persona's language model can call ([`Tools`]): list, stream and get.

use std::future::Future;

use anam_api::Operation;
use anam_api::types::{Tool, ToolList};
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::client::Client;
use crate::error::Result;
use crate::ids::{ToolId, check_path_id};
use crate::pagination::{self, list_request, none_found_is_empty, page_of};
use crate::request::{found, send};

/// The tool operations of a [`Client`]: `client.tools()`. Creating or changing tools is not
/// covered. A tool's `config` may hold a webhook's headers, which can carry credentials: do not
/// log it.
///
/// ```no_run
/// # async fn demo(client: anam::Client) -> anam::Result<()> {
/// let tools = client.tools().list(anam::ListTools::new().search("calendar")).await?;
/// let ids: Vec<anam::ToolId> = tools.data.into_iter().map(|tool| tool.id).collect();
/// client.personas().update("2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31", anam::UpdatePersona::new().tool_ids(ids)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tools {
    client: Client,
}

impl Tools {
    pub(crate) fn new(client: Client) -> Self {
        Tools { client }
    }

    /// One page of tools (`GET /v1/tools`).
    pub fn list(&self, request: ListTools) -> impl Future<Output = Result<ToolList>> + Send + use<> {
        let (client, checked) = (self.client.clone(), request.validate().map(|()| request));
        async move {
            let ListTools { page, per_page, search } = checked?;
            let mut call = client.generated().list_tools();
            if let Some(page) = page {
                call = call.page(page);
            }
            if let Some(per_page) = per_page {
                call = call.per_page(per_page);
            }
            if let Some(search) = search {
                call = call.search(search);
            }
            let listed = send(&client, Operation::ListTools, || call.clone().send()).await;
            none_found_is_empty(Operation::ListTools, listed, (page, per_page), |meta| ToolList {
                data: Vec::new(),
                meta,
            })
        }
    }

    /// Every tool matching `request`, page after page, as [`crate::Personas::stream`] pages.
    pub fn stream(&self, request: ListTools) -> BoxStream<'static, Result<Tool>> {
        let tools = self.clone();
        pagination::stream(request, move |request| tools.list(request))
    }

    /// One tool (`GET /v1/tools/{id}`).
    pub fn get(&self, id: impl Into<ToolId>) -> BoxFuture<'static, Result<Tool>> {
        let (client, id) = (self.client.clone(), id.into());
        async move {
            check_path_id("a tool id", &id)?;
            let call = client.generated().get_tool().id(id);
            send(&client, Operation::GetTool, || call.clone().send()).await
        }
        .boxed()
    }

    /// One tool, or `None` when the server answers 404.
    pub fn get_opt(&self, id: impl Into<ToolId>) -> BoxFuture<'static, Result<Option<Tool>>> {
        found(self.get(id)).boxed()
    }
}

page_of!(ToolList, Tool);

/// Which page of tools to list.
///
/// ```
/// assert!(anam::ListTools::new().search("open_calendar").validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTools {
    page: Option<u64>,
    per_page: Option<u64>,
    search: Option<String>,
}

list_request!(ListTools, Operation::ListTools, "tools", "name, description or id");
