//! Auto-paging over any list of the API, as a `Stream` of its items.

use std::collections::HashSet;
use std::future::Future;

use anam_api::resource::{List, ListQuery};
use anam_api::types::Pagination;
use futures::stream::BoxStream;
use futures::{Stream, TryStreamExt, stream};

use crate::error::{Error, Result};

/// The page size of a `stream` when the query sets none: the API's maximum.
pub(crate) const STREAM_PAGE_SIZE: u64 = 100;

/// Every item matching `query`, fetched by `list` one page at a time ([`pages`]), from the
/// query's page (or 1) with its page size (or [`STREAM_PAGE_SIZE`]). A list the API does not
/// page is one page.
pub(crate) fn stream<K, F, Fut>(query: K::Query, list: F) -> BoxStream<'static, Result<K::Item>>
where
    K: List,
    F: Fn(K::Query) -> Fut + Send + 'static,
    Fut: Future<Output = Result<K::Page>> + Send + 'static,
{
    let (page, per_page) = query.paging();
    let (first, per_page) = (page.unwrap_or(1), per_page.unwrap_or(STREAM_PAGE_SIZE));
    Box::pin(pages::<K, _, _>(first, move |page| list(query.clone().at_page(page, per_page))))
}

/// The metadata of an empty page `page` (a 404 that reads as "nothing found").
pub(crate) fn empty_meta((page, per_page): (Option<u64>, Option<u64>)) -> Pagination {
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let page = int(page.unwrap_or(1));
    let per_page = int(per_page.unwrap_or(10));
    Pagination { total: 0, last_page: page, current_page: page, per_page, prev: None, next: None }
}

/// Every item of a list, from page `first` on, fetched one page at a time by `fetch(page)`.
///
/// Only the current page's items are held (plus the ids already yielded). An item seen before
/// (it shifted onto a later page while the stream read, because something was created before it)
/// is skipped. The stream ends after an empty page or the last page (`next`, else `currentPage <
/// lastPage`), and ends with an error when the server answers another page than the one asked
/// for, or sends a page of items that were all yielded before: a server that ignores `page`
/// or repeats itself would otherwise be asked forever.
pub(crate) fn pages<K, F, Fut>(first: u64, fetch: F) -> impl Stream<Item = Result<K::Item>> + Send
where
    K: List,
    F: FnMut(u64) -> Fut + Send,
    Fut: Future<Output = Result<K::Page>> + Send,
{
    pages_of(first, fetch, K::into_items, |item| K::item_id(item).to_owned())
}

/// [`pages`] for any page type: `split` gives a page's items and paging metadata, `key` an
/// item's identity (its id), to skip an item seen on an earlier page.
pub(crate) fn pages_of<P, I, F, Fut>(
    first: u64,
    fetch: F,
    split: fn(P) -> (Vec<I>, Option<Pagination>),
    key: fn(&I) -> String,
) -> impl Stream<Item = Result<I>> + Send
where
    I: Send,
    F: FnMut(u64) -> Fut + Send,
    Fut: Future<Output = Result<P>> + Send,
{
    let state = (Some(first), fetch, HashSet::<String>::new());
    let pages = stream::try_unfold(state, move |(page, mut fetch, mut seen)| async move {
        let Some(page) = page else { return Ok(None) };
        let (mut items, meta) = split(fetch(page).await?);
        if let Some(meta) = &meta
            && u64::try_from(meta.current_page).ok() != Some(page)
        {
            return Err(paging_error(format!("asked for page {page}, the server answered page {}", meta.current_page)));
        }
        let received = items.len();
        // In place: items are large (a persona summary is about 850 bytes), and when none was
        // seen before, as is usual, `retain` moves none of them.
        items.retain(|item| seen.insert(key(item)));
        if received > 0 && items.is_empty() {
            return Err(paging_error(format!("page {page} holds only items of earlier pages")));
        }
        let next = match &meta {
            Some(meta) if received > 0 => next_page(meta, page),
            _ => None,
        };
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
