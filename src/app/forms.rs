//! The forms that change a secret: a new secret (name, description, value),
//! a new value for the selected one, and its description. Their fields are
//! data in the `Mode`; a value is `Redacted` from the first keystroke (and
//! from a paste), so it never reaches `Debug`, a log or a snapshot.

use crossterm::event::KeyEvent;

use super::field::{Edit, NumberField, TextField};
use super::keymap::{self, Action};
use super::{Effect, Level, Message, Mode, Op, Pending, RowKey, State};
use crate::csms::Redacted;
use crate::csms::model::{Millis, VersionMetadata, is_valid_secret_name};

/// The service's generator, as the forms ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generator {
    pub length: u32,
    pub symbols: bool,
}

impl Default for Generator {
    fn default() -> Generator {
        Generator { length: 32, symbols: true }
    }
}

const MIN_LENGTH: u32 = 8;
const MAX_LENGTH: u32 = 128;
pub(super) const MAX_DESCRIPTION_BYTES: usize = 2048;
const MAX_VALUE_BYTES: usize = 32 * 1024;
const MAX_NAME_BYTES: usize = 64;

/// The generator's fields in a form: the length (typed, or ←/→) and symbols.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorFields {
    pub length: NumberField,
    pub symbols: bool,
}

impl Default for GeneratorFields {
    fn default() -> GeneratorFields {
        let g = Generator::default();
        GeneratorFields { length: NumberField::new(g.length, MIN_LENGTH, MAX_LENGTH), symbols: g.symbols }
    }
}

impl GeneratorFields {
    /// What to ask the service for, or why the length is not one.
    pub fn generator(&self) -> Result<Generator, String> {
        Ok(Generator { length: self.length.value()?, symbols: self.symbols })
    }

    /// The generator's own keys, on its fields: digits and ←/→ the length,
    /// space the symbols. Says whether the key was one of them.
    fn on_key(&mut self, state: &mut State, action: Option<Action>, key: &KeyEvent, focus: (bool, bool)) -> bool {
        let (on_length, on_symbols) = focus;
        match action {
            Some(Action::Increase) if on_length => self.length.step(true),
            Some(Action::Decrease) if on_length => self.length.step(false),
            Some(Action::Toggle) if on_symbols => self.symbols = !self.symbols,
            _ if on_length => match self.length.on_key(key) {
                Ok(Edit::Ignored) => return false,
                Ok(_) => {}
                Err(why) => state.say(Level::Info, format!("The length takes {why}")),
            },
            _ => return false,
        }
        true
    }
}

/// The fields of the new-secret form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Description,
    Value,
    Length,
    Symbols,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSecret {
    pub profile: usize,
    pub name: TextField,
    /// Several lines.
    pub description: TextField,
    /// Masked.
    pub value: TextField,
    pub generator: GeneratorFields,
    pub focus: Field,
    /// A generated password is on its way.
    pub generating: bool,
}

impl NewSecret {
    pub fn new(profile: usize) -> NewSecret {
        NewSecret {
            profile,
            name: TextField::default().with_limit(MAX_NAME_BYTES),
            description: TextField::multiline("").with_limit(MAX_DESCRIPTION_BYTES),
            value: TextField::masked().with_limit(MAX_VALUE_BYTES),
            generator: GeneratorFields::default(),
            focus: Field::Name,
            generating: false,
        }
    }

    /// What is wrong with the name as typed so far (the emulator's rule).
    pub fn name_problem(&self) -> Option<&'static str> {
        if self.name.is_empty() {
            Some("a name is required")
        } else if !is_valid_secret_name(self.name.text()) {
            Some("1 to 64 letters, digits, _ - . (not only dots)")
        } else {
            None
        }
    }

    /// Why the form cannot be sent yet, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        self.name_problem()
            .or_else(|| {
                (self.description.text().len() > MAX_DESCRIPTION_BYTES).then_some("the description is over 2048 bytes")
            })
            .or_else(|| value_problem(self.value.secret()))
    }
}

fn value_problem(value: &Redacted) -> Option<&'static str> {
    if value.is_empty() {
        Some("a value is required (type it, paste it, or ctrl-g)")
    } else if value.expose().len() > MAX_VALUE_BYTES {
        Some("the value is over 32 KiB")
    } else {
        None
    }
}

/// The fields of the new-value form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueField {
    Value,
    Length,
    Symbols,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewValue {
    pub key: RowKey,
    /// Masked.
    pub value: TextField,
    pub generator: GeneratorFields,
    pub focus: ValueField,
    /// The versions there are, to say what the new one will be.
    pub versions: Option<Result<Vec<VersionMetadata>, String>>,
    pub generating: bool,
}

