//! Auto-paging over `GET /v1/personas`.

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use anam_api::types::{Pagination, PersonaList, PersonaSummary};
use futures::Stream;

use crate::client::Client;
use crate::error::Result;
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
    let next = Some(request.page.unwrap_or(1));
    let (fetch, items) = (None, Vec::new().into_iter());
    Pages { client, request, per_page, next, fetch, items, seen: SeenIds::default(), spare: SeenIds::default() }
}

/// A page being fetched: its number and the call (boxed: it lives across polls of the stream).
type Fetch = (u64, Pin<Box<dyn Future<Output = Result<PersonaList>> + Send>>);

/// The stream [`stream`] returns. Written by hand: the `futures` combinators it replaced
/// (`try_unfold`, `try_flatten`) moved every 848-byte item through more layers on its way out.
struct Pages {
    client: Client,
    request: ListPersonas,
    per_page: u64,
    /// The page to fetch when `items` runs out; `None` after the last page or an error.
    next: Option<u64>,
    fetch: Option<Fetch>,
    /// What is left to yield of the current page.
    items: std::vec::IntoIter<PersonaSummary>,
    /// The ids of the last page received, which the next page must not repeat.
    seen: SeenIds,
    /// The other buffer: the two take turns, so that remembering a page allocates nothing.
    spare: SeenIds,
}

impl Stream for Pages {
    type Item = Result<PersonaSummary>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            let (page, fetch) = match &mut this.fetch {
                Some((page, fetch)) => (*page, fetch),
                None => {
                    // Frees the spent page's buffer before the next page arrives.
                    this.items = Vec::new().into_iter();
                    let Some(page) = this.next.take() else { return Poll::Ready(None) };
                    let client = this.client.clone();
                    let request = this.request.clone().page(page).per_page(this.per_page);
                    let call = Box::pin(async move { client.personas().list(request).await });
                    (page, &mut this.fetch.insert((page, call)).1)
                }
            };
            let outcome = ready!(fetch.as_mut().poll(cx));
            this.fetch = None;
            let list = match outcome {
                Ok(list) => list,
                Err(error) => return Poll::Ready(Some(Err(error))), // `next` is taken: the stream ends
            };
            this.next = next_page(&list.meta, page, list.data.len());
            let mut items = list.data;
            // Only a page that has a next one needs its ids remembered.
            this.spare.remember(if this.next.is_some() { &items } else { &[] });
            if !this.seen.is_empty() {
                items.retain(|p| !this.seen.contains(&p.id));
            }
            std::mem::swap(&mut this.seen, &mut this.spare);
            this.items = items.into_iter();
        }
    }
}

/// The ids of one page, without an allocation per id: their text in one string, and their places
/// in it sorted by a cheap key (made from an id's first and last bytes). A lookup finds the places
/// with the id's key and compares the text, so it is exact; ids that share a key only make it
/// slower. (A `HashSet<String>` of cloned ids, with SipHash, cost about two thirds of what the
/// stream does beyond fetching its pages, in instructions counted by callgrind.)
#[derive(Debug, Default)]
struct SeenIds {
    text: String,
    places: Vec<(u64, Range<usize>)>,
}

impl SeenIds {
    /// Forgets what was remembered and remembers the ids of `items`.
    fn remember(&mut self, items: &[PersonaSummary]) {
        self.text.clear();
        self.places.clear();
        for item in items {
            let start = self.text.len();
            self.text.push_str(&item.id);
            self.places.push((key(&item.id), start..self.text.len()));
        }
        self.places.sort_unstable_by_key(|(key, _)| *key);
    }

    fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    fn contains(&self, id: &str) -> bool {
        let key = key(id);
        let first = self.places.partition_point(|(k, _)| *k < key);
        let mut same_key = self.places[first..].iter().take_while(|(k, _)| *k == key);
        same_key.any(|(_, place)| self.text.get(place.clone()) == Some(id))
    }
}

/// A cheap, well-spread key for an id: its first and last eight bytes and its length.
fn key(id: &str) -> u64 {
    let bytes = id.as_bytes();
    let word = |part: &[u8]| {
        let mut word = [0u8; 8];
        word[..part.len()].copy_from_slice(part);
        u64::from_le_bytes(word)
    };
    let (head, tail) = (&bytes[..bytes.len().min(8)], &bytes[bytes.len().saturating_sub(8)..]);
    word(head) ^ word(tail).rotate_left(29) ^ bytes.len() as u64
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

    fn summary(id: &str) -> PersonaSummary {
        serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
    }

    #[test]
    fn seen_ids_match_exactly_and_are_forgotten_on_the_next_page() {
        let mut seen = SeenIds::default();
        assert!(seen.is_empty());
        let first = ["b-2", "a-1", "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31", "", "c-3"].map(summary);
        seen.remember(&first);
        assert!(first.iter().all(|p| seen.contains(&p.id)));
        for other in ["a", "a-", "a-10", "B-2", "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c3", "d-4"] {
            assert!(!seen.contains(other), "{other:?} was never seen");
        }
        // Ids that share a key (same length, first and last eight bytes) are still told apart.
        let (x, y) = ("aaaaaaaa-x-bbbbbbbb", "aaaaaaaa-y-bbbbbbbb");
        assert_eq!(key(x), key(y));
        seen.remember(&[summary(x), summary("a-1")]);
        assert!(seen.contains(x) && !seen.contains(y));
        seen.remember(&[summary("d-4")]);
        assert!(seen.contains("d-4") && !seen.contains("a-1"));
        seen.remember(&[]);
        assert!(seen.is_empty() && !seen.contains(""));
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
