//! The state machine of the terminal UI. `update(&mut State, Msg)` is pure
//! and synchronous: no I/O and no clock reads (time arrives in `Msg::Tick`).
//! What must happen outside comes back as `Effect`s, which the worker runs.

mod choose;
mod command;
mod copy;
pub mod events;
pub mod field;
pub mod forms;
mod fuzzy;
pub mod health;
pub mod history;
mod input;
pub mod keymap;
pub mod picker;
pub mod table;
pub mod tags;
pub mod targets;

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::KeyEvent;

use crate::csms::model::{Millis, Tag, VersionMetadata};
use crate::csms::{CancelOutcome, Redacted, Secret};
use crate::journal::Entry;
pub use table::{Row, RowKey, SecretTable, SortKey};

/// A count and its noun, singular or plural: `1 project`, `3 projects`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// What the UI knows of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub region: String,
    /// Empty until IAM has given it, when the profile names none.
    pub project_id: String,
    /// The profile names no project id: IAM gives the id of the project
    /// named after the region.
    pub project_from_iam: bool,
    /// A profile with `regions` standing in for its projects until IAM names them.
    pub finding: bool,
    pub read_only: bool,
    pub insecure_tls: bool,
    /// Where its secrets are served: with the project id, what makes two profiles show the same secrets.
    pub endpoint: String,
}

impl ProfileInfo {
    /// For a target of a profile with `regions` (`acme/cn-north-4`): `acme`.
    pub fn group(&self) -> Option<&str> {
        self.name.split_once('/').map(|(g, _)| g)
    }

    /// The project as the header and dialogs name it, saying when IAM chose it.
    pub fn project_label(&self) -> String {
        if self.finding {
            return "every one IAM lists (being asked)".into();
        }
        match (self.project_from_iam, self.project_id.is_empty()) {
            (false, _) => self.project_id.clone(),
            (true, false) => format!("{} (IAM's {})", self.project_id, self.region),
            (true, true) => format!("{} (id from IAM on first load)", self.region),
        }
    }
}

impl From<&crate::config::Profile> for ProfileInfo {
    fn from(p: &crate::config::Profile) -> ProfileInfo {
        ProfileInfo {
            name: p.name.clone(),
            region: p.region.clone(),
            project_id: p.project_id.clone().unwrap_or_default(),
            project_from_iam: p.project_id.is_none(),
            finding: crate::discovery::finding(p),
            read_only: p.read_only,
            insecure_tls: p.insecure_skip_tls_verify,
            endpoint: p.endpoint.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Profile(usize),
    /// Every target found under one profile with `regions`, named by one of them.
    Group(usize),
    All,
}

impl View {
    /// A view over several profiles (the rows name theirs).
    pub fn is_many(self) -> bool {
        !matches!(self, View::Profile(_))
    }
}

/// A request the user must confirm before anything is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Cancel {
        key: RowKey,
        deletes_at: Option<Millis>,
    },
    /// `hidden`: how many of `keys` the filter hides from view (rows of
    /// read-only profiles take no mark).
    CancelMany {
        keys: Vec<RowKey>,
        hidden: usize,
    },
    /// A new value; `consequence` says which version it becomes and which it demotes.
    PutValue {
        key: RowKey,
        value: Redacted,
        consequence: String,
        before: Vec<String>,
    },
    /// SYSCURRENT moves from one version to another.
    Rollback {
        key: RowKey,
        from: String,
        to: String,
    },
    /// A tag comes off the secret (by its key).
    RemoveTag {
        key: RowKey,
        tag: Tag,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    Filter {
        input: field::TextField,
    },
    Command {
        input: field::TextField,
        /// What Tab found to complete, while more than one remains.
        candidates: Vec<String>,
    },
    Confirm(Pending),
    Schedule {
        key: RowKey,
        /// The recovery window in days.
        days: field::NumberField,
        typed: field::TextField,
        /// The focus is on the recovery window.
        on_days: bool,
        /// The window is selected whole, as the focus came to it: a digit
        /// typed replaces it, any other key keeps it.
        selected: bool,
    },
    Details {
        key: RowKey,
        secret: Box<Secret>,
        versions: Option<Result<Vec<VersionMetadata>, String>>,
        /// The selected version, counted from the newest.
        cursor: usize,
        /// The value of the version `shown`, on request only.
        value: Reveal,
        shown: Option<String>,
        /// A shown value hides itself again at this time.
        hide_at: Option<Millis>,
        /// The first line on screen: the details can be taller than the terminal.
        scroll: usize,
    },
    /// Which of the view's projects a new secret goes to (indices of profiles).
    ChooseProject {
        choices: Vec<usize>,
        selected: usize,
    },
    NewSecret(Box<forms::NewSecret>),
    NewValue(Box<forms::NewValue>),
    Describe(Box<forms::Describe>),
    Tags(Box<tags::TagsDialog>),
    Copy {
        key: RowKey,
        id: Option<String>,
    },
    History(Box<history::HistoryView>),
    PickProfile {
        selected: usize,
        filter: field::TextField,
    },
    Help {
        scroll: usize,
    },
    Report {
        title: String,
        lines: Vec<String>,
        scroll: usize,
    },
}

/// The value in the details dialog: hidden until the user asks, forgotten
/// when the dialog closes. `Debug` never shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reveal {
    Hidden,
    Loading,
    Shown(Redacted),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub level: Level,
    pub until: Millis,
}

