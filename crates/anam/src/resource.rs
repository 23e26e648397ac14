//! [`Resource`]: the one handle for every resource of the API (`client.personas()`,
//! `client.sessions()`, ...), written once over the traits `cargo xtask codegen` implements for
//! each resource of the spec (`anam_api::resource`). Each of list, stream, get, get_opt,
//! create, update and delete exists for a resource exactly when the spec has its operation.

use std::future::Future;
use std::marker::PhantomData;

use anam_api::Call;
use anam_api::resource::{Create, Delete, Get, List, ListQuery, Update};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, TryStreamExt};

use crate::client::Client;
use crate::error::{Error, Result, ValidationError};
use crate::pagination;

/// The operations of one resource of a [`Client`], `K` being its marker type in
/// [`anam_api::resources`]. Every method checks its input when it is called and returns a
/// future that owns everything it needs (`'static`, `Send`): nothing is sent until it is
/// awaited, it can be spawned, and a failed check is its output. Ids are typed: a string
/// converts into one, an id of another resource does not.
///
/// ```no_run
/// use anam::{CreatePersona, UpdatePersona};
///
/// # async fn demo() -> anam::Result<()> {
/// let client = anam::Client::from_env()?;
/// let personas = client.personas(); // a Resource<anam::resources::Persona>
/// let cara = personas.create(CreatePersona::cara().name("Support Cara")).await?;
/// let cara = personas.update(&cara.id, UpdatePersona::new().system_prompt("Be brief.")).await?;
/// assert!(personas.get_opt(&cara.id).await?.is_some());
/// let delete = client.personas().delete(&cara.id); // owns its input: no borrow of a temporary
/// tokio::spawn(delete).await.expect("the task ran")?;
/// # Ok(()) }
/// ```
pub struct Resource<K> {
    client: Client,
    kind: PhantomData<fn() -> K>,
}

impl<K> Resource<K> {
    pub(crate) fn new(client: Client) -> Self {
        Resource { client, kind: PhantomData }
    }

    /// The client it sends with.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl<K> Clone for Resource<K> {
    fn clone(&self) -> Self {
        Resource::new(self.client.clone())
    }
}

impl<K: anam_api::resource::Resource> std::fmt::Debug for Resource<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource").field("kind", &K::NAME).field("client", &self.client).finish()
    }
}

/// A request body, or a builder that checks and builds one (`CreatePersona` for a
/// `PersonaCreate`). A generated body type is one as it is.
pub trait IntoBody<B> {
    /// The body, or what is wrong with it.
    fn into_body(self) -> Result<B, ValidationError>;
}

impl<B> IntoBody<B> for B {
    fn into_body(self) -> Result<B, ValidationError> {
        Ok(self)
    }
}

impl<K: Get> Resource<K> {
    /// One item (`GET /v1/<collection>/{id}`).
    pub fn get(&self, id: impl Into<K::Id>) -> BoxFuture<'static, Result<K::Item>> {
        let (client, id) = (self.client.clone(), id.into());
        async move { client.send(K::get(client.api(), id)).await }.boxed()
    }

    /// One item, or `None` when the server answers 404.
    pub fn get_opt(&self, id: impl Into<K::Id>) -> BoxFuture<'static, Result<Option<K::Item>>> {
        let get = self.get(id);
        async move {
            match get.await {
                Ok(item) => Ok(Some(item)),
                Err(error) if error.is_not_found() => Ok(None),
                Err(error) => Err(error),
            }
        }
        .boxed()
    }
}

impl<K: List> Resource<K> {
    /// One page of items (`GET /v1/<collection>`), or every item of a list the API does not
    /// page. Where the spec documents a 404 for the list (Anam answers it for "nothing found" on
    /// some lists), a 404 reads as an empty page; on the others it stays an error.
    pub fn list(&self, query: K::Query) -> impl Future<Output = Result<K::Page>> + Send + use<K> {
        let client = self.client.clone();
        async move {
            query.validate()?;
            let paging = query.paging();
            let listed = client.send(K::list(client.api(), query)).await;
            let op = <K::ListCall<'static> as Call>::OPERATION;
            match listed {
                Err(error) if error.is_not_found() && op.statuses().contains(&404) => {
                    Ok(K::empty_page(pagination::empty_meta(paging)))
                }
                other => other,
            }
        }
    }

    /// Every item matching `query`, page after page (100 a page unless the query says
    /// otherwise, starting at its page or 1). Only one page is held in memory at a time, with
    /// the ids already yielded: an item that shifts onto the next page while the stream reads
    /// is not yielded twice. A server whose pages do not add up ends the stream with
    /// [`Error::Paging`].
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(client: anam::Client) -> anam::Result<()> {
    /// let mut personas = client.personas().stream(anam::ListPersonas::new().search("Cara"));
    /// while let Some(persona) = personas.try_next().await? {
    ///     println!("{} {}", persona.id, persona.name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, query: K::Query) -> BoxStream<'static, Result<K::Item>> {
        let resource = self.clone();
        pagination::stream::<K, _, _>(query, move |query| resource.list(query))
    }

    /// Every item matching `query`, collected (see [`Self::stream`] to hold one page at a time).
    pub fn list_all(&self, query: K::Query) -> BoxFuture<'static, Result<Vec<K::Item>>> {
        self.stream(query).try_collect().boxed()
    }
}

impl<K: Create> Resource<K> {
    /// Creates one (`POST /v1/<collection>`), from a builder or a body, checked first. It is
    /// retried only when the request provably never reached the server, so a retry never
    /// creates a duplicate.
    ///
    /// It returns the future itself, not a boxed one: a create's future is large, and moving it
    /// into a box costs a loopback call a few percent (`cargo bench -p anam-tests --bench
    /// overhead_ratio`). (Operations that take an id box theirs, so that a borrowed id,
    /// `&persona.id`, is not held by the future.)
    pub fn create<B: IntoBody<K::Body>>(
        &self,
        request: B,
    ) -> impl Future<Output = Result<K::Created>> + Send + use<K, B> {
        let (client, body) = (self.client.clone(), request.into_body());
        async move { client.send(K::create(client.api(), body?)).await }
    }
}

impl<K: Update> Resource<K> {
    /// Changes the fields set in `request` (`PUT /v1/<collection>/{id}`); the others keep
    /// their values.
    pub fn update(
        &self,
        id: impl Into<K::Id>,
        request: impl IntoBody<K::Body>,
    ) -> BoxFuture<'static, Result<K::Updated>> {
        let (client, id, body) = (self.client.clone(), id.into(), request.into_body());
        async move { client.send(K::update(client.api(), id, body?)).await }.boxed()
    }
}

impl<K: Delete> Resource<K> {
    /// Deletes one (`DELETE /v1/<collection>/{id}`). Succeeds on any 2xx, with or without a
    /// body, and on a 404 to a retry whose earlier attempt got no answer: that attempt deleted
    /// it.
    pub fn delete(&self, id: impl Into<K::Id>) -> BoxFuture<'static, Result<()>> {
        let (client, id) = (self.client.clone(), id.into());
        async move {
            match client.send(K::delete(client.api(), id)).await {
                Ok(_) => Ok(()),
                Err(Error::Api(api)) if api.status.as_u16() == 404 && api.earlier_attempt_unanswered => Ok(()),
                Err(error) => Err(error),
            }
        }
        .boxed()
    }
}
