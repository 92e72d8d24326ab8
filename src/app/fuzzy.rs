//! Fuzzy matching of secret names, for a filter that begins with `~`.
//!
//! Scoring and syntax are fzf's, by nucleo: the characters of each word must
//! appear in the name in order, word starts and runs score higher, smart case
//! (an upper-case letter makes the word case-sensitive), and `^`, `$`, `'`, `!`
//! as in fzf. Only the name is matched: a loose match spread over a name and
//! its description is noise, not a find.

use std::cell::RefCell;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A parsed fuzzy filter; cheap to make (a frame makes one to highlight).
pub struct Fuzzy {
    pattern: Pattern,
}

thread_local! {
    /// One matcher per thread, reused by every filter and frame: a matcher
    /// holds a scratch allocation of about 135 KB. With the text buffer.
    static MATCHER: RefCell<(Matcher, Vec<char>)> = RefCell::new({
        let mut config = Config::DEFAULT;
        // Secret names are often `team-app-thing`: a match at the start means more.
        config.prefer_prefix = true;
        (Matcher::new(config), Vec::new())
    });
}

impl Fuzzy {
    pub fn new(words: &str) -> Fuzzy {
        Fuzzy { pattern: Pattern::parse(words, CaseMatching::Smart, Normalization::Smart) }
    }

    /// How well `name` matches (higher is better); None when it does not.
    pub fn score(&self, name: &str) -> Option<u32> {
        MATCHER.with_borrow_mut(|(matcher, buf)| self.pattern.score(utf32(name, buf), matcher))
    }

    /// Which characters of `text` the match uses, by char index; empty when
    /// it does not match.
    pub fn matched_chars(&self, text: &str) -> Vec<usize> {
        let mut at = Vec::new();
        let matched =
            MATCHER.with_borrow_mut(|(matcher, buf)| self.pattern.indices(utf32(text, buf), matcher, &mut at));
        match matched {
            Some(_) => {
                at.sort_unstable();
                at.dedup();
                at.into_iter().map(|i| i as usize).collect()
            }
            None => Vec::new(),
        }
    }
}

/// `text` as the matcher reads it, one char per `char`: so the indices it
/// gives back are char indices (its own conversion folds grapheme clusters,
/// which would shift them against the text drawn).
fn utf32<'a>(text: &'a str, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
    if text.is_ascii() {
        Utf32Str::Ascii(text.as_bytes())
    } else {
        buf.clear();
        buf.extend(text.chars());
        Utf32Str::Unicode(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_in_order_match_and_word_starts_score_higher() {
        let f = Fuzzy::new("pdbpw");
        assert!(f.score("payments-db-password").is_some());
        assert!(f.score("db-payments").is_none(), "out of order");
        let f = Fuzzy::new("dbp");
        let starts = f.score("db-prod").unwrap();
        let scattered = f.score("adobe-pipe").unwrap();
        assert!(starts > scattered, "{starts} vs {scattered}");
    }

    #[test]
    fn every_word_must_match_and_smart_case_applies() {
        let f = Fuzzy::new("pay pw");
        assert!(f.score("payments-db-password").is_some());
        assert!(f.score("payments-db").is_none());
        assert!(Fuzzy::new("DB").score("payments-db").is_none(), "upper case is case-sensitive");
        assert!(Fuzzy::new("db").score("PAYMENTS-DB").is_some());
    }

    #[test]
    fn matched_characters_are_the_ones_used() {
        let f = Fuzzy::new("pdb");
        assert_eq!(f.matched_chars("pay-db"), [0, 4, 5]);
        assert!(f.matched_chars("nothing").is_empty());
        // A combining accent is a char of its own: the indices still count chars.
        assert_eq!(Fuzzy::new("cb").matched_chars("cafe\u{301}-b"), [0, 6]);
    }
}
