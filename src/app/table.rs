//! The secrets table as data: every row of the current view, the order in
//! which they show (sorted and filtered), the selection and the scroll.
//!
//! Sorting and filtering happen when the data, the sort or the filter
//! change, never on a tick.

use std::cmp::Ordering;

use super::fuzzy::Fuzzy;
use crate::csms::Secret;
use crate::listing::pending_first;

/// Which profile (by index) and which secret name: a row's identity.
pub type RowKey = (usize, String);

#[derive(Debug, Clone)]
pub struct Row {
    pub profile: usize,
    pub secret: Secret,
    /// A secret being created: a row for the request under way, not yet a secret.
    pub placeholder: bool,
    /// Lower-cased name and description, for the filter.
    search: String,
}

impl Row {
    pub fn new(profile: usize, secret: Secret) -> Row {
        let search = format!("{}\n{}", secret.name, secret.description.as_deref().unwrap_or("")).to_lowercase();
        Row { profile, secret, search, placeholder: false }
    }

    pub fn key(&self) -> RowKey {
        (self.profile, self.secret.name.clone())
    }

    /// The state begins with every `state:` asked (lower-case, `_` for `-`).
    fn in_states(&self, states: &[String]) -> bool {
        states.is_empty() || {
            let label = self.secret.state_label().to_lowercase();
            states.iter().all(|s| label.starts_with(s.as_str()))
        }
    }
}

/// Marks the characters of a name that the filter matched.
pub enum Highlighter {
    /// The filter's words, lower-cased: the first place each one occurs.
    Words(Vec<Vec<char>>),
    Fuzzy(Fuzzy),
}

impl Highlighter {
    /// Per char of `text`: whether the filter matched it.
    pub fn hits(&self, text: &str) -> Vec<bool> {
        let mut hit = vec![false; text.chars().count()];
        match self {
            Highlighter::Words(words) => {
                let lower: Vec<char> = text.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect();
                for w in words.iter().filter(|w| !w.is_empty() && w.len() <= lower.len()) {
                    if let Some(at) = lower.windows(w.len()).position(|win| win == w.as_slice()) {
                        hit[at..at + w.len()].iter_mut().for_each(|h| *h = true);
                    }
                }
            }
            Highlighter::Fuzzy(fuzzy) => fuzzy.matched_chars(text).into_iter().for_each(|i| hit[i] = true),
        }
        hit
    }
}

/// From this many rows on, the filter searches in two threads.
const PARALLEL_ROWS: usize = 20_000;

