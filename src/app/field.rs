//! The one text field every input of the UI uses: the filter, the `:` line,
//! typed names, tags, descriptions (several lines), masked values and the
//! number fields. Editing is tui-input's (graphemes, words, display widths);
//! this module maps the keys a terminal user expects onto it, keeps the text
//! in a `Redacted` so a masked value never reaches `Debug`, and cuts the
//! visible window around the cursor for the screens.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::csms::Redacted;

#[derive(Clone, PartialEq)]
pub struct TextField {
    text: Redacted,
    /// Characters (code points) before the cursor.
    cursor: usize,
    masked: bool,
    multiline: bool,
    /// The most bytes the field takes: what the service takes there, or for a
    /// line of the UI's own (a filter, a command) more than it ever needs.
    limit: usize,
}

/// What a field holds unless told otherwise: more than any filter, command
/// or profile name, little enough that every keystroke stays instant.
const LINE_LIMIT: usize = 1024;

impl Default for TextField {
    fn default() -> TextField {
        TextField { text: Redacted::default(), cursor: 0, masked: false, multiline: false, limit: LINE_LIMIT }
    }
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: &dyn std::fmt::Debug = if self.masked { &self.text } else { &self.text.expose() };
        f.debug_struct("TextField").field("text", text).field("cursor", &self.cursor).finish()
    }
}

/// What a key did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Not an editing key: the dialog's own keymap gets it.
    Ignored,
    /// The cursor moved (or could not: the key is still the field's).
    Moved,
    Changed,
    /// A typed character did not fit: the text is as it was.
    Full,
}

impl TextField {
    /// A one-line field holding `text`, the cursor at its end.
    pub fn new(text: &str) -> TextField {
        TextField { text: Redacted::new(text), cursor: text.chars().count(), ..TextField::default() }
    }

    /// A field whose text is a secret: drawn as `•`, never shown in `Debug`.
    pub fn masked() -> TextField {
        TextField { masked: true, ..TextField::default() }
    }

    /// A field that takes several lines (Alt-Enter or Ctrl-J starts one).
    pub fn multiline(text: &str) -> TextField {
        TextField { multiline: true, ..TextField::new(text) }
    }

    /// The same field, the cursor after `chars` characters (at most the end).
    pub fn with_cursor(self, chars: usize) -> TextField {
        TextField { cursor: chars.min(self.text.chars()), ..self }
    }

    /// The same field, taking at most `bytes` bytes.
    pub fn with_limit(self, bytes: usize) -> TextField {
        TextField { limit: bytes, ..self }
    }

    /// Why a character or a paste was refused: the field is full.
    pub fn full(&self) -> String {
        format!("this field holds at most {} bytes", self.limit)
    }

    /// The text of a field that is not masked.
    pub fn text(&self) -> &str {
        debug_assert!(!self.masked, "a masked field's text leaves only as a Redacted");
        self.text.expose()
    }

