//! Every key the UI answers to, per mode. Input handling looks actions up
//! here and the help screen and footer are generated from the same tables,
//! so they cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Filter,
    Command,
    Complete,
    Details,
    Refresh,
    PickProfile,
    AllProfiles,
    CancelDeletion,
    Mark,
    ScheduleDeletion,
    Sort,
    Help,
    Quit,
    /// Closes a dialog, or clears the filter and marks.
    Back,
    Confirm,
    Apply,
    Reveal,
    MoreDays,
    FewerDays,
    NewSecret,
    NewValue,
    EditDescription,
    Tags,
    Copy,
    History,
    NextField,
    PreviousField,
    Generate,
    Increase,
    Decrease,
    Toggle,
    Rollback,
    ReverseSort,
    CopyValue,
    CopyName,
    CopyId,
    AddTag,
    RemoveTag,
    NewLine,
}

#[derive(Debug, Clone, Copy)]
pub enum Key {
    Char(char),
    Code(KeyCode),
    Ctrl(char),
}

impl Key {
    fn matches(&self, ev: &KeyEvent) -> bool {
        match *self {
            Key::Char(c) => ev.code == KeyCode::Char(c) && !ev.modifiers.contains(KeyModifiers::CONTROL),
            Key::Code(code) => ev.code == code,
            Key::Ctrl(c) => ev.code == KeyCode::Char(c) && ev.modifiers.contains(KeyModifiers::CONTROL),
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys read in help and footer.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// The footer's short name, for the most used ones.
    pub footer: Option<&'static str>,
}

const fn b(
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    help: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding { keys, label, action, help, footer }
}

use Key::{Char, Code, Ctrl};

pub const TABLE: &[Binding] = &[
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "next secret", None),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "previous secret", None),
    b(&[Char('g'), Code(KeyCode::Home)], "g/Home", Action::Top, "first secret", None),
    b(&[Char('G'), Code(KeyCode::End)], "G/End", Action::Bottom, "last secret", None),
    b(&[Code(KeyCode::PageDown), Ctrl('f')], "PgDn/^f", Action::PageDown, "page down", None),
    b(&[Code(KeyCode::PageUp), Ctrl('b')], "PgUp/^b", Action::PageUp, "page up", None),
    b(&[Char('c')], "c", Action::CancelDeletion, "cancel the deletion (selected or marked)", Some("cancel")),
    b(
        &[Char(' ')],
        "space",
        Action::Mark,
        "mark / unmark a pending secret for bulk cancel, then move down",
        Some("mark"),
    ),
    b(&[Char('d')], "d", Action::ScheduleDeletion, "schedule a deletion", Some("delete")),
    b(&[Char('n')], "n", Action::NewSecret, "new secret", Some("new")),
    b(&[Char('u')], "u", Action::NewValue, "put a new value (a new SYSCURRENT version)", Some("value")),
    b(&[Char('e')], "e", Action::EditDescription, "edit the description", Some("edit")),
    b(&[Char('t')], "t", Action::Tags, "tags: list, add, remove", Some("tags")),
    b(&[Char('y')], "y", Action::Copy, "copy the value, name or id (OSC 52)", Some("copy")),
    b(&[Char('H')], "H", Action::History, "history: every change csms made (the journal)", Some("history")),
    b(&[Char('/')], "/", Action::Filter, "filter by name and description (~ fuzzy)", Some("filter")),
    b(&[Char(':')], ":", Action::Command, "command: profile NAME, all, sort KEY, filter TEXT, refresh, quit", None),
    b(&[Code(KeyCode::Enter)], "enter", Action::Details, "details and versions", Some("details")),
    b(&[Char('r')], "r", Action::Refresh, "refresh now", None),
    b(&[Char('p')], "p", Action::PickProfile, "pick a profile", Some("profile")),
    b(&[Char('a')], "a", Action::AllProfiles, "all profiles in one table / back", Some("all")),
    b(&[Char('s')], "s", Action::Sort, "next sort order", None),
    b(&[Char('S')], "S", Action::ReverseSort, "reverse the order", None),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "clear the filter, the marks and the message", None),
    b(&[Char('?')], "?", Action::Help, "this help", Some("help")),
    b(&[Char('q'), Ctrl('c')], "q", Action::Quit, "quit", Some("quit")),
];

pub const CONFIRM: &[Binding] = &[
    b(&[Char('y'), Char('Y')], "y", Action::Confirm, "yes, send it", Some("yes")),
    b(&[Char('n'), Char('N'), Code(KeyCode::Esc), Char('q')], "n/esc", Action::Back, "no, send nothing", Some("no")),
];

pub const FILTER: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "keep the filter, select the first match", Some("apply")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "clear the filter", Some("clear")),
];

pub const COMMAND: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "run the command", Some("run")),
    b(&[Code(KeyCode::Tab)], "tab", Action::Complete, "complete (or list the candidates)", Some("complete")),
    b(&[Code(KeyCode::Up)], "↑", Action::Up, "the command before", None),
    b(&[Code(KeyCode::Down)], "↓", Action::Down, "the command after", None),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "leave the command line", Some("cancel")),
];