/// How many of `words` each row of `rows` holds. A word holds no whitespace,
/// so a match never spans two rows; after one the search goes on at the next row.
fn words_per_row(
    words: &[memchr::memmem::Finder<'static>],
    haystack: &[u8],
    starts: &[usize],
    rows: std::ops::Range<usize>,
) -> Vec<usize> {
    let mut found = vec![0usize; rows.len()];
    if rows.is_empty() {
        return found;
    }
    let end = starts[rows.end];
    for word in words {
        let (mut row, mut at) = (rows.start, starts[rows.start]);
        while let Some(offset) = word.find(&haystack[at..end]) {
            while starts[row + 1] <= at + offset {
                row += 1;
            }
            found[row - rows.start] += 1;
            at = starts[row + 1];
        }
    }
    found
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Pending deletions first, soonest first, then by name.
    #[default]
    TimeLeft,
    Name,
    State,
    /// Most recently updated first.
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::TimeLeft => SortKey::Name,
            SortKey::Name => SortKey::State,
            SortKey::State => SortKey::Updated,
            SortKey::Updated => SortKey::TimeLeft,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::TimeLeft => "time left",
            SortKey::Name => "name",
            SortKey::State => "state",
            SortKey::Updated => "updated",
        }
    }

    /// Whether the usual order puts the largest first (the newest update):
    /// the column's arrow then points down, as `▲` means smallest first everywhere.
    pub fn largest_first(self) -> bool {
        self == SortKey::Updated
    }

    fn compare(self, a: &Row, b: &Row) -> Ordering {
        let by_name = || a.secret.name.cmp(&b.secret.name).then(a.profile.cmp(&b.profile));
        // A secret being created has no state yet: it leads, by name, in every order.
        let being_made = b.placeholder.cmp(&a.placeholder);
        if being_made != Ordering::Equal || a.placeholder {
            return being_made.then_with(by_name);
        }
        match self {
            SortKey::TimeLeft => pending_first(&a.secret, &b.secret).then(a.profile.cmp(&b.profile)),
            SortKey::Name => by_name(),
            // Pending deletions lead, soonest first; then the other states by name.
            SortKey::State => (!a.secret.is_pending_delete())
                .cmp(&!b.secret.is_pending_delete())
                .then_with(|| match a.secret.is_pending_delete() {
                    true => pending_first(&a.secret, &b.secret),
                    false => a.secret.state_label().cmp(b.secret.state_label()),
                })
                .then_with(by_name),
            SortKey::Updated => b.secret.update_time.cmp(&a.secret.update_time).then_with(by_name),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SecretTable {
    rows: Vec<Row>,
    /// Indices into `rows`, sorted: redone when the rows or the sort change.
    sorted: Vec<usize>,
    /// `sorted` less the rows the filter hides: redone when the filter changes too.
    order: Vec<usize>,
    /// The widest name in columns, for the layout: redone when the rows change.
    name_width: usize,
    /// Rows per state label, for the header: redone when the rows change.
    counts: Vec<(String, usize)>,
    /// Position of the selection in `order`.
    selected: usize,
    /// First position of `order` on screen.
    offset: usize,
    sort: SortKey,
    /// The order reversed (`S`).
    reversed: bool,
    /// The filter as typed; its lower-cased words for the text, and the
    /// states asked for with `state:` (split once, not per row).
    filter: String,
    /// A searcher per word, built once per filter (SIMD substring search).
    words: Vec<memchr::memmem::Finder<'static>>,
    states: Vec<String>,
    /// After `~`: the words matched fuzzily against names, best match first.
    fuzzy: Option<String>,
    /// Every row's `search` text end to end, one per line, and where each
    /// begins (plus the end): a word is searched once through all of it
    /// rather than once per row. Redone when the rows change.
    haystack: Vec<u8>,
    starts: Vec<usize>,
}

impl SecretTable {
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// Which way the rows go: `▲` smallest first (A to Z, soonest, oldest), `▼` largest first.
    pub fn arrow(&self) -> &'static str {
        if self.reversed() != self.sort.largest_first() { "▼" } else { "▲" }
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn selected(&self) -> Option<&Row> {
        self.order.get(self.selected).map(|&i| &self.rows[i])
    }

    /// The rows on screen: `height` rows from the scroll offset.
    pub fn visible(&self, height: usize) -> impl Iterator<Item = &Row> {
        self.visible_from(self.offset, height)
    }

    /// `height` rows from position `offset` of the order.
    pub fn visible_from(&self, offset: usize, height: usize) -> impl Iterator<Item = &Row> {
        self.order.iter().skip(offset).take(height).map(|&i| &self.rows[i])
    }

    /// Replaces one profile's rows (the others stay), keeping the selection.
    pub fn replace_profile(&mut self, profile: usize, secrets: Vec<Secret>) {
        let keep = self.selected().map(Row::key);
        // A create under way keeps its row, unless the server now lists the secret.
        self.rows
            .retain(|r| r.profile != profile || (r.placeholder && !secrets.iter().any(|s| s.name == r.secret.name)));
        self.rows.extend(secrets.into_iter().map(|s| Row::new(profile, s)));
        self.rows_changed(keep);
    }

    /// Adds rows to a profile (a page of a first load), keeping the selection.
    pub fn extend_profile(&mut self, profile: usize, secrets: Vec<Secret>) {
        let keep = self.selected().map(Row::key);
        self.rows.extend(secrets.into_iter().map(|s| Row::new(profile, s)));
        self.rows_changed(keep);
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.sorted.clear();
        self.haystack.clear();
        self.starts.clear();
        self.order.clear();
        self.counts.clear();
        self.selected = 0;
        self.offset = 0;
    }

    /// Puts the server's newest word on one secret; false when the row is
    /// not here. The selection stays on the secret it was on, wherever the
    /// re-sort puts it: a key pressed next acts on the secret the user chose.
    pub fn update_secret(&mut self, profile: usize, secret: Secret) -> bool {
        let Some(i) = self.rows.iter().position(|r| r.profile == profile && r.secret.name == secret.name) else {
            return false;
        };
        let keep = self.selected().map(Row::key);
        self.rows[i] = Row::new(profile, secret);
        self.rows_changed(keep);
        true
    }

    /// A row the server just created, selected; an existing row of that name is replaced.
    pub fn insert_secret(&mut self, profile: usize, secret: Secret) {
        let key = (profile, secret.name.clone());
        self.rows.retain(|r| r.key() != key);
        self.rows.push(Row::new(profile, secret));
        self.rows_changed(Some(key));
    }

    /// A row for a secret being created, selected, until the server answers.
    pub fn insert_placeholder(&mut self, profile: usize, name: &str) {
        let key = (profile, name.to_string());
        if self.rows.iter().any(|r| r.key() == key) {
            return;
        }
        self.rows.push(Row { placeholder: true, ..Row::new(profile, Secret::named(name)) });
        self.rows_changed(Some(key));
    }

    /// Drops the row of a create that did not confirm, keeping the selection.
    pub fn remove_placeholder(&mut self, profile: usize, name: &str) {
        let keep = self.selected().map(Row::key);
        self.rows.retain(|r| !(r.placeholder && r.profile == profile && r.secret.name == name));
        self.rows_changed(keep);
    }

    pub fn set_sort(&mut self, sort: SortKey) {
        let keep = self.selected().map(Row::key);
        self.sort = sort;
        self.resort(keep);
    }

    pub fn reversed(&self) -> bool {
        self.reversed
    }

    /// Turns the order around (`S`).
    pub fn reverse(&mut self) {
        let keep = self.selected().map(Row::key);
        self.reversed = !self.reversed;
        self.resort(keep);
    }

    /// Filters on name and description, case-insensitively: every word must
    /// match; `state:pending` (or any state's beginning) keeps that state.
    /// After a leading `~` the words match names fuzzily and the best matches
    /// come first (see `fuzzy`). The selection stays on its row when that row
    /// still matches, else goes to the first match.
    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.order.get(self.selected).copied();
        self.filter = filter.to_string();
        let (fuzzy, text) = match filter.trim_start().strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        let (states, words): (Vec<&str>, Vec<&str>) =
            text.split_whitespace().partition(|w| w.to_lowercase().starts_with("state:"));
        self.states = states.into_iter().map(|w| w["state:".len()..].to_lowercase().replace('-', "_")).collect();
        self.fuzzy = (fuzzy && !words.is_empty()).then(|| words.join(" "));
        self.words = match fuzzy {
            true => Vec::new(),
            false => {
                words.iter().map(|w| memchr::memmem::Finder::new(w.to_lowercase().as_bytes()).into_owned()).collect()
            }
        };
        self.refilter(keep);
    }

    /// Whether the filter ranks by fuzzy match rather than keeping the sort.
    pub fn is_fuzzy(&self) -> bool {
        self.fuzzy.is_some()
    }

    /// What shows where a name matched the filter.
    pub fn highlighter(&self) -> Highlighter {
        match &self.fuzzy {
            Some(words) => Highlighter::Fuzzy(Fuzzy::new(words)),
            None => Highlighter::Words(
                self.filter
                    .split_whitespace()
                    .filter(|w| !w.to_lowercase().starts_with("state:"))
                    .map(|w| w.chars().flat_map(char::to_lowercase).collect())
                    .collect(),
            ),
        }
    }

    pub fn select_first(&mut self) {
        self.selected = 0;
        self.offset = 0;
    }

    /// After the rows changed: count, measure, index for the filter, then sort.
    fn rows_changed(&mut self, keep: Option<RowKey>) {
        let rows = &self.rows;
        self.counts = count_states(rows.iter());
        // As shown: escapes of control characters take room too.
        self.name_width = rows
            .iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(crate::printable::printable(&r.secret.name).as_ref()))
            .max()
            .unwrap_or(0);
        self.haystack.clear();
        self.starts.clear();
        for r in rows {
            self.starts.push(self.haystack.len());
            self.haystack.extend_from_slice(r.search.as_bytes());
            self.haystack.push(b'\n');
        }
        self.starts.push(self.haystack.len());
        self.resort(keep);
    }

    /// After the rows or the sort changed: sort, then filter.
    fn resort(&mut self, keep: Option<RowKey>) {
        let rows = &self.rows;
        let sort = self.sort;
        self.sorted = (0..rows.len()).collect();
        self.sorted.sort_by(|&a, &b| sort.compare(&rows[a], &rows[b]));
        if self.reversed {
            self.sorted.reverse();
        }
        let keep = keep.and_then(|(p, name)| rows.iter().position(|r| r.profile == p && r.secret.name == name));
        self.refilter(keep);
    }

    /// After the filter changed: keeps the sorted rows that match. The
    /// selection stays on row `keep` (an index into `rows`) when it matches.
    fn refilter(&mut self, keep: Option<usize>) {
        let rows = &self.rows;
        let states = &self.states;
        let all_states = states.is_empty();
        self.order = if let Some(words) = &self.fuzzy {
            // Each half of the sorted rows scored by a matcher of its own (a
            // large table in two threads); the halves stay in sorted order.
            let fuzzy = Fuzzy::new(words);
            let score = |part: &[usize]| -> Vec<(u32, usize)> {
                part.iter()
                    .filter(|&&i| all_states || rows[i].in_states(states))
                    .filter_map(|&i| fuzzy.score(&rows[i].secret.name).map(|score| (score, i)))
                    .collect()
            };
            let mut scored = if self.sorted.len() >= PARALLEL_ROWS {
                let (low, high) = self.sorted.split_at(self.sorted.len() / 2);
                let (mut low, high) = std::thread::scope(|s| {
                    let high = s.spawn(|| score(high));
                    (score(low), high.join().expect("filter thread"))
                });
                low.extend(high);
                low
            } else {
                score(&self.sorted)
            };
            // Stable: equal matches keep the sort's order.
            scored.sort_by_key(|&(score, _)| std::cmp::Reverse(score));
            scored.into_iter().map(|(_, i)| i).collect()
        } else if self.words.is_empty() && self.states.is_empty() {
            self.sorted.clone()
        } else {
            // Large tables are searched in two halves at once: the search
            // is most of a filter's cost, and a frame waits for it.
            let n = rows.len();
            let found: Vec<usize> = if n >= PARALLEL_ROWS {
                let (words, haystack, starts) = (&self.words, &self.haystack, &self.starts);
                let (low, high) = std::thread::scope(|s| {
                    let high = s.spawn(|| words_per_row(words, haystack, starts, n / 2..n));
                    (words_per_row(words, haystack, starts, 0..n / 2), high.join().expect("filter thread"))
                });
                [low, high].concat()
            } else {
                words_per_row(&self.words, &self.haystack, &self.starts, 0..n)
            };
            let words = self.words.len();
            self.sorted
                .iter()
                .copied()
                .filter(|&i| found[i] == words && (all_states || rows[i].in_states(states)))
                .collect()
        };
        self.selected = keep
            .and_then(|k| self.order.iter().position(|&i| i == k))
            .unwrap_or(0)
            .min(self.order.len().saturating_sub(1));
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        if self.order.is_empty() {
            return;
        }
        let last = self.order.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_last(&mut self) {
        self.selected = self.order.len().saturating_sub(1);
    }

    /// Scrolls so the selection is on screen, moving as little as possible.
    pub fn scroll_to_selection(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.order.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    /// Rows of the view per state label (not filtered): PENDING_DELETE
    /// first, then by label.
    /// The widest name, in terminal columns.
    pub fn name_width(&self) -> usize {
        self.name_width
    }

    /// Rows per state label, pending deletions first.
    pub fn state_counts(&self) -> &[(String, usize)] {
        &self.counts
    }
}

/// Secrets per state label among `rows`, pending deletions first. The row
/// of a create under way is no secret yet.
pub(crate) fn count_states<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in rows.filter(|r| !r.placeholder) {
        *counts.entry(r.secret.state_label()).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    // Pending deletions lead: they are what this tool is for.
    counts.sort_by_key(|(label, _)| label != "PENDING_DELETE");
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::SecretState;

    fn secret(name: &str, pending_at: Option<i64>) -> Secret {
        Secret {
            state: Some(if pending_at.is_some() { SecretState::PendingDelete } else { SecretState::Enabled }),
            scheduled_delete_time: pending_at,
            description: Some(format!("about {name}")),
            ..Secret::named(name)
        }
    }

    fn names(t: &SecretTable) -> Vec<String> {
        t.visible(100).map(|r| r.secret.name.clone()).collect()
    }

    #[test]
    fn default_order_and_other_sorts() {
        let mut t = SecretTable::default();
        t.replace_profile(
            0,
            vec![secret("b", None), secret("late", Some(900)), secret("a", None), secret("soon", Some(5))],
        );
        assert_eq!(names(&t), ["soon", "late", "a", "b"]);
        t.set_sort(SortKey::Name);
        assert_eq!(names(&t), ["a", "b", "late", "soon"]);
        t.set_sort(SortKey::State);
        assert_eq!(names(&t), ["soon", "late", "a", "b"], "pending first, by time left; then the states");
        t.reverse();
        assert_eq!(names(&t), ["b", "a", "late", "soon"], "S reverses");
        assert!(t.reversed());
    }

    #[test]
    fn every_word_must_match_and_state_words_filter_by_state() {
        let mut t = SecretTable::default();
        t.replace_profile(0, vec![secret("db-prod", Some(5)), secret("db-test", None), secret("api-prod", None)]);
        t.set_filter("db prod");
        assert_eq!(names(&t), ["db-prod"]);
        t.set_filter("prod state:enabled");
        assert_eq!(names(&t), ["api-prod"]);
        t.set_filter("state:pending");
        assert_eq!(names(&t), ["db-prod"]);
        t.set_filter("state:pending-delete db");
        assert_eq!(names(&t), ["db-prod"]);
        t.set_filter("state:frozen");
        assert!(names(&t).is_empty());
    }

    #[test]
    fn a_tilde_filter_matches_names_fuzzily_best_first_and_keeps_state_words() {
        let mut t = SecretTable::default();
        t.replace_profile(
            0,
            vec![
                secret("adobe-pipe", None),
                secret("payments-db-password", Some(5)),
                secret("db-prod", None),
                secret("other", None),
            ],
        );
        t.set_filter("~dbp");
        assert!(t.is_fuzzy());
        assert_eq!(names(&t), ["db-prod", "payments-db-password", "adobe-pipe"], "best match first, not by time left");
        t.set_filter("~dbp state:pending");
        assert_eq!(names(&t), ["payments-db-password"]);
        t.set_filter("~about");
        assert!(t.is_empty(), "descriptions are not matched fuzzily");
        t.set_filter("~ ");
        assert!(!t.is_fuzzy());
        assert_eq!(t.len(), 4, "nothing to match: every row");
        t.set_filter("dbp");
        assert!(!t.is_fuzzy() && t.is_empty(), "without ~ a word is a substring");
    }

    #[test]
    fn a_large_table_filters_alike_in_two_halves() {
        let mut t = SecretTable::default();
        let n = PARALLEL_ROWS + 5;
        t.replace_profile(0, (0..n).map(|i| secret(&format!("s{i:06}"), None)).collect());
        // Rows on both sides of the split, and one word in each half only.
        t.set_filter("about s0100");
        assert_eq!(t.len(), 100);
        let mid = n / 2;
        t.set_filter(&format!("s{:06} about", mid - 1));
        assert_eq!(names(&t), [format!("s{:06}", mid - 1)]);
        t.set_filter(&format!("s{mid:06}"));
        assert_eq!(names(&t), [format!("s{mid:06}")]);
        t.set_filter("about");
        assert_eq!(t.len(), n);
    }

    #[test]
    fn a_large_table_ranks_fuzzily_alike_in_two_halves() {
        let mut t = SecretTable::default();
        let n = PARALLEL_ROWS + 5;
        t.replace_profile(0, (0..n).map(|i| secret(&format!("s{i:06}-{}", i % 7), None)).collect());
        t.set_filter("~s01-3");
        // What one matcher over every row, in the sort's order, ranks.
        let fuzzy = Fuzzy::new("s01-3");
        let mut expected: Vec<(u32, String)> = (0..n)
            .map(|i| format!("s{i:06}-{}", i % 7))
            .filter_map(|name| fuzzy.score(&name).map(|s| (s, name)))
            .collect();
        expected.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
        let expected: Vec<String> = expected.into_iter().map(|(_, name)| name).collect();
        assert_eq!(t.visible(n).map(|r| r.secret.name.clone()).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn fuzzy_ties_keep_the_sort() {
        let mut t = SecretTable::default();
        t.replace_profile(0, vec![secret("x-b", None), secret("x-a", None), secret("x-c", Some(9))]);
        t.set_filter("~x");
        assert_eq!(names(&t), ["x-c", "x-a", "x-b"]);
    }

    #[test]
    fn a_filter_word_never_matches_across_two_rows_or_an_emptied_table() {
        let mut t = SecretTable::default();
        let mut tail = secret("first-ab", None);
        tail.description = Some("ends in x".into());
        t.replace_profile(0, vec![tail, secret("yz-second", None)]);
        t.set_filter("xyz");
        assert!(t.is_empty(), "'x' ends one row, 'yz' begins the next");
        t.set_filter("x");
        assert_eq!(names(&t), ["first-ab"]);
        t.set_filter("abends");
        assert!(t.is_empty(), "nor across a name and its description");
        t.clear();
        t.set_filter("first");
        assert!(t.is_empty());
    }

    #[test]
    fn filter_keeps_selection_or_takes_first_match() {
        let mut t = SecretTable::default();
        t.replace_profile(0, (0..20).map(|i| secret(&format!("s{i:02}"), None)).collect());
        t.move_by(5);
        assert_eq!(t.selected().unwrap().secret.name, "s05");
        t.set_filter("S0");
        assert_eq!(t.selected().unwrap().secret.name, "s05", "still matches: kept");
        assert_eq!(t.filter(), "S0", "shown as typed");
        t.set_filter("s1");
        assert_eq!(t.selected().unwrap().secret.name, "s10", "first match");
        assert_eq!(t.len(), 10);
        t.set_filter("about s19");
        assert_eq!(names(&t), ["s19"], "descriptions match too");
        t.set_filter("");
        assert_eq!(t.len(), 20);
    }

    #[test]
    fn selection_survives_reload_and_state_change() {
        let mut t = SecretTable::default();
        t.replace_profile(0, vec![secret("a", None), secret("p", Some(10)), secret("z", None)]);
        t.move_by(2);
        assert_eq!(t.selected().unwrap().secret.name, "z");
        t.replace_profile(0, vec![secret("a", None), secret("z", None), secret("new", Some(1))]);
        assert_eq!(t.selected().unwrap().secret.name, "z");
        t.select_first();
        assert_eq!(t.selected().unwrap().secret.name, "new");
        assert!(t.update_secret(0, secret("new", None)));
        assert_eq!(names(&t), ["a", "new", "z"]);
        assert_eq!(t.selected().unwrap().secret.name, "new", "the selection followed the row");
        assert_eq!(t.selected_index(), 1);
        assert!(!t.update_secret(1, secret("new", None)), "another profile's secret is not this row");
    }

    #[test]
    fn scrolling_keeps_selection_visible() {
        let mut t = SecretTable::default();
        t.replace_profile(0, (0..100).map(|i| secret(&format!("s{i:03}"), None)).collect());
        t.move_by(30);
        t.scroll_to_selection(10);
        assert_eq!(t.offset(), 21);
        t.move_by(-25);
        t.scroll_to_selection(10);
        assert_eq!(t.offset(), 5);
        t.select_last();
        t.scroll_to_selection(10);
        assert_eq!((t.selected_index(), t.offset()), (99, 90));
        t.move_by(1000);
        assert_eq!(t.selected_index(), 99);
    }
}