/// What is under way for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Cancel,
    Schedule,
    Create,
    PutValue,
    Rollback,
    Update,
    Tag,
}

impl Op {
    /// What the row says while it is under way.
    pub fn label(self) -> &'static str {
        match self {
            Op::Cancel => "cancelling…",
            Op::Schedule => "scheduling…",
            Op::Create => "creating…",
            Op::PutValue => "updating…",
            Op::Rollback => "rolling back…",
            Op::Update => "updating…",
            Op::Tag => "tagging…",
        }
    }

    /// What was asked, for a report of requests that never got an answer.
    pub fn what(self) -> &'static str {
        match self {
            Op::Cancel => "the cancel of the deletion",
            Op::Schedule => "the scheduled deletion",
            Op::Create => "the creation",
            Op::PutValue => "the new value",
            Op::Rollback => "the rollback",
            Op::Update => "the new description",
            Op::Tag => "the tag change",
        }
    }
}

/// The details dialog as last drawn, for its keys to scroll within: only
/// drawing knows how its fields wrap and how much of them fits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetailsLayout {
    /// Lines on screen at once.
    pub page: usize,
    /// The furthest the first line on screen can go.
    pub bottom: usize,
    /// The line of the newest version.
    pub first_version: usize,
}

/// How long a stop asked by a signal waits for requests under way.
pub const SIGNAL_GRACE_MS: Millis = 10_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bulk {
    pub total: usize,
    pub done: usize,
    pub safe: usize,
    /// One line per secret, with its profile and whether it ended safe.
    pub lines: Vec<(usize, bool, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// SIGTERM, SIGINT or SIGHUP: stop once the requests under way are answered, or
    /// after a grace period; a second one stops at once.
    Terminate,
    Tick(Millis),
    /// How many table rows fit on screen, and the screen's columns and rows (after a resize).
    Viewport {
        rows: usize,
        screen: (u16, u16),
    },
    /// One page of a load under way (shown only while a view fills for the first time).
    Page {
        generation: u64,
        profile: usize,
        secrets: Vec<Secret>,
    },
    /// A load's end: every secret of the profile, or why not.
    Loaded {
        generation: u64,
        profile: usize,
        result: Result<Vec<Secret>, health::LoadError>,
    },
    CancelDone {
        profile: usize,
        name: String,
        outcome: Box<CancelOutcome>,
        bulk: bool,
    },
    ScheduleDone {
        profile: usize,
        name: String,
        result: Result<Box<Secret>, String>,
    },
    ValueLoaded {
        profile: usize,
        name: String,
        version: String,
        result: Result<Redacted, String>,
    },
    VersionsLoaded {
        profile: usize,
        name: String,
        result: Result<Vec<VersionMetadata>, String>,
    },
    /// A profile's projects, asked of IAM again behind the UI.
    TargetsChecked(targets::Checked),
    /// The id IAM gave for a profile that names no project id.
    ProjectFound {
        profile: usize,
        project_id: String,
    },
    /// How far a profile's server clock is from ours (its answers' `Date`).
    ServerClock {
        profile: usize,
        offset: Millis,
    },
    /// The mouse wheel: rows to move (negative: up).
    Scroll(isize),
    /// A click on a table row (its position among the rows on screen), and when.
    Click {
        row: usize,
        at: Millis,
    },
    /// Bracketed paste: the text, redacted from the start (it may be a value).
    Paste(Redacted),
    PasswordGenerated(Result<Redacted, String>),
    /// A change under way was sent again (`send` is its number: 2, 3, …).
    Resent {
        profile: usize,
        name: String,
        send: u32,
    },
    Created {
        profile: usize,
        name: String,
        result: Result<Box<Secret>, String>,
    },
    /// A new value: its version id.
    ValuePut {
        profile: usize,
        name: String,
        result: Result<String, String>,
    },
    RolledBack {
        profile: usize,
        name: String,
        from: String,
        to: String,
        result: Result<(), String>,
    },
    Described {
        profile: usize,
        name: String,
        result: Result<Box<Secret>, String>,
    },
    /// The secret's id and tags.
    TagsLoaded {
        profile: usize,
        name: String,
        result: Result<(String, Vec<Tag>), String>,
    },
    TagsChanged {
        profile: usize,
        name: String,
        result: Result<Vec<Tag>, String>,
    },
    ValueForCopy {
        profile: usize,
        name: String,
        result: Result<Redacted, String>,
    },
    HistoryLoaded(Result<Vec<Entry>, String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Load {
        generation: u64,
        profile: usize,
    },
    Cancel {
        profile: usize,
        name: String,
    },
    CancelMany {
        profile: usize,
        names: Vec<String>,
    },
    Schedule {
        profile: usize,
        name: String,
        days: u32,
    },
    LoadVersions {
        profile: usize,
        name: String,
    },
    /// Reads a version's value; only on the user's explicit request.
    RevealValue {
        profile: usize,
        name: String,
        version: String,
    },
    GeneratePassword {
        profile: usize,
        generator: forms::Generator,
    },
    Create {
        profile: usize,
        name: String,
        description: String,
        value: Redacted,
    },
    PutValue {
        profile: usize,
        name: String,
        value: Redacted,
        before: Vec<String>,
    },
    Rollback {
        profile: usize,
        name: String,
        from: String,
        to: String,
    },
    Describe {
        profile: usize,
        name: String,
        description: String,
    },
    LoadTags {
        profile: usize,
        name: String,
    },
    ChangeTags {
        profile: usize,
        name: String,
        secret_id: String,
        create: Vec<Tag>,
        delete: Vec<Tag>,
    },
    /// Reads the current value to copy it; only on the user's explicit request.
    CopyValue {
        profile: usize,
        name: String,
    },
    /// Puts text on the clipboard (OSC 52); the terminal's own effect, run by `tui`.
    Clipboard {
        text: Redacted,
    },
    LoadHistory,
}

const INFO_MS: Millis = 8_000;
/// A revealed value hides itself again after this long.
pub const REVEAL_MS: Millis = 30_000;
pub const DEFAULT_CLIPBOARD_CLEAR_MS: Millis = 30_000;
/// Two clicks on a row within this long open it.
const DOUBLE_CLICK_MS: Millis = 500;
/// How long after a countdown reaches zero its profile is read again.
pub const CONFIRM_DELAY_MS: Millis = 3_000;
/// Rows shown page by page while a profile loads for the first time.
pub const PREVIEW_ROWS: usize = 5_000;
const ERROR_MS: Millis = 60_000;
pub const DEFAULT_SCHEDULE_DAYS: u32 = 30;

#[derive(Debug, Clone)]
pub struct State {
    pub profiles: Vec<ProfileInfo>,
    pub view: View,
    /// The last single profile shown, to come back to from the all-profiles view.
    pub home: usize,
    /// Bumped on every view switch and refresh; answers of older ones are dropped.
    pub generation: u64,
    pub table: SecretTable,
    pub marked: BTreeSet<RowKey>,
    pub in_flight: BTreeMap<RowKey, Op>,
    /// How many times a change under way has been sent, once sent again.
    pub sends: BTreeMap<RowKey, u32>,
    pub mode: Mode,
    /// The dialog a confirmation was asked from: its answer goes back there.
    pub behind: Option<Box<Mode>>,
    pub now: Millis,
    /// The time zone the screens show times in.
    pub zone: crate::timefmt::Zone,
    pub fetched_at: BTreeMap<usize, Millis>,
    /// Targets IAM no longer lists: shown as such, never loaded.
    pub gone: BTreeSet<usize>,
    /// Projects discovery passed over, by target name, with why (for the picker).
    pub skipped: BTreeMap<String, String>,
    /// Why each failing profile fails, in a word (see `load_errors` for the whole error).
    pub health: BTreeMap<usize, health::Health>,
    pub loading: BTreeSet<usize>,
    pub load_errors: BTreeMap<usize, String>,
    /// Secrets received so far by the loads under way, per profile.
    pub preview: BTreeMap<usize, usize>,
    pub message: Option<Message>,
    /// The last outcome of the user's own actions; outranks background news.
    pub outcome: Option<Message>,
    pub bulk: Option<Bulk>,
    pub refresh_every: Millis,
    last_refresh: Millis,
    /// On the demo: the hint on real profiles (how to open them, or where they would go).
    pub demo: Option<String>,
    /// Table rows that fit on screen, for paging and scrolling.
    pub page_height: usize,
    /// The terminal's columns and rows, for popups that scroll.
    pub screen: (u16, u16),
    /// Written as the details are drawn.
    pub details_layout: std::cell::Cell<DetailsLayout>,
    /// How long a copied value stays on the clipboard (0: until replaced).
    pub clipboard_clear_ms: Millis,
    pub clipboard_clear_at: Option<Millis>,
    /// The last click on a row: when, and which (a second one soon after opens it).
    last_click: Option<(Millis, usize)>,
    /// Pending deletions per profile, as its last load found them (for the picker).
    pub pending_counts: BTreeMap<usize, usize>,
    /// Server clock minus local clock, per profile (from the answers' `Date`).
    pub clock_offsets: BTreeMap<usize, Millis>,
    /// When the next countdown on screen reaches zero (local clock).
    next_due: Option<Millis>,
    /// Profiles to read again at `confirm_at`, after a countdown reached zero.
    confirm: BTreeSet<usize>,
    confirm_at: Option<Millis>,
    /// What happened since csms started, oldest first.
    pub events: std::collections::VecDeque<events::Event>,
    /// A refresh the user asked for is under way: its end is announced,
    /// with what it brought so far.
    refresh_announced: bool,
    brought: events::Brought,
    /// The `:` commands run so far, oldest first, and the one recalled with Up/Down.
    pub command_history: Vec<String>,
    pub command_recall: Option<usize>,
    /// Asked to quit while requests were under way: waits for them, until
    /// this time when a signal asked (a second `q` quits at once).
    pub quitting: Option<Millis>,
    pub quit: bool,
}

impl State {
    /// A state showing `view`, and the loads that fill it.
    pub fn new(
        profiles: Vec<ProfileInfo>,
        view: View,
        refresh_every: Millis,
        demo: Option<String>,
        now: Millis,
    ) -> (State, Vec<Effect>) {
        let home = match view {
            View::Profile(i) | View::Group(i) => i,
            View::All => 0,
        };
        let mut state = State {
            profiles,
            view,
            home,
            generation: 0,
            table: SecretTable::default(),
            marked: BTreeSet::new(),
            in_flight: BTreeMap::new(),
            mode: Mode::Normal,
            behind: None,
            now,
            zone: crate::timefmt::Zone::Local,
            fetched_at: BTreeMap::new(),
            gone: BTreeSet::new(),
            skipped: BTreeMap::new(),
            health: BTreeMap::new(),
            loading: BTreeSet::new(),
            load_errors: BTreeMap::new(),
            preview: BTreeMap::new(),
            message: None,
            outcome: None,
            bulk: None,
            refresh_every,
            last_refresh: now,
            demo,
            page_height: 10,
            screen: (80, 24),
            details_layout: std::cell::Cell::default(),
            clipboard_clear_ms: DEFAULT_CLIPBOARD_CLEAR_MS,
            clipboard_clear_at: None,
            last_click: None,
            pending_counts: BTreeMap::new(),
            sends: BTreeMap::new(),
            clock_offsets: BTreeMap::new(),
            next_due: None,
            confirm: BTreeSet::new(),
            confirm_at: None,
            events: std::collections::VecDeque::new(),
            refresh_announced: false,
            brought: events::Brought::default(),
            command_history: Vec::new(),
            command_recall: None,
            quitting: None,
            quit: false,
        };
        let effects = state.refresh();
        (state, effects)
    }

    /// The profiles the current view shows.
    pub fn view_profiles(&self) -> Vec<usize> {
        match self.view {
            View::Profile(i) => vec![i],
            View::Group(g) => self.group_members(g),
            View::All => (0..self.profiles.len()).filter(|&p| self.live(p)).collect(),
        }
    }

    /// The live targets found under the same profile as target `g`.
    pub fn group_members(&self, g: usize) -> Vec<usize> {
        let group = self.profiles.get(g).and_then(ProfileInfo::group);
        (0..self.profiles.len())
            .filter(|&p| group.is_some() && self.profiles[p].group() == group && self.live(p))
            .collect()
    }

    pub fn profile_name(&self, i: usize) -> &str {
        self.profiles.get(i).map_or("?", |p| p.name.as_str())
    }

    /// The one place the UI refuses changes on read-only profiles.
    fn refuse_read_only(&self, profiles: impl IntoIterator<Item = usize>, what: &str) -> Option<String> {
        let ro: BTreeSet<&str> = profiles
            .into_iter()
            .filter(|&p| self.profiles.get(p).is_some_and(|i| i.read_only))
            .map(|p| self.profile_name(p))
            .collect();
        (!ro.is_empty()).then(|| {
            let names = ro.into_iter().collect::<Vec<_>>().join(", ");
            format!("profile {names} is read-only: {what} refused")
        })
    }

    /// A passing word: it goes by itself after a few seconds.
    fn say(&mut self, level: Level, text: impl Into<String>) {
        let ttl = if level == Level::Error { ERROR_MS } else { INFO_MS };
        self.message = Some(Message { text: text.into(), level, until: self.now + ttl });
    }

    /// Says why a field took nothing when it is full; passes the edit on.
    fn edited(&mut self, edit: field::Edit, field: &field::TextField) -> field::Edit {
        if edit == field::Edit::Full {
            self.say(Level::Info, format!("Full: {}", field.full()));
        }
        edit
    }

    /// The outcome of something the user did: it stays until dismissed (esc)
    /// or replaced by another outcome; passing words show over it a while.
    fn report(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.note(level, text.clone());
        self.message = None;
        self.outcome = Some(Message { text, level, until: Millis::MAX });
    }

    /// What the footer shows: a passing word, else the last outcome.
    pub fn footer_message(&self) -> Option<&Message> {
        self.message.as_ref().or(self.outcome.as_ref())
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.generation += 1;
        self.last_refresh = self.now;
        self.preview.clear();
        let (profiles, gone): (Vec<usize>, Vec<usize>) = self.view_profiles().into_iter().partition(|&p| self.live(p));
        for p in gone {
            self.load_errors.insert(p, targets::GONE.into());
            self.health.insert(p, health::Health::Gone);
        }
        self.loading = profiles.iter().copied().collect();
        profiles.into_iter().map(|profile| Effect::Load { generation: self.generation, profile }).collect()
    }

    /// A refresh the user asked for: "Refreshing…" until it ends, then what it brought.
    fn refresh_asked(&mut self) -> Vec<Effect> {
        self.refresh_announced = true;
        self.brought = events::Brought::default();
        self.message = Some(Message { text: "Refreshing…".into(), level: Level::Info, until: Millis::MAX });
        self.refresh()
    }

    /// The end of a load: a refresh the user asked for says how it went.
    fn loads_done(&mut self) {
        if !self.loading.is_empty() || !std::mem::take(&mut self.refresh_announced) {
            return;
        }
        let failed = self.view_profiles().into_iter().filter(|p| self.load_errors.contains_key(p)).count();
        let brought = std::mem::take(&mut self.brought).summary();
        if failed == 0 {
            self.say(Level::Success, format!("{} secrets, fetched just now: {brought}", self.table.rows().len()));
        } else {
            self.say(
                Level::Error,
                format!("The refresh failed for {failed} of {} profiles: see above", self.view_profiles().len()),
            );
        }
    }

    fn switch_view(&mut self, view: View) -> Vec<Effect> {
        if let View::Profile(i) = view {
            self.home = i;
        }
        self.view = view;
        self.table.clear();
        self.marked.clear();
        self.load_errors.clear();
        self.health.clear();
        self.fetched_at.clear();
        self.mode = Mode::Normal;
        // Words about the view left behind do not follow to the next one.
        self.message = None;
        self.outcome = None;
        self.refresh()
    }

    fn after_move(&mut self) {
        self.table.scroll_to_selection(self.page_height);
    }

    /// The server's word on a secret after a change: shown in `profile`'s row
    /// and in the rows of every other profile on the same endpoint and
    /// project (they show the same secret, and must not contradict it).
    fn confirmed(&mut self, profile: usize, secret: &Secret) {
        let Some(me) = self.profiles.get(profile) else { return };
        let same =
            |p: &ProfileInfo| !p.project_id.is_empty() && p.project_id == me.project_id && p.endpoint == me.endpoint;
        let twins: Vec<usize> = (0..self.profiles.len()).filter(|&p| p == profile || same(&self.profiles[p])).collect();
        for p in twins {
            self.table.update_secret(p, secret.clone());
        }
        self.recompute_next_due();
        self.after_move();
    }

    /// Quits now when nothing is under way; else waits for the answers
    /// (until `deadline`, if one), and a second request quits at once.
    pub(super) fn ask_quit(&mut self, deadline: Option<Millis>) {
        if self.in_flight.is_empty() || self.quitting.is_some() {
            self.quit = true;
        } else {
            self.quitting = Some(deadline.unwrap_or(Millis::MAX));
            self.mode = Mode::Normal;
            self.behind = None;
        }
    }

    /// The requests still under way, as lines for the user: at a forced quit
    /// their outcome is unknown, and each line says how to find it out.
    pub fn unfinished(&self) -> Vec<String> {
        self.in_flight
            .iter()
            .map(|((p, name), op)| {
                let profile = self.profile_name(*p);
                format!(
                    "{} of '{name}' (profile {profile}): csms quit before the answer; {}",
                    op.what(),
                    self.check_hint(profile, name)
                )
            })
            .collect()
    }

    /// The commands that show what became of a change, runnable as printed:
    /// they name the profile, since the default one may hold a secret of the
    /// same name. The demo's data is rebuilt on every run: nothing to check.
    fn check_hint(&self, profile: &str, name: &str) -> String {
        if self.demo.is_some() {
            return "the demo's data starts afresh each run, so there is nothing to check".to_string();
        }
        let (profile, name) = (shell_word(profile), shell_word(name));
        format!(
            "check with `csms --profile {profile} show {name}` or `csms --profile {profile} history --secret {name}`"
        )
    }

    /// Secrets of the view per state label, for the header: PENDING_DELETE
    /// first, then by label. A secret reached through several profiles on
    /// the same endpoint and project is one secret, counted once.
    pub fn state_counts(&self) -> Vec<(String, usize)> {
        let mut sources = std::collections::HashSet::new();
        if self.view_profiles().into_iter().all(|p| sources.insert(self.source(p))) {
            // No two profiles in view reach one project: the table's counts,
            // kept as its rows change, are right, and no frame counts again.
            return self.table.state_counts().to_vec();
        }
        let mut seen = std::collections::HashSet::new();
        let once = self.table.rows().iter().filter(|r| seen.insert((self.source(r.profile), r.secret.name.as_str())));
        table::count_states(once)
    }

    /// Where a profile's secrets live: its endpoint and project id, or the
    /// profile alone while its project id is not known.
    fn source(&self, profile: usize) -> (&str, &str) {
        match self.profiles.get(profile) {
            Some(p) if !p.project_id.is_empty() => (p.endpoint.as_str(), p.project_id.as_str()),
            Some(p) => ("", p.name.as_str()),
            None => ("", ""),
        }
    }

    /// What a row under way says: its change, and the retries so far (`↻2`).
    pub fn in_flight_label(&self, key: &RowKey) -> Option<String> {
        let op = self.in_flight.get(key)?;
        Some(match self.sends.get(key) {
            Some(send) => format!("{} ↻{}", op.label(), send - 1),
            None => op.label().to_string(),
        })
    }

    /// Now, on the server of `profile`: countdowns follow the server's clock.
    pub fn server_now(&self, profile: usize) -> Millis {
        self.now + self.clock_offsets.get(&profile).copied().unwrap_or(0)
    }

    /// The time left before a row's deletion, if it is pending, by its server's clock.
    pub fn time_left(&self, profile: usize, secret: &Secret) -> Option<Millis> {
        crate::listing::time_left(secret, self.server_now(profile))
    }

    /// The next moment (local clock) a countdown on screen reaches zero.
    fn recompute_next_due(&mut self) {
        self.next_due = self
            .table
            .rows()
            .iter()
            .filter_map(|r| self.time_left(r.profile, &r.secret).filter(|left| *left > 0).map(|left| self.now + left))
            .min();
    }

    /// A countdown reached zero: that profile is read again a few seconds
    /// later, to show the deletion the server made (or did not make).
    fn confirm_due(&mut self) -> Vec<Effect> {
        let now = self.now;
        if self.next_due.is_some_and(|due| due <= now) {
            let due: BTreeSet<usize> = self
                .table
                .rows()
                .iter()
                .filter(|r| self.time_left(r.profile, &r.secret).is_some_and(|left| left <= 0))
                .map(|r| r.profile)
                .collect();
            self.confirm.extend(due);
            self.confirm_at = Some(now + CONFIRM_DELAY_MS);
            self.recompute_next_due();
        }
        if self.confirm_at.is_none_or(|at| at > now) {
            return vec![];
        }
        self.confirm_at = None;
        let generation = self.generation;
        std::mem::take(&mut self.confirm)
            .into_iter()
            .filter(|p| self.view_profiles().contains(p) && self.loading.insert(*p))
            .map(|profile| Effect::Load { generation, profile })
            .collect()
    }
}

/// Applies one message; returns what must be done outside.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = apply(state, msg);
    // A quit that waited: the last answer has come, or the grace is over.
    if let Some(deadline) = state.quitting
        && (state.in_flight.is_empty() || state.now >= deadline)
    {
        state.quit = true;
    }
    if state.quit {
        effects.extend(copy::clear_on_quit(state));
    }
    effects
}

fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Terminate => {
            let deadline = state.now + SIGNAL_GRACE_MS;
            state.ask_quit(Some(deadline));
            vec![]
        }
        Msg::Tick(now) => tick(state, now),
        Msg::Viewport { rows, screen } => {
            state.page_height = rows;
            state.screen = screen;
            state.after_move();
            vec![]
        }
        Msg::Key(key) => input::on_key(state, key),
        Msg::Page { generation, profile, secrets } => {
            if generation != state.generation {
                return vec![];
            }
            let so_far = state.preview.entry(profile).or_default();
            *so_far += secrets.len();
            // The first pages of a profile that shows nothing yet go on screen at
            // once; past PREVIEW_ROWS (each page re-sorts the table) and on a
            // refresh, the rows wait for the whole listing.
            if !state.fetched_at.contains_key(&profile) && *so_far <= PREVIEW_ROWS {
                // A user who has not moved yet keeps seeing the top: the soonest deletions.
                let at_top = state.table.selected_index() == 0;
                state.table.extend_profile(profile, secrets);
                if at_top {
                    state.table.select_first();
                }
                state.after_move();
            }
            vec![]
        }
        Msg::Loaded { generation, profile, result } => {
            if generation != state.generation {
                // An answer to a view or refresh the user has left behind.
                return vec![];
            }
            state.loading.remove(&profile);
            state.preview.remove(&profile);
            match result {
                Ok(secrets) => {
                    // A refresh (not a first load) may reveal what changed meanwhile.
                    if state.fetched_at.contains_key(&profile) {
                        if state.refresh_announced {
                            let mut brought = std::mem::take(&mut state.brought);
                            brought.add(state, profile, &secrets);
                            state.brought = brought;
                        }
                        let pname = state.profile_name(profile).to_string();
                        let now = state.server_now(profile);
                        for (level, text, announce) in events::revealed(state, profile, &secrets, &pname, now) {
                            if announce {
                                state.report(level, text);
                            } else {
                                state.note(level, text);
                            }
                        }
                    }
                    if state.load_errors.contains_key(&profile) {
                        let pname = state.profile_name(profile).to_string();
                        state.note(Level::Info, format!("profile {pname} answers again"));
                    }
                    state.pending_counts.insert(profile, secrets.iter().filter(|s| s.is_pending_delete()).count());
                    state.table.replace_profile(profile, secrets);
                    state.recompute_next_due();
                    state.fetched_at.insert(profile, state.now);
                    state.load_errors.remove(&profile);
                    state.health.remove(&profile);
                    state
                        .marked
                        .retain(|k| state.table.rows().iter().any(|r| r.profile == k.0 && r.secret.name == k.1));
                    state.after_move();
                }
                Err(e) => {
                    // Shown in the header and over the table, never over the
                    // outcome of something the user did; noted once per new error.
                    if state.load_errors.get(&profile) != Some(&e.text) {
                        let pname = state.profile_name(profile).to_string();
                        state.note(Level::Error, format!("profile {pname}: refresh failed: {}", e.text));
                    }
                    state.load_errors.insert(profile, e.text);
                    state.health.insert(profile, e.health);
                    // Pages of a first load that broke off are not the profile:
                    // a pending deletion may be on a page that never came.
                    if !state.fetched_at.contains_key(&profile) {
                        state.table.replace_profile(profile, vec![]);
                    }
                }
            }
            state.loads_done();
            vec![]
        }
        Msg::CancelDone { profile, name, outcome, bulk } => {
            cancel_done(state, profile, &name, &outcome, bulk);
            vec![]
        }
        Msg::ScheduleDone { profile, name, result } => {
            state.in_flight.remove(&(profile, name.clone()));
            let pname = state.profile_name(profile).to_string();
            match result {
                Ok(secret) => {
                    let when = secret.scheduled_delete_time.map(|t| state.zone.time(t)).unwrap_or_default();
                    state.confirmed(profile, &secret);
                    state.report(
                        Level::Warning,
                        format!("'{name}' (profile {pname}) will be deleted on {when}; c cancels"),
                    );
                }
                Err(e) => state.report(
                    Level::Error,
                    format!("Scheduling the deletion of '{name}' (profile {pname}){}", ended(&e)),
                ),
            }
            vec![]
        }
        Msg::ValueLoaded { profile, name, version, result } => {
            let now = state.now;
            if let Mode::Details { key, value, shown, hide_at, .. } = &mut state.mode
                && *key == (profile, name)
                && *value == Reveal::Loading
                && shown.as_deref() == Some(version.as_str())
            {
                *value = match result {
                    Ok(v) => {
                        *hide_at = Some(now + REVEAL_MS);
                        Reveal::Shown(v)
                    }
                    Err(e) => Reveal::Failed(e),
                };
            }
            vec![]
        }
        Msg::Scroll(rows) if state.mode == Mode::Normal => {
            state.table.move_by(rows);
            state.after_move();
            vec![]
        }
        Msg::Scroll(_) => vec![],
        Msg::Click { row, at } if state.mode == Mode::Normal => {
            let index = state.table.offset() + row;
            if row >= state.page_height || index >= state.table.len() {
                return vec![];
            }
            // A second click on the same row soon after opens its details.
            let double = state.last_click.is_some_and(|(then, i)| i == index && at - then <= DOUBLE_CLICK_MS);
            state.last_click = Some((at, index));
            state.table.move_by(index as isize - state.table.selected_index() as isize);
            state.after_move();
            if double {
                state.last_click = None;
                return input::on_key(state, KeyEvent::from(crossterm::event::KeyCode::Enter));
            }
            vec![]
        }
        Msg::Click { .. } => vec![],
        Msg::TargetsChecked(checked) => state.targets_checked(checked),
        Msg::ProjectFound { profile, project_id } => {
            if let Some(p) = state.profiles.get_mut(profile) {
                p.project_id = project_id;
            }
            vec![]
        }
        Msg::ServerClock { profile, offset } => {
            state.clock_offsets.insert(profile, offset);
            state.recompute_next_due();
            vec![]
        }
        Msg::Paste(text) => {
            forms::paste(state, &text);
            vec![]
        }
        Msg::PasswordGenerated(result) => {
            forms::generated(state, result);
            vec![]
        }
        Msg::Resent { profile, name, send } => {
            let key = (profile, name);
            if state.in_flight.get(&key) == Some(&Op::Create) {
                let text =
                    format!("Creating '{}' (profile {})… retry {}", key.1, state.profile_name(profile), send - 1);
                state.message = Some(Message { text, level: Level::Info, until: Millis::MAX });
                state.sends.insert(key, send);
            }
            vec![]
        }
        Msg::Created { profile, name, result } => {
            state.in_flight.remove(&(profile, name.clone()));
            state.sends.remove(&(profile, name.clone()));
            let pname = state.profile_name(profile).to_string();
            match result {
                Ok(secret) => {
                    state.table.insert_secret(profile, *secret);
                    state.after_move();
                    state.report(Level::Success, format!("Created '{name}' (profile {pname}, v1)"));
                }
                Err(e) => {
                    // Its row stood for the request under way; what the server has, the next refresh shows.
                    state.table.remove_placeholder(profile, &name);
                    state.after_move();
                    state.report(Level::Error, format!("Creating '{name}' (profile {pname}){}", ended(&e)))
                }
            }
            vec![]
        }
        Msg::ValuePut { profile, name, result } => {
            state.in_flight.remove(&(profile, name.clone()));
            match result {
                Ok(version) => {
                    state.report(Level::Success, format!("'{name}' has a new value: {version} is SYSCURRENT"))
                }
                Err(e) => state.report(Level::Error, format!("The new value of '{name}'{}", ended(&e))),
            }
            vec![]
        }
        Msg::RolledBack { profile, name, from, to, result } => {
            state.in_flight.remove(&(profile, name.clone()));
            let key = (profile, name.clone());
            let details_open = matches!(&state.mode, Mode::Details { key: k, .. } if *k == key);
            match result {
                Ok(()) => state.report(
                    Level::Success,
                    format!("Rolled back '{name}': SYSCURRENT {from} -> {to}; {from} is SYSPREVIOUS"),
                ),
                Err(e) => state.report(Level::Error, format!("Rolling back '{name}' to {to}{}", ended(&e))),
            }
            // The details it was asked from show the stages as they are now, whatever the outcome.
            if details_open {
                return vec![Effect::LoadVersions { profile, name }];
            }
            vec![]
        }
        Msg::Described { profile, name, result } => {
            state.in_flight.remove(&(profile, name.clone()));
            match result {
                Ok(secret) => {
                    state.confirmed(profile, &secret);
                    state.report(Level::Success, format!("Description of '{name}' saved"));
                }
                Err(e) => state.report(Level::Error, format!("Saving the description of '{name}'{}", ended(&e))),
            }
            vec![]
        }
        Msg::TagsLoaded { profile, name, result } => {
            tags::loaded(state, &(profile, name), result);
            vec![]
        }
        Msg::TagsChanged { profile, name, result } => tags::changed(state, (profile, name), result),
        Msg::ValueForCopy { name, result, .. } => copy::value_ready(state, &name, result),
        Msg::HistoryLoaded(result) => {
            if let Mode::History(view) = &mut state.mode {
                view.entries = Some(result);
            }
            vec![]
        }
        Msg::VersionsLoaded { profile, name, result } => {
            let asked = (profile, name);
            match &mut state.mode {
                Mode::Details { key, versions, .. } if *key == asked => *versions = Some(result),
                Mode::NewValue(form) if form.key == asked => form.versions = Some(result),
                _ => {}
            }
            vec![]
        }
    }
}

