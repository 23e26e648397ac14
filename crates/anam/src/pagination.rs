//! Auto-paging over any paged list of the API, as a `Stream` of its items, and what every list
//! request shares (`page`, `perPage`, `search`, checked against the spec's ranges).

use std::collections::HashSet;
use std::future::Future;

use anam_api::Operation;
use anam_api::facts::Location;
use anam_api::types::Pagination;
use futures::stream::BoxStream;
use futures::{Stream, TryStreamExt, stream};

use crate::error::{Error, Result, ValidationError};

/// The page size of a `stream` when the request sets none: the API's maximum.
pub(crate) const STREAM_PAGE_SIZE: u64 = 100;

/// A page of a list answer: its items, each with an id, and the paging metadata.
pub(crate) trait Page {
    /// One item of the list.
    type Item;
    /// The items and the paging metadata.
    fn into_parts(self) -> (Vec<Self::Item>, Pagination);
    /// An item's id.
    fn id(item: &Self::Item) -> &str;
}

/// A list request that can be pointed at a page (every `List*` builder).
pub(crate) trait ListQuery: Clone + Send + 'static {
    /// The page and page size the request asks for.
    fn paging(&self) -> (Option<u64>, Option<u64>);
    /// The same request for another page and page size.
    fn at_page(self, page: u64, per_page: u64) -> Self;
}

/// Every item matching `request`, fetched by `list` one page at a time ([`pages`]), from the
/// request's page (or 1) with its page size (or [`STREAM_PAGE_SIZE`]).
pub(crate) fn stream<Q, P, F, Fut>(request: Q, list: F) -> BoxStream<'static, Result<P::Item>>
where
    Q: ListQuery,
    P: Page + 'static,
    P::Item: Send + 'static,
    F: Fn(Q) -> Fut + Send + 'static,
    Fut: Future<Output = Result<P>> + Send + 'static,
{
    let (page, per_page) = request.paging();
    let (first, per_page) = (page.unwrap_or(1), per_page.unwrap_or(STREAM_PAGE_SIZE));
    Box::pin(pages::<P, _, _>(first, move |page| list(request.clone().at_page(page, per_page))))
}

/// Checks `page` and `perPage` of a list operation against the spec's ranges.
pub(crate) fn check_paging(op: Operation, page: Option<u64>, per_page: Option<u64>) -> Result<(), ValidationError> {
    for (field, value) in [("page", page), ("perPage", per_page)] {
        let bound = op.bound(Location::Query, field);
        if let (Some(value), Some(bound)) = (value, bound)
            && !bound.contains(value as f64)
        {
            return Err(ValidationError::new(field, value, bound.expected()));
        }
    }
    Ok(())
}

/// The answer of the list `op`, where a 404 reads as an empty page `page` if the spec documents
/// a 404 for that list: Anam does so for "nothing found" on some lists (avatars, voices); on the
/// others a 404 stays an error. `empty` makes the list type from its metadata.
pub(crate) fn none_found_is_empty<L>(
    op: Operation,
    listed: Result<L>,
    (page, per_page): (Option<u64>, Option<u64>),
    empty: impl FnOnce(Pagination) -> L,
) -> Result<L> {
    match listed {
        Err(error) if error.is_not_found() && op.statuses().contains(&404) => {
            let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            let page = int(page.unwrap_or(1));
            let per_page = int(per_page.unwrap_or(10));
            Ok(empty(Pagination { total: 0, last_page: page, current_page: page, per_page, prev: None, next: None }))
        }
        other => other,
    }
}

/// The parts every list builder shares, for a struct with the fields `page`, `per_page` and
/// `search` of the operation `$op`: their setters, `validate` (which also runs the builder's own
/// `$extra` check, if named), and [`ListQuery`].
macro_rules! list_request {
    ($name:ident, $op:expr, $what:literal, $search:literal $(, $extra:ident)?) => {
        impl $name {
            #[doc = concat!("The first page of ", $what, " with the server's page size (10).")]
            pub fn new() -> Self {
                Self::default()
            }

            /// The page, from 1.
            pub fn page(mut self, page: u64) -> Self {
                self.page = Some(page);
                self
            }

            /// The page size, in the spec's range (1 to 100).
            pub fn per_page(mut self, per_page: u64) -> Self {
                self.per_page = Some(per_page);
                self
            }

            #[doc = concat!("Only ", $what, " whose ", $search, " matches this text.")]
            pub fn search(mut self, text: impl Into<String>) -> Self {
                self.search = Some(text.into());
                self
            }

            /// Checks `page` and `perPage` against the spec's ranges, and the filters.
            pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
                crate::pagination::check_paging($op, self.page, self.per_page)?;
                $(self.$extra()?;)?
                Ok(())
            }
        }

        impl crate::pagination::ListQuery for $name {
            fn paging(&self) -> (Option<u64>, Option<u64>) {
                (self.page, self.per_page)
            }

            fn at_page(self, page: u64, per_page: u64) -> Self {
                self.page(page).per_page(per_page)
            }
        }
    };
}
pub(crate) use list_request;

