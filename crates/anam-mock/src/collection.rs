//! [`Collection`]: the one store every resource of the fake lives in (personas, avatars, voices,
//! LLMs, tools, share links, meeting invites, knowledge groups and documents, sessions). Items
//! keep the order they were added in, are found by id, and are paged as the API pages its lists.

use std::collections::{BTreeMap, HashMap};

use anam_api::types::{Avatar, KnowledgeGroup, Llm, MeetingInvite, Pagination, Persona, PersonaShareLink, Tool, Voice};

/// A resource with an id.
pub(crate) trait Keyed {
    /// Its id, as the API spells it.
    fn key(&self) -> &str;
}

macro_rules! keyed {
    ($($type:ty),*) => {
        $(impl Keyed for $type {
            fn key(&self) -> &str {
                self.id.as_str()
            }
        })*
    };
}

keyed!(Persona, Avatar, Voice, Llm, Tool, PersonaShareLink, MeetingInvite, KnowledgeGroup);

/// Items by id, in the order they were first added.
#[derive(Debug, Clone)]
pub(crate) struct Collection<T> {
    next: u64,
    by_seq: BTreeMap<u64, T>,
    seq_of: HashMap<String, u64>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection { next: 0, by_seq: BTreeMap::new(), seq_of: HashMap::new() }
    }
}

impl<T: Keyed> Collection<T> {
    /// A collection of `items`, in their order (a later item replaces an earlier one with its id).
    pub fn from_items(items: impl IntoIterator<Item = T>) -> Self {
        let mut collection = Collection::default();
        for item in items {
            collection.insert(item);
        }
        collection
    }

    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.seq_of.get(id).and_then(|seq| self.by_seq.get(seq))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.seq_of.get(id).and_then(|seq| self.by_seq.get_mut(seq))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.seq_of.contains_key(id)
    }

    /// Adds `item`, or replaces the item with its id in place (it keeps its position).
    pub fn insert(&mut self, item: T) {
        match self.seq_of.get(item.key()) {
            Some(seq) => {
                self.by_seq.insert(*seq, item);
            }
            None => {
                self.next += 1;
                self.seq_of.insert(item.key().to_owned(), self.next);
                self.by_seq.insert(self.next, item);
            }
        }
    }

    /// Removes the item with this id and returns it.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        self.seq_of.remove(id).and_then(|seq| self.by_seq.remove(&seq))
    }

    /// Every item, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.by_seq.values()
    }

    /// Every item, oldest first, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.by_seq.values_mut()
    }

    /// Removes every item for which `drop` is true.
    pub fn remove_where(&mut self, drop: impl Fn(&T) -> bool) {
        let gone: Vec<String> = self.iter().filter(|item| drop(item)).map(|item| item.key().to_owned()).collect();
        for id in gone {
            self.remove(&id);
        }
    }
}

/// Page `page` (from 1) of `items`, `per_page` a page, with the metadata the API sends.
pub(crate) fn paginate<T: Clone>(items: &[&T], page: u64, per_page: u64) -> (Vec<T>, Pagination) {
    let total = items.len() as u64;
    let skip = usize::try_from(page.saturating_sub(1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let data = items.iter().skip(skip).take(usize::try_from(per_page).unwrap_or(usize::MAX)).map(|&item| item.clone());
    let last_page = total.div_ceil(per_page.max(1)).max(1);
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let meta = Pagination {
        total: int(total),
        last_page: int(last_page),
        current_page: int(page),
        per_page: int(per_page),
        prev: (page > 1).then(|| int(page - 1)),
        next: (page < last_page).then(|| int(page + 1)),
    };
    (data.collect(), meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Item(&'static str, u32);

    impl Keyed for Item {
        fn key(&self) -> &str {
            self.0
        }
    }

    #[test]
    fn items_keep_their_order_and_are_replaced_in_place() {
        let mut items = Collection::from_items([Item("a", 1), Item("b", 2), Item("c", 3)]);
        items.insert(Item("a", 10));
        assert_eq!(items.iter().map(|i| i.1).collect::<Vec<_>>(), [10, 2, 3]);
        assert_eq!(items.remove("b"), Some(Item("b", 2)));
        assert_eq!(items.remove("b"), None);
        items.insert(Item("b", 20));
        assert_eq!(items.iter().map(|i| i.0).collect::<Vec<_>>(), ["a", "c", "b"], "a re-added id goes last");
        items.get_mut("c").unwrap().1 = 30;
        assert_eq!(items.get("c"), Some(&Item("c", 30)));
        assert!(items.contains("a") && !items.contains("z"));
        items.remove_where(|i| i.1 > 15);
        assert_eq!((items.len(), items.iter().next().map(|i| i.0)), (1, Some("a")));
    }

    #[test]
    fn pages_are_counted() {
        let items: Vec<u32> = (0..25).collect();
        let refs: Vec<&u32> = items.iter().collect();
        let (data, meta) = paginate(&refs, 3, 10);
        assert_eq!(
            (data, meta.total, meta.last_page, meta.next, meta.prev),
            (vec![20, 21, 22, 23, 24], 25, 3, None, Some(2))
        );
        let (data, meta) = paginate(&refs, u64::MAX, 100);
        assert!(data.is_empty());
        assert_eq!(meta.last_page, 1);
        assert_eq!(paginate::<u32>(&[], 1, 10).1.last_page, 1);
    }
}