fn tick(state: &mut State, now: Millis) -> Vec<Effect> {
    state.now = now;
    if state.message.as_ref().is_some_and(|m| m.until <= now) {
        state.message = None;
    }
    if let Mode::Details { value, shown, hide_at, .. } = &mut state.mode
        && hide_at.is_some_and(|at| at <= now)
    {
        *value = Reveal::Hidden;
        *shown = None;
        *hide_at = None;
    }
    let mut effects = copy::clear_when_due(state);
    if state.loading.is_empty() && now - state.last_refresh >= state.refresh_every {
        effects.extend(state.refresh());
    } else {
        effects.extend(state.confirm_due());
    }
    effects
}

fn cancel_done(state: &mut State, profile: usize, name: &str, outcome: &CancelOutcome, bulk: bool) {
    state.in_flight.remove(&(profile, name.to_string()));
    let pname = state.profile_name(profile).to_string();
    if let Some(secret) = outcome.secret() {
        // The server's own word on this secret; rows of other projects are never touched.
        state.confirmed(profile, secret);
    }
    let (level, text) = match outcome {
        CancelOutcome::Cancelled(s) => {
            (Level::Success, format!("Deletion of '{name}' cancelled (profile {pname}): now {}", s.state_label()))
        }
        CancelOutcome::NotPending(s) => {
            (Level::Info, format!("'{name}' (profile {pname}) was not pending deletion: {}", s.state_label()))
        }
        CancelOutcome::Failed(e) => (Level::Error, format!("Cancel of '{name}' (profile {pname}) failed: {e}")),
        CancelOutcome::Unknown { error, seen } => (
            Level::Error,
            format!(
                "Cancel of '{name}' (profile {pname}): outcome unknown ({error}); last seen {}",
                seen.as_ref().map_or("nothing", |s| s.state_label())
            ),
        ),
    };
    if !bulk {
        state.report(level, text);
        return;
    }
    let Some(b) = state.bulk.as_mut() else { return };
    b.done += 1;
    if outcome.is_safe() {
        b.safe += 1;
    }
    let detail = match outcome {
        CancelOutcome::Failed(e) => e.to_string(),
        CancelOutcome::Unknown { error, .. } => {
            format!("{error}; last seen {}", outcome.secret().map_or("nothing", |s| s.state_label()))
        }
        _ => format!("now {}", outcome.secret().map_or("?", |s| s.state_label())),
    };
    b.lines.push((profile, outcome.is_safe(), format!("{:<19} {name} ({pname}): {detail}", outcome.label())));
    let (done, total, safe) = (b.done, b.total, b.safe);
    if done < total {
        state.say(Level::Info, format!("Cancelling deletions: {done}/{total}"));
        return;
    }
    let lines = state.bulk.take().map(|b| b.lines).unwrap_or_default();
    let lines = report_lines(state, lines);
    let level = if safe == total { Level::Success } else { Level::Error };
    state.report(level, format!("Bulk cancel done: {safe} of {total} no longer pending deletion"));
    if state.mode == Mode::Normal {
        state.mode = Mode::Report { title: format!("Bulk cancel: {safe}/{total} safe"), lines, scroll: 0 };
    }
}