    /// The text, still redacted: what leaves a masked field.
    pub fn secret(&self) -> &Redacted {
        &self.text
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text (a generated value, a recalled command), the cursor at its end.
    pub fn set(&mut self, text: Redacted) {
        self.cursor = text.chars();
        self.text = text;
    }

    /// Inserts a paste at the cursor, in one pass. Terminals send a paste's
    /// line breaks as CR: CR, LF and CRLF are each one break, a newline in a
    /// field of several lines or a value, a space in a one-line field.
    /// A paste that does not fit is refused whole, with why: a value cut
    /// short would be stored wrong.
    pub fn insert(&mut self, pasted: &str) -> Result<(), String> {
        let pasted = self.line_breaks(pasted);
        let text = self.text.expose();
        if text.len() + pasted.len() > self.limit {
            return Err(self.full());
        }
        let at = text.char_indices().nth(self.cursor).map_or(text.len(), |(i, _)| i);
        let mut joined = String::with_capacity(text.len() + pasted.len());
        joined.push_str(&text[..at]);
        joined.push_str(&pasted);
        joined.push_str(&text[at..]);
        self.cursor += pasted.chars().count();
        self.text = Redacted::new(joined);
        Ok(())
    }

    /// A paste's line breaks as this field takes them.
    fn line_breaks(&self, pasted: &str) -> String {
        let newline = if self.multiline || self.masked { "\n" } else { " " };
        pasted.replace("\r\n", "\n").replace('\r', "\n").replace('\n', newline)
    }

    /// Edits or moves by the key, readline's way; says what it did.
    pub fn on_key(&mut self, key: &KeyEvent) -> Edit {
        let Some(req) = self.request(key) else { return Edit::Ignored };
        if let Request::Input(InputRequest::InsertChar(c)) = req
            && self.text.expose().len() + c.len_utf8() > self.limit
        {
            return Edit::Full;
        }
        let before = self.text.clone();
        match req {
            Request::Input(r) => {
                self.apply(r);
            }
            Request::Cursor(at) => self.cursor = at,
            Request::Cut(from, to) => self.cut(from, to),
        }
        if self.text == before { Edit::Moved } else { Edit::Changed }
    }

    fn request(&self, key: &KeyEvent) -> Option<Request> {
        use InputRequest::*;
        use KeyCode::{Backspace, Char, Delete, Down, End, Enter, Home, Left, Right, Up};
        let (ctrl, alt) = (key.modifiers.contains(KeyModifiers::CONTROL), key.modifiers.contains(KeyModifiers::ALT));
        let (start, end) = self.line_bounds();
        let input = match key.code {
            Enter | Char('j') if self.multiline && (alt || (ctrl && key.code == Char('j'))) => InsertChar('\n'),
            Left if ctrl || alt => GoToPrevWord,
            Right if ctrl || alt => return Some(Request::Cursor(self.word_end())),
            Char('b') if alt => GoToPrevWord,
            Char('f') if alt => return Some(Request::Cursor(self.word_end())),
            Left => GoToPrevChar,
            Right => GoToNextChar,
            Home => return Some(Request::Cursor(start)),
            End => return Some(Request::Cursor(end)),
            Char('a') if ctrl => return Some(Request::Cursor(start)),
            Char('e') if ctrl => return Some(Request::Cursor(end)),
            Up | Down if self.multiline => return self.vertical(key.code == Up).map(Request::Cursor),
            Backspace if alt || ctrl => DeletePrevWord,
            Backspace => DeletePrevChar,
            Char('h') if ctrl => DeletePrevChar,
            Delete if ctrl => return Some(Request::Cut(self.cursor, self.word_end())),
            Delete => DeleteNextChar,
            Char('d') if ctrl => DeleteNextChar,
            Char('w') if ctrl => DeletePrevWord,
            Char('d') if alt => return Some(Request::Cut(self.cursor, self.word_end())),
            Char('u') if ctrl => return Some(Request::Cut(start, self.cursor)),
            Char('k') if ctrl => return Some(Request::Cut(self.cursor, end)),
            Char(c) if !ctrl && !alt => InsertChar(c),
            _ => return None,
        };
        // A masked value is one word: stopping at its word breaks would show where they are.
        Some(match input {
            GoToPrevWord if self.masked => Request::Cursor(start),
            DeletePrevWord if self.masked => Request::Cut(start, self.cursor),
            input => Request::Input(input),
        })
    }

    fn apply(&mut self, req: InputRequest) {
        let mut input = Input::new(self.text.expose().to_string()).with_cursor(self.cursor);
        input.handle(req);
        self.cursor = input.cursor();
        self.text = Redacted::new(input.value());
    }

    /// Removes the characters `from..to`; the cursor lands at `from`.
    fn cut(&mut self, from: usize, to: usize) {
        let kept: String =
            self.text.expose().chars().enumerate().filter(|(i, _)| *i < from || *i >= to).map(|(_, c)| c).collect();
        self.text = Redacted::new(kept);
        self.cursor = from;
    }

    /// Where the word at or after the cursor ends, in characters, as
    /// readline's Alt-F and Alt-D see it: past any non-word graphemes, then
    /// past the word's letters and digits. A masked value is one word.
    fn word_end(&self) -> usize {
        if self.masked {
            return self.line_bounds().1;
        }
        let text = self.text.expose();
        let at = text.char_indices().nth(self.cursor).map_or(text.len(), |(i, _)| i);
        let is_word = |g: &&str| g.chars().next().is_some_and(char::is_alphanumeric);
        let mut graphemes = text[at..].graphemes(true).peekable();
        let mut end = self.cursor;
        while let Some(g) = graphemes.next_if(|g| !is_word(g)) {
            end += g.chars().count();
        }
        while let Some(g) = graphemes.next_if(is_word) {
            end += g.chars().count();
        }
        end
    }

    /// The line the cursor is on, in characters: Home, End, Ctrl-U and Ctrl-K
    /// stay on it. A CRLF is one line break: the line ends before its CR.
    fn line_bounds(&self) -> (usize, usize) {
        let chars: Vec<char> = self.text.expose().chars().collect();
        let start = chars[..self.cursor].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
        (start, line_end(&chars, self.cursor))
    }

    /// The cursor one line up or down, at the same column as far as that line goes.
    fn vertical(&self, up: bool) -> Option<usize> {
        let (start, end) = self.line_bounds();
        let column = self.cursor - start;
        let chars: Vec<char> = self.text.expose().chars().collect();
        let (from, to) = if up {
            let prev_break = start.checked_sub(1)?;
            let prev_start = chars[..prev_break].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
            (prev_start, line_end(&chars, prev_start))
        } else {
            let next_break = chars[end..].iter().position(|c| *c == '\n')?;
            let next_start = end + next_break + 1;
            (next_start, line_end(&chars, next_start))
        };
        Some(from + column.min(to - from))
    }

    /// The field's lines as drawn `width` columns wide: each `(before, at, after)`
    /// around the cursor (`at` is the grapheme under it, empty at a line's end;
    /// `None` on the lines without the cursor, which have it all in `before`). The window scrolls
    /// sideways to keep the cursor in view; a masked field shows `•` per grapheme.
    pub fn window(&self, width: usize) -> Vec<(String, Option<String>, String)> {
        let (lines, (line, column)) = self.units();
        let left: usize = lines[line][..column].iter().map(|g| g.width()).sum();
        // One column stays free for the cursor at the end of the line.
        let scroll = (left + 1).saturating_sub(width.max(1));
        let mut out = Vec::new();
        for (i, units) in lines.iter().enumerate() {
            let visible = skip_columns(units, scroll);
            if i != line {
                out.push((take_columns(visible, width), None, String::new()));
                continue;
            }
            let k = column - (units.len() - visible.len());
            let before = visible[..k].concat();
            let at = visible.get(k).cloned().unwrap_or_default();
            let room = width.saturating_sub(before.width() + at.width().max(1));
            let after = take_columns(visible.get(k + 1..).unwrap_or_default(), room);
            out.push((before, Some(at), after));
        }
        out
    }

    /// The text as drawn, one unit per grapheme and one list per line, and
    /// the cursor's (line, unit). Control characters show escaped, as
    /// everywhere on screen.
    fn units(&self) -> (Vec<Vec<String>>, (usize, usize)) {
        let mut lines: Vec<Vec<String>> = vec![vec![]];
        let (mut seen, mut at) = (0, None);
        for g in self.text.expose().graphemes(true) {
            if at.is_none() && seen >= self.cursor {
                at = Some((lines.len() - 1, lines.last().map_or(0, Vec::len)));
            }
            seen += g.chars().count();
            let last = lines.last_mut().expect("one line at least");
            match g {
                "\n" | "\r\n" if self.multiline => lines.push(vec![]),
                _ if self.masked => last.push("•".into()),
                _ => last.push(crate::printable::printable(g).into_owned()),
            }
        }
        let end = (lines.len() - 1, lines.last().map_or(0, Vec::len));
        (lines, at.unwrap_or(end))
    }
}

/// Where the line holding character `from` ends: at its LF, or at the CR of its CRLF.
fn line_end(chars: &[char], from: usize) -> usize {
    match chars[from..].iter().position(|c| *c == '\n') {
        Some(i) if i > 0 && chars[from + i - 1] == '\r' => from + i - 1,
        Some(i) => from + i,
        None => chars.len(),
    }
}

/// The graphemes after the first `columns` display columns.
fn skip_columns(line: &[String], columns: usize) -> &[String] {
    let mut used = 0;
    let start = line.iter().position(|g| {
        let past = used >= columns;
        used += g.width();
        past
    });
    &line[start.unwrap_or(line.len())..]
}

/// As many graphemes as fit in `columns`.
fn take_columns(line: &[String], columns: usize) -> String {
    let mut used = 0;
    line.iter()
        .take_while(|g| {
            used += g.width();
            used <= columns
        })
        .map(String::as_str)
        .collect()
}

enum Request {
    Input(InputRequest),
    Cursor(usize),
    /// Delete the characters in this range.
    Cut(usize, usize),
}

/// A whole number typed as digits, within `min..=max`: the generator's
/// length, the recovery window. What is typed stays as typed; a number out
/// of range is said, never replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberField {
    pub field: TextField,
    pub min: u32,
    pub max: u32,
}