/// What `:` understands: `(command, argument, what it does)`.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("profile", "NAME", "one profile (also ctx, p, or the bare name)"),
    ("all", "", "every profile in one table (also a)"),
    ("sort", "time|name|state|updated", "sort order (also s)"),
    ("filter", "TEXT", "filter (also f; words, state:pending, ~fuzzy)"),
    ("refresh", "", "fetch again now (also r)"),
    ("help", "", "this help (also ?)"),
    ("quit", "", "leave, once requests under way end (q; q! at once)"),
];

pub const SCHEDULE: &[Binding] = &[
    b(&[Code(KeyCode::Up)], "↑", Action::MoreDays, "one more day (up to 30)", Some("+1 day")),
    b(&[Code(KeyCode::Down)], "↓", Action::FewerDays, "one day less (down to 7)", Some("-1 day")),
    b(&[Code(KeyCode::Tab)], "tab", Action::NextField, "type the window in days / back to the name", Some("days")),
    b(&[Code(KeyCode::Enter)], "enter", Action::Confirm, "schedule, once the name is typed", Some("schedule")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "close, send nothing", Some("close")),
];

pub const POPUP: &[Binding] = &[
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "down", Some("down")),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "up", Some("up")),
    b(&[Char('g'), Code(KeyCode::Home)], "g", Action::Top, "top", None),
    b(&[Char('G'), Code(KeyCode::End)], "G", Action::Bottom, "bottom", None),
    b(&[Code(KeyCode::Esc), Char('q'), Code(KeyCode::Enter)], "esc", Action::Back, "close", Some("close")),
];

/// The project a new secret goes to, in a view of several.
pub const CHOOSE: &[Binding] = &[
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "down", Some("down")),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "up", Some("up")),
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "create the secret in this project", Some("choose")),
    b(&[Code(KeyCode::Esc), Char('q')], "esc", Action::Back, "close, create nothing", Some("close")),
];

/// Editing keys of every text field (handled by the field, listed for help).
pub const EDITING: &[(&str, &str)] = &[
    ("←/→", "a character left / right"),
    ("alt-b/f", "a word left / right (also ctrl-←/→)"),
    ("home/end", "start / end of the line (also ctrl-a/e)"),
    ("⌫/del", "delete a character back / forward (also ctrl-h/d)"),
    ("ctrl-w", "delete a word back (alt-d: forward)"),
    ("ctrl-u/k", "delete to the start / end of the line"),
    ("alt-enter", "a new line, in a description (also ctrl-j)"),
];

/// A line of the help screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Blank,
    Title(&'static str),
    /// A key (blank on a wrapped line's continuation) and what it does.
    Entry(String, String),
}

/// The help screen `width` columns wide: every binding, the editing keys and
/// the commands, what they do wrapped beside the keys.
pub fn help_lines(width: u16) -> Vec<HelpLine> {
    let mut lines = Vec::new();
    let section = |lines: &mut Vec<HelpLine>, title, entries: Vec<(String, &str)>, key_width: usize| {
        if !lines.is_empty() {
            lines.push(HelpLine::Blank);
        }
        lines.push(HelpLine::Title(title));
        let room = usize::from(width).saturating_sub(key_width).max(20);
        for (key, what) in entries {
            for (i, chunk) in wrap(what, room).into_iter().enumerate() {
                let key = if i == 0 { format!("  {key:<w$}", w = key_width - 2) } else { " ".repeat(key_width) };
                lines.push(HelpLine::Entry(key, chunk));
            }
        }
    };
    for (title, table) in SECTIONS {
        section(&mut lines, title, table.iter().map(|b| (b.label.to_string(), b.help)).collect(), 12);
    }
    section(&mut lines, "Editing (every text field)", EDITING.iter().map(|(k, h)| (k.to_string(), *h)).collect(), 12);
    let commands = COMMANDS.iter().map(|(cmd, arg, what)| (format!("{cmd} {arg}"), *what)).collect();
    section(&mut lines, "Commands (after :)", commands, 33);
    lines
}

/// `text` in lines of at most `room` characters, broken between words.
fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The profile picker: letters filter, so only arrows move.
pub const PICKER: &[Binding] = &[
    b(&[Code(KeyCode::Down)], "↓", Action::Down, "down", None),
    b(&[Code(KeyCode::Up)], "↑", Action::Up, "up", None),
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "show it", Some("show")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "clear the filter, then close", Some("close")),
];

pub const DETAILS: &[Binding] = &[
    b(&[Char('v')], "v", Action::Reveal, "reveal the selected version's value / hide it", Some("reveal")),
    b(&[Char('R')], "R", Action::Rollback, "roll back: make the selected version SYSCURRENT", Some("roll back")),
    b(&[Char('c')], "c", Action::CancelDeletion, "cancel the deletion (of a pending secret)", Some("cancel")),
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "next (older) version", None),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "previous (newer) version", None),
    b(&[Code(KeyCode::PageDown), Ctrl('d'), Ctrl('f')], "PgDn/^d", Action::PageDown, "scroll the details down", None),
    b(&[Code(KeyCode::PageUp), Ctrl('u'), Ctrl('b')], "PgUp/^u", Action::PageUp, "scroll the details up", None),
    b(&[Char('g'), Code(KeyCode::Home)], "g/Home", Action::Top, "top of the details", None),
    b(&[Char('G'), Code(KeyCode::End)], "G/End", Action::Bottom, "bottom of the details", None),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Enter), Char('q')],
        "esc",
        Action::Back,
        "close (and forget the value)",
        Some("close"),
    ),
];

