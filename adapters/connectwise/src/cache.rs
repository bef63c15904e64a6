//! A small map whose entries expire after a fixed time and whose size is capped: discovered API
//! roots per site and company, and signing keys per key URL, in a process with many tenants.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Entries live `ttl` after their insertion; beyond `capacity` entries, expired ones go first,
/// then the least recently inserted.
///
/// Every entry has the same time to live, so insertion order is also expiry order: one queue
/// in insertion order finds both the expired entries and the oldest ones at its front.
#[derive(Debug)]
pub struct BoundedCache<K, V> {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

#[derive(Debug)]
struct Inner<K, V> {
    entries: HashMap<K, Stored<V>>,
    /// Keys in insertion order with the insertion number they had; a key inserted again
    /// leaves its older number behind, which is skipped when reached.
    order: VecDeque<(K, u64)>,
    next: u64,
}

#[derive(Debug)]
struct Stored<V> {
    value: V,
    inserted: Instant,
    number: u64,
}

impl<K: Eq + Hash + Clone, V: Clone> BoundedCache<K, V> {
    /// A cache of at most `capacity` entries (at least one) living `ttl` each.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                order: VecDeque::new(),
                next: 0,
            }),
        }
    }

    /// The value under `key` while it is fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    /// Stores `value` under `key`, replacing an older one, then trims the cache to its bounds.
    pub fn insert(&self, key: K, value: V) {
        self.insert_at(key, value, Instant::now());
    }

    /// Forgets `key` (its queue entry is dropped later, as for a key inserted again).
    pub fn remove(&self, key: &K) {
        self.inner.lock().entries.remove(key);
    }

    /// How many entries are held, expired ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let mut inner = self.inner.lock();
        match inner.entries.entry(key.clone()) {
            Entry::Occupied(stored) if self.expired(stored.get(), now) => {
                stored.remove();
                None
            }
            Entry::Occupied(stored) => Some(stored.get().value.clone()),
            Entry::Vacant(_) => None,
        }
    }

    fn insert_at(&self, key: K, value: V, now: Instant) {
        let mut inner = self.inner.lock();
        let number = inner.next;
        inner.next += 1;
        inner.order.push_back((key.clone(), number));
        let stored = Stored {
            value,
            inserted: now,
            number,
        };
        inner.entries.insert(key, stored);
        self.trim(&mut inner, now);
    }

    /// Drops expired entries, then the oldest while over capacity. Also keeps the queue from
    /// filling with numbers left behind by keys inserted again.
    fn trim(&self, inner: &mut Inner<K, V>, now: Instant) {
        while let Some((key, number)) = inner.order.front().cloned() {
            let live = inner.entries.get(&key).filter(|s| s.number == number);
            match live {
                None => {}
                Some(stored) if self.expired(stored, now) => {}
                Some(_) if inner.entries.len() > self.capacity => {}
                Some(_) => break,
            }
            inner.order.pop_front();
            if live_number(&inner.entries, &key) == Some(number) {
                inner.entries.remove(&key);
            }
        }
        if inner.order.len() > 2 * inner.entries.len() + 16 {
            let entries = &inner.entries;
            inner
                .order
                .retain(|(key, number)| live_number(entries, key) == Some(*number));
        }
    }

    fn expired(&self, stored: &Stored<V>, now: Instant) -> bool {
        now.saturating_duration_since(stored.inserted) >= self.ttl
    }
}

fn live_number<K: Eq + Hash, V>(entries: &HashMap<K, Stored<V>>, key: &K) -> Option<u64> {
    entries.get(key).map(|stored| stored.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn entries_expire_after_their_time_to_live() {
        let cache = BoundedCache::new(HOUR, 10);
        let start = Instant::now();
        cache.insert_at("a", 1, start);
        assert_eq!(
            cache.get_at(&"a", start + HOUR - Duration::from_secs(1)),
            Some(1)
        );
        assert_eq!(cache.get_at(&"a", start + HOUR), None);
        assert!(cache.is_empty(), "an expired entry read is dropped");
        cache.insert_at("a", 2, start + HOUR);
        assert_eq!(cache.get_at(&"a", start + HOUR), Some(2));
    }

    #[test]
    fn over_capacity_the_least_recently_inserted_goes() {
        let cache = BoundedCache::new(HOUR, 3);
        let start = Instant::now();
        for (n, key) in ["a", "b", "c"].into_iter().enumerate() {
            cache.insert_at(key, n, start);
        }
        // Reading does not count: "a" is still the least recently inserted.
        assert_eq!(cache.get_at(&"a", start), Some(0));
        cache.insert_at("d", 3, start);
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get_at(&"a", start), None);
        // Inserting again makes a key the most recent.
        cache.insert_at("b", 11, start);
        cache.insert_at("e", 4, start);
        assert_eq!(cache.get_at(&"c", start), None);
        assert_eq!(cache.get_at(&"b", start), Some(11));
        assert_eq!(cache.get_at(&"d", start), Some(3));
        assert_eq!(cache.get_at(&"e", start), Some(4));
    }

    #[test]
    fn expired_entries_go_before_fresh_ones() {
        let cache = BoundedCache::new(HOUR, 3);
        let start = Instant::now();
        cache.insert_at("old-1", 1, start);
        cache.insert_at("old-2", 2, start);
        let later = start + HOUR;
        cache.insert_at("new", 3, later - Duration::from_secs(1));
        cache.insert_at("newer", 4, later);
        assert_eq!(cache.len(), 2, "both expired entries were dropped");
        assert_eq!(cache.get_at(&"new", later), Some(3));
        assert_eq!(cache.get_at(&"newer", later), Some(4));
    }

    #[test]
    fn one_key_inserted_again_and_again_keeps_the_queue_small() {
        let cache = BoundedCache::new(HOUR, 4);
        let start = Instant::now();
        for n in 0..10_000 {
            cache.insert_at("same", n, start);
        }
        assert_eq!(cache.get_at(&"same", start), Some(9_999));
        assert!(cache.inner.lock().order.len() <= 2 + 16);
    }

    #[test]
    fn many_keys_never_exceed_the_capacity() {
        let cache = BoundedCache::new(HOUR, 100);
        let start = Instant::now();
        for n in 0..10_000u32 {
            cache.insert_at(n, n, start + Duration::from_millis(u64::from(n)));
            assert!(cache.len() <= 100);
        }
        assert_eq!(cache.get_at(&9_999, start + HOUR), Some(9_999));
        assert_eq!(cache.get_at(&9_899, start + HOUR), None);
    }
}