/// How a change that did not succeed ended, after the words naming it:
/// ` failed: why`, or `: outcome unknown (...)` when no answer settled it
/// (never both).
pub(crate) fn ended(e: &str) -> String {
    if e.starts_with(crate::csms::reconcile::OUTCOME_UNKNOWN) { format!(": {e}") } else { format!(" failed: {e}") }
}

/// A bulk cancel's report: problems first; over several targets, grouped by
/// target (in name order), each under a line that says how it went there.
fn report_lines(state: &State, mut lines: Vec<(usize, bool, String)>) -> Vec<String> {
    let several = lines.iter().any(|l| l.0 != lines[0].0);
    if !several {
        lines.sort_by_key(|(_, safe, _)| *safe);
        return lines.into_iter().map(|(_, _, line)| line).collect();
    }
    lines.sort_by(|a, b| state.profile_name(a.0).cmp(state.profile_name(b.0)).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    for group in lines.chunk_by(|a, b| a.0 == b.0) {
        let safe = group.iter().filter(|l| l.1).count();
        out.push(format!("── {}: {safe} of {} safe", state.profile_name(group[0].0), group.len()));
        out.extend(group.iter().map(|(_, _, line)| format!("  {line}")));
    }
    out
}

/// A word a POSIX shell reads back as itself: as it is when it holds only
/// characters no shell treats specially, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
