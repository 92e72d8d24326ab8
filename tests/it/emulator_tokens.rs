//! The emulator's tokens: one user asking for token after token holds at
//! most `TOKENS_PER_USER` live ones, the oldest forgotten first.

use crate::common;

use common::*;
use csms_tui::emulator::TOKENS_PER_USER;

/// The status `GET /v3/auth/projects` answers with this token.
async fn projects_status(url: &str, token: &str) -> u16 {
    let r = reqwest::Client::new().get(format!("{url}/v3/auth/projects")).header("X-Auth-Token", token);
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_holds_a_bounded_number_of_live_tokens_the_oldest_going_first() {
    let server = Server::start();
    let first = issue_token(&server.url).await;
    let mut last = first.clone();
    for _ in 0..TOKENS_PER_USER {
        last = issue_token(&server.url).await;
    }
    assert_eq!(projects_status(&server.url, &last).await, 200, "the newest token works");
    assert_eq!(projects_status(&server.url, &first).await, 401, "the oldest was forgotten");
}
