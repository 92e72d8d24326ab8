//! How the UI holds up with very large profiles: drawing a frame, filtering,
//! ticking and taking in a fresh listing of 100,000 secrets.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use csms_tui::app::{Msg, ProfileInfo, State, View, update};
use csms_tui::csms::{Redacted, Secret, SecretState};
use csms_tui::ui::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const NOW: i64 = 1_800_000_000_000;
const N: usize = 100_000;

fn secrets(n: usize) -> Vec<Secret> {
    (0..n)
        .map(|i| {
            let pending = i % 7 == 0;
            Secret {
                state: Some(if pending { SecretState::PendingDelete } else { SecretState::Enabled }),
                scheduled_delete_time: pending.then(|| NOW + (i as i64 % 30) * 86_400_000 + i as i64 * 1000),
                description: Some(format!("service account {i} of the payments platform")),
                update_time: Some(NOW - i as i64 * 60_000),
                ..Secret::named(format!("secret-{i:06}"))
            }
        })
        .collect()
}

fn loaded_state(n: usize) -> State {
    let profiles = vec![ProfileInfo {
        name: "prod".into(),
        region: "cn-north-4".into(),
        project_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        project_from_iam: false,
        finding: false,
        read_only: false,
        insecure_tls: false,
        endpoint: "https://kms.cn-north-4.myhuaweicloud.com".into(),
    }];
    let (mut state, _) = State::new(profiles, View::Profile(0), 60_000, None, NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(secrets(n)) });
    update(&mut state, Msg::Viewport { rows: csms_tui::ui::table_height(50), screen: (200, 50) });
    state
}

fn benches(c: &mut Criterion) {
    let mut state = loaded_state(N);
    let theme = Theme { color: true };
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();

    c.bench_function("draw frame, 100k secrets, 200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, black_box(&state), &theme)).unwrap();
        });
    });

    // Scrolled to the middle, as after paging through.
    for _ in 0..(N / 2 / 40) {
        update(
            &mut state,
            Msg::Key(ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::PageDown)),
        );
    }
    c.bench_function("draw frame mid-table, 100k secrets, 200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, black_box(&state), &theme)).unwrap();
        });
    });

    let mut tick = NOW;
    c.bench_function("tick, 100k secrets", |b| {
        b.iter(|| {
            tick += 1;
            black_box(update(&mut state, Msg::Tick(black_box(tick))));
        });
    });

    let mut flip = false;
    c.bench_function("filter 100k secrets (apply or clear)", |b| {
        b.iter(|| {
            flip = !flip;
            state.table.set_filter(if flip { "payments platform 4" } else { "" });
        });
    });

    c.bench_function("filter 100k secrets, one word (apply or clear)", |b| {
        b.iter(|| {
            flip = !flip;
            state.table.set_filter(if flip { "platform" } else { "" });
        });
    });

    // Fuzzy: every name scored, then ranked; most names match a short pattern.
    c.bench_function("fuzzy filter 100k secrets (apply or clear)", |b| {
        b.iter(|| {
            flip = !flip;
            state.table.set_filter(if flip { "~sc42" } else { "" });
        });
    });
    state.table.set_filter("~sc42");
    c.bench_function("draw frame under a fuzzy filter, 100k secrets, 200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, black_box(&state), &theme)).unwrap();
        });
    });
    state.table.set_filter("");

    let fresh = secrets(N);
    let generation = state.generation;
    c.bench_function("take in a listing of 100k secrets (sort)", |b| {
        b.iter_batched(
            || fresh.clone(),
            |s| black_box(update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(s) })),
            criterion::BatchSize::LargeInput,
        );
    });

    // The same 100k secrets over 30 targets of one profile, all in one view,
    // two of them failed: a frame must not cost more with the targets.
    let targets = 30;
    let infos = (0..targets)
        .map(|t| ProfileInfo {
            name: format!("acme/cn-north-4_p{t:02}"),
            region: "cn-north-4".into(),
            project_id: format!("{t:032}"),
            project_from_iam: false,
            finding: false,
            read_only: false,
            insecure_tls: false,
            endpoint: "https://kms.cn-north-4.myhuaweicloud.com".into(),
        })
        .collect();
    let (mut radar, _) = State::new(infos, View::All, 60_000, None, NOW);
    let generation = radar.generation;
    let all = secrets(N);
    for (t, chunk) in all.chunks(N / targets + 1).enumerate() {
        let result = if t < 2 { Err("refused".into()) } else { Ok(chunk.to_vec()) };
        update(&mut radar, Msg::Loaded { generation, profile: t, result });
    }
    update(&mut radar, Msg::Viewport { rows: csms_tui::ui::table_height(50), screen: (200, 50) });
    c.bench_function("draw frame, 30 targets, 100k secrets, 200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, black_box(&radar), &theme)).unwrap();
        });
    });

    // A 32 KiB paste (a key, a certificate) into a new secret's value, then
    // the frame that shows the form holding it.
    let paste = "k".repeat(32 * 1024 - 1) + "\r";
    let press = |code| Msg::Key(ratatui::crossterm::event::KeyEvent::from(code));
    let mut form = loaded_state(10);
    update(&mut form, press(ratatui::crossterm::event::KeyCode::Char('n')));
    update(&mut form, press(ratatui::crossterm::event::KeyCode::Tab));
    update(&mut form, press(ratatui::crossterm::event::KeyCode::Tab));
    c.bench_function("paste 32 KiB into a value", |b| {
        b.iter_batched(
            || (form.clone(), Redacted::new(paste.clone())),
            |(mut s, text)| black_box(update(&mut s, Msg::Paste(text))),
            criterion::BatchSize::LargeInput,
        );
    });
    update(&mut form, Msg::Paste(Redacted::new(paste)));
    c.bench_function("draw the new-secret form holding 32 KiB, 200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, black_box(&form), &theme)).unwrap();
        });
    });
}

criterion_group! {
    name = tui;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(tui);
