//! The voices a persona can speak with ([`Voices`]): list, stream and get.

use std::future::Future;

use anam_api::Operation;
use anam_api::types::{Voice, VoiceList};
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::client::Client;
use crate::error::Result;
use crate::ids::{VoiceId, check_path_id};
use crate::pagination::{self, list_request, none_found_is_empty, page_of};
use crate::request::{found, send};

/// The voice operations of a [`Client`]: `client.voices()`. Creating voices is not covered.
///
/// ```no_run
/// # async fn demo(client: anam::Client) -> anam::Result<()> {
/// let page = client.voices().list(anam::ListVoices::new().search("Lucy")).await?;
/// if let Some(voice) = page.data.first() {
///     println!("{} speaks through {:?}", voice.id, voice.provider);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Voices {
    client: Client,
}

impl Voices {
    pub(crate) fn new(client: Client) -> Self {
        Voices { client }
    }

    /// One page of voices (`GET /v1/voices`). Anam answers 404 when nothing matches; that reads
    /// as an empty page.
    pub fn list(&self, request: ListVoices) -> impl Future<Output = Result<VoiceList>> + Send + use<> {
        let (client, checked) = (self.client.clone(), request.validate().map(|()| request));
        async move {
            let ListVoices { page, per_page, search } = checked?;
            let mut call = client.generated().list_voices();
            if let Some(page) = page {
                call = call.page(page);
            }
            if let Some(per_page) = per_page {
                call = call.per_page(per_page);
            }
            if let Some(search) = search {
                call = call.search(search);
            }
            let listed = send(&client, Operation::ListVoices, || call.clone().send()).await;
            none_found_is_empty(Operation::ListVoices, listed, (page, per_page), |meta| VoiceList {
                data: Vec::new(),
                meta,
            })
        }
    }

    /// Every voice matching `request`, page after page, as [`crate::Personas::stream`] pages.
    pub fn stream(&self, request: ListVoices) -> BoxStream<'static, Result<Voice>> {
        let voices = self.clone();
        pagination::stream(request, move |request| voices.list(request))
    }

    /// One voice (`GET /v1/voices/{id}`).
    pub fn get(&self, id: impl Into<VoiceId>) -> BoxFuture<'static, Result<Voice>> {
        let (client, id) = (self.client.clone(), id.into());
        async move {
            check_path_id("a voice id", &id)?;
            let call = client.generated().get_voice().id(id);
            send(&client, Operation::GetVoice, || call.clone().send()).await
        }
        .boxed()
    }

    /// One voice, or `None` when the server answers 404.
    pub fn get_opt(&self, id: impl Into<VoiceId>) -> BoxFuture<'static, Result<Option<Voice>>> {
        found(self.get(id)).boxed()
    }
}

page_of!(VoiceList, Voice);

/// Which page of voices to list.
///
/// ```
/// assert!(anam::ListVoices::new().search("Lucy").per_page(100).validate().is_ok());
/// assert_eq!(anam::ListVoices::new().page(0).validate().unwrap_err().field, "page");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListVoices {
    page: Option<u64>,
    per_page: Option<u64>,
    search: Option<String>,
}

list_request!(ListVoices, Operation::ListVoices, "voices", "display name");