impl NumberField {
    pub fn new(value: u32, min: u32, max: u32) -> NumberField {
        NumberField { field: TextField::new(&value.to_string()), min, max }
    }

    /// The number, or why the text is not one in range.
    pub fn value(&self) -> Result<u32, String> {
        let (text, min, max) = (self.field.text(), self.min, self.max);
        match text.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(format!("{text} is out of range: {min} to {max}")),
            Err(_) if text.is_empty() => Err(format!("type a number from {min} to {max}")),
            Err(_) => Err(format!("{text} is not a number from {min} to {max}")),
        }
    }

    /// One up or down from the number typed (from the nearest end when out of range).
    pub fn step(&mut self, up: bool) {
        let n = self.field.text().parse::<u32>().unwrap_or(self.min);
        let n = if up { n.saturating_add(1) } else { n.saturating_sub(1) };
        self.field.set(Redacted::new(n.clamp(self.min, self.max).to_string()));
    }

    /// Digits and the editing keys; any other character is refused with why.
    pub fn on_key(&mut self, key: &KeyEvent) -> Result<Edit, String> {
        match key.code {
            KeyCode::Char(c) if !c.is_ascii_digit() && key.modifiers.difference(KeyModifiers::SHIFT).is_empty() => {
                Err(format!("digits only: {} to {}", self.min, self.max))
            }
            KeyCode::Char(_)
                if self.field.text().len() >= self.max.to_string().len()
                    && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Err(format!("at most {} digits: {} to {}", self.max.to_string().len(), self.min, self.max))
            }
            _ => Ok(self.field.on_key(key)),
        }
    }
}

#[cfg(test)]
mod tests;
