//! Text from a server or a config file, made safe to print on a terminal.
//!
//! A secret's description is whatever someone typed into the console or the
//! API: an ESC in it could retitle the window, clear the screen or write the
//! clipboard (OSC 52); CR, BS and newlines break rows; bidi overrides make a
//! name read differently from what it is. Such characters are shown as
//! `\u{1b}`, never sent. JSON output does not go through here: serde escapes
//! control characters, and scripts must get the exact text.

use std::borrow::Cow;
// `write!` into a String, which cannot fail.
use std::fmt::Write as _;

/// C0 and C1 controls, DEL, and every format character (Unicode's category
/// Cf: the bidi embeddings, overrides, isolates and direction marks that
/// reorder text, zero-width spaces and joiners, the byte order mark), and the
/// line and paragraph separators (Zl, Zp). Terminals disagree on how wide,
/// if at all, they draw these, so they would shift a row's border or break
/// it; written as `\u{..}` they take the columns they are counted at.
pub fn is_unsafe(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::GeneralCategory;
    c.is_control()
        || (!c.is_ascii()
            && matches!(
                CodePointMapData::<GeneralCategory>::new().get(c),
                GeneralCategory::Format | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
            ))
}

/// `text` with every unsafe character written as `\u{..}`; borrowed when
/// there is none (the common case costs no allocation).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` terminal columns, ending with `…` when cut.
pub fn fit(text: &str, max: usize) -> Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= max {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    if max > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(printable("plain ü 测试"), "plain ü 测试");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(printable("x\r\ny\u{8}\u{0}\u{7f}"), "x\\u{d}\\u{a}y\\u{8}\\u{0}\\u{7f}");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m", "C1 CSI");
        assert_eq!(printable("abc\u{202e}fdp.exe\u{2066}"), "abc\\u{202e}fdp.exe\\u{2066}");
        assert_eq!(printable("a\u{200f}b\u{200e}c\u{61c}d"), "a\\u{200f}b\\u{200e}c\\u{61c}d", "direction marks");
    }

    #[test]
    fn invisible_characters_and_line_separators_become_visible() {
        assert_eq!(printable("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c", "Zl and Zp");
        assert_eq!(printable("\u{feff}x\u{200b}y\u{2060}z\u{ad}"), "\\u{feff}x\\u{200b}y\\u{2060}z\\u{ad}", "Cf");
        assert_eq!(printable("flag\u{e0067}"), "flag\\u{e0067}", "a tag character is Cf too");
        assert_eq!(printable("e\u{301} 日本 ü"), "e\u{301} 日本 ü", "marks and letters stay");
    }

    #[test]
    fn fitting_cuts_with_an_ellipsis_by_display_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("测试测试", 5), "测试…");
        assert_eq!(fit("e\u{301}tude", 5), "e\u{301}tude", "a combining accent takes no column");
    }
}