/// The new-secret and new-value forms.
pub const FORM: &[Binding] = &[
    b(&[Code(KeyCode::Tab)], "tab", Action::NextField, "next field", Some("next")),
    b(&[Code(KeyCode::BackTab)], "shift-tab", Action::PreviousField, "previous field", None),
    b(&[Ctrl('g')], "ctrl-g", Action::Generate, "generate a password into the value", Some("generate")),
    b(&[Code(KeyCode::Right)], "→", Action::Increase, "longer password (on the length field)", None),
    b(&[Code(KeyCode::Left)], "←", Action::Decrease, "shorter password (on the length field)", None),
    b(&[Char(' ')], "space", Action::Toggle, "symbols on/off (on the symbols field)", None),
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "submit, once the form is valid", Some("submit")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "discard the form (and the value)", Some("discard")),
];

/// Editing one line: the description.
pub const LINE: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "save", Some("save")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "discard", Some("discard")),
];

/// Editing a description. Its field takes Alt-Enter and Ctrl-J first (a new
/// line); the binding is here for the footer and help to name it.
pub const DESCRIBE: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "enter", Action::Apply, "save", Some("save")),
    b(&[Ctrl('j')], "alt-enter", Action::NewLine, "a new line (also ctrl-j)", Some("new line")),
    b(&[Code(KeyCode::Esc)], "esc", Action::Back, "discard", Some("discard")),
];

pub const TAGS: &[Binding] = &[
    b(&[Char('a')], "a", Action::AddTag, "add or change a tag (key=value)", Some("add")),
    b(
        &[Char('x'), Code(KeyCode::Delete)],
        "x",
        Action::RemoveTag,
        "remove the selected tag (asks first)",
        Some("remove"),
    ),
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "next tag", Some("down")),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "previous tag", Some("up")),
    b(&[Code(KeyCode::Esc), Char('q')], "esc", Action::Back, "close", Some("close")),
];

pub const COPY: &[Binding] = &[
    b(&[Char('v')], "v", Action::CopyValue, "the current value (csms asks to clear it later)", Some("value")),
    b(&[Char('n')], "n", Action::CopyName, "the name", Some("name")),
    b(&[Char('i')], "i", Action::CopyId, "the id", Some("id")),
    b(&[Code(KeyCode::Esc), Char('q')], "esc", Action::Back, "copy nothing", Some("close")),
];

pub const HISTORY: &[Binding] = &[
    b(&[Char('/')], "/", Action::Filter, "filter (secret, action, profile, outcome)", Some("filter")),
    b(&[Char('j'), Code(KeyCode::Down)], "j/↓", Action::Down, "older", None),
    b(&[Char('k'), Code(KeyCode::Up)], "k/↑", Action::Up, "newer", None),
    b(
        &[Code(KeyCode::Esc), Char('q'), Char('H')],
        "esc",
        Action::Back,
        "close (esc clears a filter first)",
        Some("close"),
    ),
];

/// The help screen's sections, in order.
pub const SECTIONS: &[(&str, &[Binding])] = &[
    ("Secrets", TABLE),
    ("Confirmations", CONFIRM),
    ("Filter (typing)", FILTER),
    ("Command line (after :)", COMMAND),
    ("Schedule a deletion (typing the name)", SCHEDULE),
    ("Profiles (typing filters)", PICKER),
    ("Help, reports", POPUP),
    ("Project of a new secret", CHOOSE),
    ("Details", DETAILS),
    ("New secret, new value", FORM),
    ("Description", DESCRIBE),
    ("Tags", TAGS),
    ("Copy (after y)", COPY),
    ("History (H)", HISTORY),
];

pub fn lookup(table: &[Binding], ev: &KeyEvent) -> Option<Action> {
    table.iter().find(|b| b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action)
}

/// `(keys, short name)` pairs for the footer.
pub fn footer(table: &[Binding]) -> Vec<(&'static str, &'static str)> {
    table.iter().filter_map(|b| b.footer.map(|f| (b.label, f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup(TABLE, &key('c')), Some(Action::CancelDeletion));
        assert_eq!(lookup(TABLE, &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(lookup(TABLE, &key('x')), None);
        assert_eq!(lookup(CONFIRM, &key('y')), Some(Action::Confirm));
        assert_eq!(lookup(CONFIRM, &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)), Some(Action::Back));
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for (_, table) in SECTIONS {
            let mut seen = Vec::new();
            for b in *table {
                for k in b.keys {
                    let s = format!("{k:?}");
                    assert!(!seen.contains(&s), "{s} bound twice");
                    seen.push(s);
                }
            }
        }
    }
}
