use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn plain(code: KeyCode) -> KeyEvent {
    key(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    key(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn alt(c: char) -> KeyEvent {
    key(KeyCode::Char(c), KeyModifiers::ALT)
}

fn typed(field: &mut TextField, text: &str) {
    for c in text.chars() {
        field.on_key(&plain(KeyCode::Char(c)));
    }
}

/// The text with `|` where the cursor is.
fn shown(field: &TextField) -> String {
    let mut s: String = field.text().to_string();
    let byte = s.char_indices().nth(field.cursor()).map_or(s.len(), |(i, _)| i);
    s.insert(byte, '|');
    s
}

#[test]
fn moves_by_character_word_and_line_end() {
    let mut f = TextField::new("payments db password");
    f.on_key(&plain(KeyCode::Home));
    assert_eq!(shown(&f), "|payments db password");
    f.on_key(&plain(KeyCode::Right));
    assert_eq!(shown(&f), "p|ayments db password");
    f.on_key(&alt('f'));
    assert_eq!(shown(&f), "payments| db password", "Alt-F ends the word, as readline's");
    f.on_key(&key(KeyCode::Right, KeyModifiers::CONTROL));
    assert_eq!(shown(&f), "payments db| password");
    f.on_key(&key(KeyCode::Left, KeyModifiers::CONTROL));
    assert_eq!(shown(&f), "payments |db password");
    f.on_key(&alt('b'));
    assert_eq!(shown(&f), "|payments db password");
    f.on_key(&ctrl('e'));
    assert_eq!(shown(&f), "payments db password|");
    f.on_key(&ctrl('a'));
    assert_eq!(shown(&f), "|payments db password");
    f.on_key(&plain(KeyCode::End));
    f.on_key(&plain(KeyCode::Left));
    assert_eq!(shown(&f), "payments db passwor|d");
}

#[test]
fn deletes_by_character_word_and_to_either_end() {
    let mut f = TextField::new("one two three four");
    f.on_key(&ctrl('w'));
    assert_eq!(shown(&f), "one two three |");
    f.on_key(&ctrl('a'));
    f.on_key(&alt('d'));
    assert_eq!(shown(&f), "| two three ", "Alt-D deletes to the word's end, as readline's");
    f.on_key(&plain(KeyCode::Delete));
    assert_eq!(shown(&f), "|two three ");
    f.on_key(&ctrl('d'));
    assert_eq!(shown(&f), "|wo three ");
    f.on_key(&alt('f'));
    assert_eq!(shown(&f), "wo| three ");
    f.on_key(&alt('d'));
    assert_eq!(shown(&f), "wo| ", "from between words, to the end of the next one");
    f.on_key(&ctrl('k'));
    assert_eq!(shown(&f), "wo|");
    f.on_key(&plain(KeyCode::Backspace));
    assert_eq!(shown(&f), "w|");
    f.on_key(&plain(KeyCode::Backspace));
    typed(&mut f, "o");
    typed(&mut f, "rd");
    f.on_key(&plain(KeyCode::Left));
    f.on_key(&ctrl('u'));
    assert_eq!(shown(&f), "|d");
    assert_eq!(f.text(), "d");
}

#[test]
fn inserts_and_pastes_at_the_cursor() {
    let mut f = TextField::new("db-password");
    f.on_key(&ctrl('a'));
    typed(&mut f, "pay-");
    assert_eq!(shown(&f), "pay-|db-password");
    f.insert("ments\n").unwrap();
    assert_eq!(shown(&f), "pay-ments |db-password", "a one-line field takes a line break as a space");
}

/// Terminals send a paste's line breaks as CR (tmux, xterm, VTE).
#[test]
fn a_pasted_cr_or_crlf_is_a_line_break() {
    let mut f = TextField::multiline("");
    f.insert("first\rsecond\r\nthird\nfourth").unwrap();
    assert_eq!(shown(&f), "first\nsecond\nthird\nfourth|");
    let mut f = TextField::masked();
    f.insert("-----BEGIN KEY-----\rMIIB\r-----END KEY-----\r").unwrap();
    assert_eq!(f.secret().expose(), "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n", "a value keeps its lines");
    let mut f = TextField::new("");
    f.insert("a\rb\r\nc").unwrap();
    assert_eq!(shown(&f), "a b c|");
}

#[test]
fn a_paste_that_does_not_fit_is_refused_whole() {
    let mut f = TextField::masked().with_limit(32 * 1024);
    f.insert("ab").unwrap();
    f.on_key(&plain(KeyCode::Left));
    assert_eq!(f.insert(&"x".repeat(32 * 1024 - 1)), Err("this field holds at most 32768 bytes".to_string()));
    assert_eq!(f.secret().expose(), "ab", "nothing of it is taken");
    f.insert(&"x".repeat(32 * 1024 - 2)).unwrap();
    assert_eq!(f.secret().expose().len(), 32 * 1024);
    assert!(f.secret().expose().starts_with("axx") && f.secret().expose().ends_with("xb"), "at the cursor");
    assert_eq!(f.cursor(), 32 * 1024 - 1);
    assert_eq!(f.on_key(&plain(KeyCode::Char('y'))), Edit::Full, "a typed character neither");
    assert_eq!(f.secret().expose().len(), 32 * 1024);
    let mut line = TextField::default();
    assert!(line.insert(&"a".repeat(100_000)).is_err(), "a one-line field is bounded too");
    assert!(line.is_empty());
}

/// A CRLF (a description written elsewhere) is one line break: the cursor
/// never lands between its CR and LF, and the text keeps it as it was.
#[test]
fn a_crlf_is_one_line_break() {
    let mut f = TextField::multiline("ab\r\ncd");
    f.on_key(&plain(KeyCode::Up));
    f.on_key(&plain(KeyCode::End));
    assert_eq!(shown(&f), "ab|\r\ncd");
    typed(&mut f, "X");
    assert_eq!(shown(&f), "abX|\r\ncd");
    f.on_key(&plain(KeyCode::Down));
    assert_eq!(shown(&f), "abX\r\ncd|");
    f.on_key(&plain(KeyCode::Home));
    f.on_key(&plain(KeyCode::Left));
    assert_eq!(shown(&f), "abX|\r\ncd", "left of a line's start is the end of the line above");
    f.on_key(&ctrl('k'));
    assert_eq!(shown(&f), "abX|\r\ncd", "Ctrl-K at a line's end keeps the break");
    f.on_key(&plain(KeyCode::Down));
    assert_eq!(shown(&f), "abX\r\ncd|");
    f.on_key(&plain(KeyCode::Up));
    assert_eq!(shown(&f), "ab|X\r\ncd", "the same column, counted from the line's start");
}

#[test]
fn wide_characters_and_combining_marks_move_as_one() {
    let mut f = TextField::new("日本e\u{301}x");
    f.on_key(&plain(KeyCode::Left));
    f.on_key(&plain(KeyCode::Left));
    assert_eq!(shown(&f), "日本|e\u{301}x", "e and its accent are one step");
    f.on_key(&plain(KeyCode::Backspace));
    assert_eq!(shown(&f), "日|e\u{301}x");
    // 日 is two columns wide: the cursor's grapheme is drawn after it.
    assert_eq!(f.window(10), vec![("日".into(), Some("e\u{301}".into()), "x".into())]);
}

#[test]
fn the_window_scrolls_with_the_cursor() {
    let f = TextField::new("abcdefghij");
    // The cursor at the end keeps a free column.
    assert_eq!(f.window(5), vec![("ghij".into(), Some(String::new()), String::new())]);
    let mut f = TextField::new("abcdefghij");
    f.on_key(&plain(KeyCode::Home));
    assert_eq!(f.window(5), vec![(String::new(), Some("a".into()), "bcde".into())]);
}

#[test]
fn a_masked_field_edits_like_any_other_and_never_shows_its_text() {
    let mut f = TextField::masked();
    for c in "s3cret".chars() {
        f.on_key(&plain(KeyCode::Char(c)));
    }
    f.on_key(&plain(KeyCode::Home));
    f.on_key(&plain(KeyCode::Delete));
    f.on_key(&ctrl('e'));
    f.on_key(&ctrl('w'));
    f.insert("xy").unwrap();
    f.on_key(&plain(KeyCode::Left));
    assert_eq!(f.secret().expose(), "xy");
    assert!(!format!("{f:?}").contains("xy"), "{f:?}");
    assert_eq!(f.window(10), vec![("•".into(), Some("•".into()), String::new())]);
    let mut f = TextField::masked();
    f.insert("3cret").unwrap();
    assert!(!format!("{f:?}").contains("3cret"));
    assert_eq!(f.window(3), vec![("••".into(), Some(String::new()), String::new())]);
}

#[test]
fn a_masked_field_moves_and_deletes_by_word_as_by_line_ends() {
    let alt = |c: char| key(KeyCode::Char(c), KeyModifiers::ALT);
    let mut f = TextField::masked();
    f.insert("ab-cd ef").unwrap();
    f.on_key(&alt('b'));
    assert_eq!(f.cursor(), 0, "one word: its breaks stay hidden");
    f.on_key(&key(KeyCode::Right, KeyModifiers::CONTROL));
    assert_eq!(f.cursor(), 8);
    f.on_key(&plain(KeyCode::Left));
    f.on_key(&ctrl('w'));
    assert_eq!((f.secret().expose(), f.cursor()), ("f", 0));
    f.insert("ab-cd").unwrap();
    f.on_key(&plain(KeyCode::Home));
    f.on_key(&alt('d'));
    assert_eq!(f.secret().expose(), "");
}

#[test]
fn several_lines_take_a_new_line_and_move_between_lines() {
    let mut f = TextField::multiline("first");
    f.on_key(&key(KeyCode::Enter, KeyModifiers::ALT));
    typed(&mut f, "second line");
    f.on_key(&ctrl('j'));
    typed(&mut f, "x");
    assert_eq!(shown(&f), "first\nsecond line\nx|");
    f.on_key(&plain(KeyCode::Up));
    assert_eq!(shown(&f), "first\ns|econd line\nx");
    f.on_key(&plain(KeyCode::End));
    assert_eq!(shown(&f), "first\nsecond line|\nx", "End stays on the line");
    f.on_key(&plain(KeyCode::Up));
    assert_eq!(shown(&f), "first|\nsecond line\nx");
    f.on_key(&ctrl('u'));
    assert_eq!(shown(&f), "|\nsecond line\nx", "Ctrl-U stays on the line");
    assert_eq!(f.on_key(&plain(KeyCode::Up)), Edit::Ignored, "no line above: the dialog's");
    let window = f.window(20);
    assert_eq!(window.len(), 3);
    assert_eq!(window[1], ("second line".into(), None, String::new()));
    // A one-line field leaves Enter to its dialog.
    assert_eq!(TextField::new("a").on_key(&key(KeyCode::Enter, KeyModifiers::ALT)), Edit::Ignored);
}

#[test]
fn keys_that_are_not_editing_are_left_to_the_dialog() {
    let mut f = TextField::new("a");
    for k in [plain(KeyCode::Enter), plain(KeyCode::Esc), plain(KeyCode::Tab), ctrl('g'), plain(KeyCode::Up)] {
        assert_eq!(f.on_key(&k), Edit::Ignored, "{k:?}");
    }
}

#[test]
fn numbers_take_digits_and_say_when_out_of_range() {
    let mut n = NumberField::new(30, 7, 30);
    n.on_key(&plain(KeyCode::Backspace)).unwrap();
    n.on_key(&plain(KeyCode::Backspace)).unwrap();
    n.on_key(&plain(KeyCode::Char('5'))).unwrap();
    assert_eq!(n.value(), Err("5 is out of range: 7 to 30".to_string()));
    assert!(n.on_key(&plain(KeyCode::Char('x'))).is_err());
    n.on_key(&plain(KeyCode::Char('0'))).unwrap();
    assert!(n.on_key(&plain(KeyCode::Char('0'))).is_err(), "three digits are more than 30 takes");
    n.on_key(&plain(KeyCode::Backspace)).unwrap();
    n.on_key(&plain(KeyCode::Backspace)).unwrap();
    n.on_key(&plain(KeyCode::Char('9'))).unwrap();
    assert_eq!(n.value(), Ok(9));
    n.step(true);
    assert_eq!(n.value(), Ok(10));
}
