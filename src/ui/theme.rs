//! Colours and emphasis. With `NO_COLOR` set, only modifiers (bold,
//! reverse, underline) remain, and every state is still spelled out.

use ratatui::style::{Color, Modifier, Style};

use crate::app::Level;
use crate::csms::SecretState;
use crate::csms::model::Millis;

const DAY: Millis = 86_400_000;
/// Orange from the 256-colour palette: wider support than true colour.
const AMBER: Color = Color::Indexed(214);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set (to anything non-empty).
    pub fn from_env() -> Theme {
        Theme { color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::default().fg(c) } else { Style::default() }
    }

    pub fn state(&self, state: Option<&SecretState>) -> Style {
        match state {
            Some(SecretState::Enabled) => self.fg(Color::Green),
            Some(SecretState::Disabled) => self.fg(Color::DarkGray),
            Some(SecretState::PendingDelete) => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Some(SecretState::Frozen) => self.fg(Color::Cyan),
            Some(SecretState::Unknown(_)) | None => self.fg(Color::Magenta),
        }
    }

    /// A whole pending-deletion row.
    pub fn pending_row(&self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    /// The countdown cell: red under a day, amber under three days.
    /// Without colour, the level of a countdown shows as marks: `!!` under
    /// a day, `!` under three days.
    pub fn countdown_mark(&self, left: Millis) -> &'static str {
        match left {
            _ if self.color => "",
            l if l < DAY => " !!",
            l if l < 3 * DAY => " !",
            _ => "",
        }
    }

    pub fn countdown(&self, left: Millis) -> Style {
        if left < DAY {
            if self.color {
                Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            }
        } else if left < 3 * DAY {
            self.fg(AMBER).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::LightRed)
        }
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn marked(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn in_flight(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::ITALIC)
    }

    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// Rows that may no longer be true (their refresh failed): faint, in colour or not.
    pub fn stale(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn badge(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Black).bg(AMBER).add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn danger_badge(&self) -> Style {
        if self.color {
            Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn message(&self, level: Level) -> Style {
        match level {
            Level::Info => Style::default(),
            Level::Success => self.fg(Color::Green).add_modifier(Modifier::BOLD),
            Level::Warning => self.fg(AMBER).add_modifier(Modifier::BOLD),
            Level::Error => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
        }
    }
}