impl NewValue {
    pub fn new(key: RowKey) -> NewValue {
        NewValue {
            key,
            value: TextField::masked().with_limit(MAX_VALUE_BYTES),
            generator: GeneratorFields::default(),
            focus: ValueField::Value,
            versions: None,
            generating: false,
        }
    }

    /// "creates v4 as SYSCURRENT; v3 becomes SYSPREVIOUS", once the versions are known.
    pub fn consequence(&self) -> Option<String> {
        let versions = self.versions.as_ref()?.as_ref().ok()?;
        let highest = versions.iter().filter_map(|v| v.id.strip_prefix('v')?.parse::<u64>().ok()).max().unwrap_or(0);
        let current = versions.iter().find(|v| v.version_stages.iter().any(|s| s == "SYSCURRENT"));
        Some(match current {
            Some(c) => format!("creates v{} as SYSCURRENT; {} becomes SYSPREVIOUS", highest + 1, c.id),
            None => format!("creates v{} as SYSCURRENT", highest + 1),
        })
    }

    pub fn problem(&self) -> Option<&'static str> {
        let versions = match &self.versions {
            None => Some("reading the versions…"),
            Some(Err(_)) => Some("the versions could not be read"),
            Some(Ok(_)) => None,
        };
        value_problem(self.value.secret()).or(versions)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Describe {
    pub key: RowKey,
    /// Several lines.
    pub text: TextField,
}

/// Keys in the new-secret form.
pub(super) fn new_secret_key(state: &mut State, mut form: NewSecret, key: KeyEvent) -> Vec<Effect> {
    let action = keymap::lookup(keymap::FORM, &key);
    // A text field takes its editing keys first; Tab, Enter, Esc and ctrl-g stay the form's.
    let edited = match form.focus {
        Field::Name => state.edited(form.name.on_key(&key), &form.name),
        Field::Description => state.edited(form.description.on_key(&key), &form.description),
        Field::Value => state.edited(form.value.on_key(&key), &form.value),
        Field::Length | Field::Symbols => Edit::Ignored,
    };
    let focus = (form.focus == Field::Length, form.focus == Field::Symbols);
    if edited != Edit::Ignored || form.generator.on_key(state, action, &key, focus) {
        state.mode = Mode::NewSecret(Box::new(form));
        return vec![];
    }
    match action {
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            state.say(Level::Info, "New secret discarded: nothing was sent");
            vec![]
        }
        Some(Action::NextField | Action::PreviousField) => {
            const ORDER: [Field; 5] = [Field::Name, Field::Description, Field::Value, Field::Length, Field::Symbols];
            form.focus = step(&ORDER, form.focus, action == Some(Action::NextField));
            state.mode = Mode::NewSecret(Box::new(form));
            vec![]
        }
        Some(Action::Generate) => {
            let effects = generate(state, form.profile, &form.generator, &mut form.generating);
            state.mode = Mode::NewSecret(Box::new(form));
            effects
        }
        Some(Action::Apply) => match form.problem() {
            Some(problem) => {
                state.say(Level::Warning, format!("Not yet: {problem}"));
                state.mode = Mode::NewSecret(Box::new(form));
                vec![]
            }
            None => {
                state.mode = Mode::Normal;
                let name = form.name.text().to_string();
                state.in_flight.insert((form.profile, name.clone()), Op::Create);
                // Its row says `creating…` until the answer (retries may take a while).
                state.table.insert_placeholder(form.profile, &name);
                state.after_move();
                let text = format!("Creating '{name}' (profile {})…", state.profile_name(form.profile));
                state.message = Some(Message { text, level: Level::Info, until: Millis::MAX });
                vec![Effect::Create {
                    profile: form.profile,
                    name,
                    description: form.description.text().to_string(),
                    value: form.value.secret().clone(),
                }]
            }
        },
        _ => {
            state.mode = Mode::NewSecret(Box::new(form));
            vec![]
        }
    }
}