/// [`Page`] for a generated list type with `data` and `meta`, whose items have an `id`.
macro_rules! page_of {
    ($list:ty, $item:ty) => {
        impl crate::pagination::Page for $list {
            type Item = $item;

            fn into_parts(self) -> (Vec<$item>, anam_api::types::Pagination) {
                (self.data, self.meta)
            }

            fn id(item: &$item) -> &str {
                item.id.as_str()
            }
        }
    };
}
pub(crate) use page_of;

/// Every item of a paged list, from page `first` on, fetched one page at a time by `fetch(page)`.
///
/// Only the current page's items are held (plus the ids already yielded). An item seen before
/// (it shifted onto a later page while the stream read, because something was created before it)
/// is skipped. The stream ends after an empty page or the last page (`next`, else `currentPage <
/// lastPage`), and ends with an error when the server answers another page than the one asked
/// for, or sends a page of items that were all yielded before: a server that ignores `page`
/// or repeats itself would otherwise be asked forever.
pub(crate) fn pages<P, F, Fut>(first: u64, fetch: F) -> impl Stream<Item = Result<P::Item>> + Send
where
    P: Page,
    P::Item: Send,
    F: FnMut(u64) -> Fut + Send,
    Fut: Future<Output = Result<P>> + Send,
{
    let state = (Some(first), fetch, HashSet::<String>::new());
    let pages = stream::try_unfold(state, |(page, mut fetch, mut seen)| async move {
        let Some(page) = page else { return Ok(None) };
        let (mut items, meta) = fetch(page).await?.into_parts();
        if u64::try_from(meta.current_page).ok() != Some(page) {
            return Err(paging_error(format!("asked for page {page}, the server answered page {}", meta.current_page)));
        }
        let received = items.len();
        // In place: items are large (a persona summary is about 850 bytes), and when none was
        // seen before, as is usual, `retain` moves none of them.
        items.retain(|item| seen.insert(P::id(item).to_owned()));
        if received > 0 && items.is_empty() {
            return Err(paging_error(format!("page {page} holds only items of earlier pages")));
        }
        let next = if received == 0 { None } else { next_page(&meta, page) };
        Ok(Some((stream::iter(items.into_iter().map(Ok)), (next, fetch, seen))))
    });
    pages.try_flatten()
}

/// The page after `page`: the server's `next` when it moves forward, else `page + 1` while
/// `currentPage < lastPage`; `None` at the end (or where `page + 1` does not fit).
fn next_page(meta: &Pagination, page: u64) -> Option<u64> {
    match meta.next {
        Some(next) => u64::try_from(next).ok().filter(|n| *n > page),
        None => (meta.current_page < meta.last_page).then(|| page.checked_add(1)).flatten(),
    }
}

fn paging_error(problem: String) -> Error {
    Error::Paging(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(current: i64, last: i64, next: Option<i64>) -> Pagination {
        Pagination { current_page: current, last_page: last, next, per_page: 10, prev: None, total: 0 }
    }

    #[test]
    fn follows_next_then_last_page_and_never_goes_back_or_overflows() {
        assert_eq!(next_page(&meta(1, 3, Some(2)), 1), Some(2));
        assert_eq!(next_page(&meta(1, 3, None), 1), Some(2));
        assert_eq!(next_page(&meta(3, 3, None), 3), None);
        assert_eq!(next_page(&meta(2, 3, Some(2)), 2), None, "a next that does not advance ends it");
        assert_eq!(next_page(&meta(2, 3, Some(-5)), 2), None);
        assert_eq!(next_page(&meta(1, i64::MAX, None), u64::MAX), None);
    }
}
