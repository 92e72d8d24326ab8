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

#[derive(Clone, Default, PartialEq)]
pub struct TextField {
    text: Redacted,
    /// Characters (code points) before the cursor.
    cursor: usize,
    masked: bool,
    multiline: bool,
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

    /// Inserts at the cursor (a paste); a one-line field takes line breaks as spaces.
    pub fn insert(&mut self, s: &str) {
        for c in s.chars().filter(|c| *c != '\r') {
            let c = if c == '\n' && !self.multiline { ' ' } else { c };
            self.apply(InputRequest::InsertChar(c));
        }
    }

    /// Edits or moves by the key, readline's way; says what it did.
    pub fn on_key(&mut self, key: &KeyEvent) -> Edit {
        let Some(req) = self.request(key) else { return Edit::Ignored };
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
            Right if ctrl || alt => GoToNextWord,
            Char('b') if alt => GoToPrevWord,
            Char('f') if alt => GoToNextWord,
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
            Delete if ctrl => DeleteNextWord,
            Delete => DeleteNextChar,
            Char('d') if ctrl => DeleteNextChar,
            Char('w') if ctrl => DeletePrevWord,
            Char('d') if alt => DeleteNextWord,
            Char('u') if ctrl => return Some(Request::Cut(start, self.cursor)),
            Char('k') if ctrl => return Some(Request::Cut(self.cursor, end)),
            Char(c) if !ctrl && !alt => InsertChar(c),
            _ => return None,
        };
        // A masked value is one word: stopping at its word breaks would show where they are.
        Some(match input {
            GoToPrevWord if self.masked => Request::Cursor(start),
            GoToNextWord if self.masked => Request::Cursor(end),
            DeletePrevWord if self.masked => Request::Cut(start, self.cursor),
            DeleteNextWord if self.masked => Request::Cut(self.cursor, end),
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

    /// The line the cursor is on, in characters: Home, End, Ctrl-U and Ctrl-K stay on it.
    fn line_bounds(&self) -> (usize, usize) {
        let chars: Vec<char> = self.text.expose().chars().collect();
        let start = chars[..self.cursor].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
        let end = chars[self.cursor..].iter().position(|c| *c == '\n').map_or(chars.len(), |i| self.cursor + i);
        (start, end)
    }

    /// The cursor one line up or down, at the same column as far as that line goes.
    fn vertical(&self, up: bool) -> Option<usize> {
        let (start, end) = self.line_bounds();
        let column = self.cursor - start;
        let chars: Vec<char> = self.text.expose().chars().collect();
        let (from, to) = if up {
            let prev_end = start.checked_sub(1)?;
            let prev_start = chars[..prev_end].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
            (prev_start, prev_end)
        } else {
            let next_start = (end < chars.len()).then_some(end + 1)?;
            let next_end = chars[next_start..].iter().position(|c| *c == '\n').map_or(chars.len(), |i| next_start + i);
            (next_start, next_end)
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