/// Keys in the new-value form; Enter asks for a `y` that names the versions.
pub(super) fn new_value_key(state: &mut State, mut form: NewValue, key: KeyEvent) -> Vec<Effect> {
    let action = keymap::lookup(keymap::FORM, &key);
    let edited = if form.focus == ValueField::Value {
        state.edited(form.value.on_key(&key), &form.value)
    } else {
        Edit::Ignored
    };
    let focus = (form.focus == ValueField::Length, form.focus == ValueField::Symbols);
    if edited != Edit::Ignored || form.generator.on_key(state, action, &key, focus) {
        state.mode = Mode::NewValue(Box::new(form));
        return vec![];
    }
    match action {
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            state.say(Level::Info, "New value discarded: nothing was sent");
            vec![]
        }
        Some(Action::NextField | Action::PreviousField) => {
            const ORDER: [ValueField; 3] = [ValueField::Value, ValueField::Length, ValueField::Symbols];
            form.focus = step(&ORDER, form.focus, action == Some(Action::NextField));
            state.mode = Mode::NewValue(Box::new(form));
            vec![]
        }
        Some(Action::Generate) => {
            let effects = generate(state, form.key.0, &form.generator, &mut form.generating);
            state.mode = Mode::NewValue(Box::new(form));
            effects
        }
        Some(Action::Apply) => match (form.problem(), form.consequence()) {
            (None, Some(consequence)) => {
                let before = form.versions.and_then(Result::ok).unwrap_or_default().into_iter().map(|v| v.id).collect();
                let value = form.value.secret().clone();
                state.mode = Mode::Confirm(Pending::PutValue { key: form.key, value, consequence, before });
                vec![]
            }
            (problem, _) => {
                state.say(Level::Warning, format!("Not yet: {}", problem.unwrap_or("reading the versions…")));
                state.mode = Mode::NewValue(Box::new(form));
                vec![]
            }
        },
        _ => {
            state.mode = Mode::NewValue(Box::new(form));
            vec![]
        }
    }
}

/// Keys while editing a description.
pub(super) fn describe_key(state: &mut State, mut form: Describe, key: KeyEvent) -> Vec<Effect> {
    if state.edited(form.text.on_key(&key), &form.text) != Edit::Ignored {
        state.mode = Mode::Describe(Box::new(form));
        return vec![];
    }
    match keymap::lookup(keymap::DESCRIBE, &key) {
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            state.say(Level::Info, "Description unchanged: nothing was sent");
            vec![]
        }
        Some(Action::Apply) if form.text.text().len() > MAX_DESCRIPTION_BYTES => {
            state.say(Level::Warning, "Not yet: the description is over 2048 bytes");
            state.mode = Mode::Describe(Box::new(form));
            vec![]
        }
        Some(Action::Apply) => {
            state.mode = Mode::Normal;
            state.in_flight.insert(form.key.clone(), Op::Update);
            vec![Effect::Describe { profile: form.key.0, name: form.key.1, description: form.text.text().to_string() }]
        }
        _ => {
            state.mode = Mode::Describe(Box::new(form));
            vec![]
        }
    }
}

/// A paste goes into the field that has the focus, at its cursor; into a
/// value field it goes without ever being a plain string.
pub(super) fn paste(state: &mut State, text: &Redacted) {
    let (field, trim) = match &mut state.mode {
        Mode::NewSecret(form) => match form.focus {
            Field::Name => (&mut form.name, true),
            Field::Description => (&mut form.description, false),
            Field::Value => (&mut form.value, false),
            Field::Length | Field::Symbols => return,
        },
        Mode::NewValue(form) if form.focus == ValueField::Value => (&mut form.value, false),
        Mode::Describe(form) => (&mut form.text, false),
        Mode::Tags(dialog) => match &mut dialog.adding {
            Some(line) => (line, true),
            None => return,
        },
        Mode::Schedule { typed, on_days: false, .. } => (typed, true),
        Mode::Filter { input } | Mode::Command { input, .. } | Mode::PickProfile { filter: input, .. } => (input, true),
        _ => return,
    };
    if let Err(why) = field.insert(if trim { text.expose().trim() } else { text.expose() }) {
        state.say(Level::Warning, format!("Nothing was pasted: {why}"));
        return;
    }
    if let Mode::Filter { input } = &state.mode {
        let filter = input.text().to_string();
        state.table.set_filter(&filter);
        state.table.select_first();
    }
}

/// Asks the service for a password, if the length is one it takes.
fn generate(state: &mut State, profile: usize, fields: &GeneratorFields, generating: &mut bool) -> Vec<Effect> {
    match fields.generator() {
        Ok(generator) => {
            *generating = true;
            vec![Effect::GeneratePassword { profile, generator }]
        }
        Err(why) => {
            state.say(Level::Warning, format!("No password generated: the length: {why}"));
            vec![]
        }
    }
}

/// A generated password lands in the form that asked for it.
pub(super) fn generated(state: &mut State, result: Result<Redacted, String>) {
    let (value, generating) = match &mut state.mode {
        Mode::NewSecret(form) => (&mut form.value, &mut form.generating),
        Mode::NewValue(form) => (&mut form.value, &mut form.generating),
        _ => return,
    };
    *generating = false;
    match result {
        Ok(v) => value.set(v),
        Err(e) => state.say(Level::Error, format!("No password was generated: {e}")),
    }
}

fn step<T: Copy + PartialEq>(order: &[T], at: T, forward: bool) -> T {
    let i = order.iter().position(|f| *f == at).unwrap_or(0);
    let n = order.len();
    order[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}
