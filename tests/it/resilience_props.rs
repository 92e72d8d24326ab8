//! A property: whatever mix of successes, errors and dropped connections the
//! server throws at a bulk cancel, the report agrees with the server.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use csms_tui::csms::bulk::{BulkResult, cancel_many};
use csms_tui::csms::{CancelOutcome, Client, RetryPolicy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

const SECRETS: usize = 6;

fn step() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("pass"), Just("error"), Just("drop_before"), Just("drop_after")]
}

#[test]
fn bulk_report_matches_the_server_for_any_fault_script() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = Server::start();
    let mut opts = server.options(aksk_credentials());
    opts.retry = RetryPolicy { max_attempts: 4, base: Duration::from_millis(1), cap: Duration::from_millis(20) };
    let client = Arc::new(Client::new(opts).unwrap());
    let strategy = (
        proptest::collection::vec(step(), 0..40),
        prop_oneof![Just(429u16), Just(500), Just(502), Just(503), Just(504)],
        1usize..=8,
    );
    let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |(script, status, concurrency)| {
            rt.block_on(async {
                assert_eq!(server.admin("reset", json!({})).await.status(), 200);
                server.faults(json!({})).await;
                let names = populate(&server.aksk(), "prop", SECRETS, true).await;
                server.faults(json!({"script": script, "error_status": status})).await;
                let report =
                    cancel_many(client.clone(), names, concurrency, concurrency, |_, _, _| {}, std::future::pending())
                        .await;
                server.faults(json!({})).await;
                for (name, result) in &report.results {
                    let state = server.aksk().show_secret(name).await.unwrap().state_label().to_string();
                    match result {
                        BulkResult::Done(o) if o.is_safe() => prop_assert_eq!(&state, "ENABLED", "{} {:?}", name, o),
                        BulkResult::Done(o) => match o.as_ref() {
                            CancelOutcome::Failed(_) => prop_assert_eq!(&state, "PENDING_DELETE", "{} {:?}", name, o),
                            // Unknown claims nothing but what it saw last; it must say so.
                            CancelOutcome::Unknown { .. } => prop_assert_eq!(o.label(), "unknown"),
                            _ => unreachable!(),
                        },
                        BulkResult::NotStarted => prop_assert!(false, "nothing stops this run"),
                    }
                }
                Ok(())
            })
        })
        .unwrap();
}
