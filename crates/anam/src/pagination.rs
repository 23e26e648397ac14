//! Auto-paging over any paged list of the API, as a `Stream` of its items.

use std::collections::HashSet;
use std::future::Future;

use anam_api::types::Pagination;
use futures::{Stream, TryStreamExt, stream};

use crate::error::{Error, Result};

/// A page of a list answer: its items, each with an id, and the paging metadata.
pub(crate) trait Page {
    /// One item of the list.
    type Item;
    /// The items and the paging metadata.
    fn into_parts(self) -> (Vec<Self::Item>, Pagination);
    /// An item's id.
    fn id(item: &Self::Item) -> &str;
}

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
        let (items, meta) = fetch(page).await?.into_parts();
        if u64::try_from(meta.current_page).ok() != Some(page) {
            return Err(paging_error(format!("asked for page {page}, the server answered page {}", meta.current_page)));
        }
        let received = items.len();
        let fresh: Vec<P::Item> = items.into_iter().filter(|item| seen.insert(P::id(item).to_owned())).collect();
        if received > 0 && fresh.is_empty() {
            return Err(paging_error(format!("page {page} holds only items of earlier pages")));
        }
        let next = if received == 0 { None } else { next_page(&meta, page) };
        Ok(Some((stream::iter(fresh.into_iter().map(Ok)), (next, fetch, seen))))
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
