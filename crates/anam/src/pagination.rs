//! Auto-paging over `GET /v1/personas`.

use std::collections::HashSet;

use anam_api::types::{Pagination, PersonaSummary};
use futures::{Stream, TryStreamExt, stream};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::personas::ListPersonas;

/// The page size used when the caller sets none: the API's maximum.
const PAGE_SIZE: u64 = 100;

/// Every persona matching `request`, fetched one page at a time. The previous page's ids are
/// remembered, so an item that shifts onto the next page while we read (someone created a persona
/// before it) is not yielded twice; memory stays at about one page whatever the total. Offset
/// paging cannot see an item that shifts onto an earlier page, nor catch a shift of more than a
/// whole page between two fetches.
pub(crate) fn stream(
    client: Client,
    request: ListPersonas,
) -> impl Stream<Item = Result<PersonaSummary>> + Send + Unpin + 'static {
    let per_page = request.per_page.unwrap_or(PAGE_SIZE);
    let first = request.page.unwrap_or(1);
    let state = (client, request, Some(first), HashSet::<String>::new());
    // Boxed once so callers can use `try_next()` without pinning it themselves.
    let pages = stream::try_unfold(state, move |(client, request, next, mut seen)| async move {
        let Some(page) = next else { return Ok::<_, Error>(None) };
        let list = client.personas().list(request.clone().page(page).per_page(per_page)).await?;
        let next = next_page(&list.meta, page, list.data.len());
        let mut items = list.data;
        // Only a page that has a next one needs its ids remembered.
        let ids: HashSet<String> =
            if next.is_some() { items.iter().map(|p| p.id.clone()).collect() } else { HashSet::new() };
        if !seen.is_empty() {
            items.retain(|p| !seen.contains(&p.id));
        }
        seen = ids;
        Ok(Some((items, (client, request, next, seen))))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten();
    Box::pin(pages)
}

/// The page after `page`: the server's `next`, else `page + 1` while `currentPage < lastPage`.
/// An empty page, or a `next` that does not move forward, ends the listing.
fn next_page(meta: &Pagination, page: u64, items: usize) -> Option<u64> {
    if items == 0 {
        return None;
    }
    let next = match meta.next {
        Some(next) => u64::try_from(next).ok(),
        None => (meta.current_page < meta.last_page).then_some(page + 1),
    };
    next.filter(|n| *n > page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(current: i64, last: i64, next: Option<i64>) -> Pagination {
        Pagination { current_page: current, last_page: last, next, per_page: 10, prev: None, total: 0 }
    }

    #[test]
    fn follows_next_then_last_page_and_never_goes_back() {
        assert_eq!(next_page(&meta(1, 3, Some(2)), 1, 10), Some(2));
        assert_eq!(next_page(&meta(1, 3, None), 1, 10), Some(2));
        assert_eq!(next_page(&meta(3, 3, None), 3, 10), None);
        assert_eq!(next_page(&meta(2, 3, Some(2)), 2, 10), None, "a next that does not advance ends it");
        assert_eq!(next_page(&meta(2, 3, Some(-5)), 2, 10), None);
        assert_eq!(next_page(&meta(1, 3, Some(2)), 1, 0), None, "an empty page ends it");
    }
}
