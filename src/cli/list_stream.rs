//! `list -o json` written as the pages arrive: each page is printed and then
//! dropped, so memory stays a page deep whatever the number of secrets.
//!
//! Profiles are fetched concurrently and written in their configured order; a
//! later profile's pages wait for the ones before it. A profile that fails
//! part-way has its confirmed rows printed, its error on stderr, and the
//! command exits 1; the array is always closed, so the output stays JSON.
//! When no profile answers at all nothing is printed: `[]` would read as
//! "no secrets".

use std::collections::VecDeque;
use std::io::{BufWriter, Write};

use super::secrets::secret_json;
use super::{client_apart, error_status, exit, note_clock, window_now};
use crate::config::Profile;
use crate::csms::model::Millis;
use crate::csms::{self, Secret};
use crate::workspace::Workspace;

/// What one profile's fetch sends to the writer.
enum Fetched {
    /// A page, where deletion windows started when it came (`window_now`),
    /// and the project id the client used (IAM may have found it).
    Page(Vec<Secret>, Millis, Option<String>),
    Done(csms::Result<()>),
}

/// Streams every secret of `profiles` that `keep` accepts (given where its
/// profile's deletion windows start, `window_now`) as one JSON array on stdout, and returns the
/// exit status.
pub(super) async fn stream_json(
    ws: &Workspace,
    profiles: &[&Profile],
    page_size: Option<u32>,
    keep: impl Fn(&Secret, Millis) -> bool,
) -> i32 {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Fetched)>();
    let limits = crate::csms::host_limit::HostLimits::default();
    let jobs: Vec<_> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let tx = tx.clone();
            let limits = &limits;
            async move {
                let _room = limits.acquire(&p.endpoint).await;
                let result = match client_apart(ws, p).await {
                    Ok(client) => {
                        let size = page_size.unwrap_or(p.page_size);
                        let pages = client
                            .each_secret_page(size, |page| {
                                let project_id = client.known_project_id().map(str::to_string);
                                let _ = tx.send((
                                    i,
                                    Fetched::Page(page, window_now(client.clock_offset().unwrap_or(0)), project_id),
                                ));
                            })
                            .await;
                        note_clock(&p.name, &client);
                        pages
                    }
                    Err(e) => Err(e),
                };
                let _ = tx.send((i, Fetched::Done(result)));
            }
        })
        .collect();
    drop(tx);
    let fetch = futures::future::join_all(jobs);

    let write = async {
        let mut writer = ArrayWriter::new(std::io::stdout());
        let mut queued: Vec<VecDeque<Fetched>> = profiles.iter().map(|_| VecDeque::new()).collect();
        // The profile being written; everything before it is finished.
        let mut current = 0;
        let mut failed = exit::OK;
        let mut any_answered = false;
        while let Some((i, fetched)) = rx.recv().await {
            queued[i].push_back(fetched);
            while let Some(fetched) = queued.get_mut(current).and_then(VecDeque::pop_front) {
                let profile = profiles[current];
                match fetched {
                    Fetched::Page(page, now, project_id) => {
                        for s in page.iter().filter(|s| keep(s, now)) {
                            if writer.element(&secret_json(profile, project_id.as_deref(), s)).is_err() {
                                // stdout is gone (`| head`): nobody reads on.
                                return exit::FAILED;
                            }
                        }
                    }
                    Fetched::Done(Ok(())) => {
                        any_answered = true;
                        current += 1;
                    }
                    Fetched::Done(Err(e)) => {
                        failed = failed.max(report_failure(&profile.name, &e));
                        current += 1;
                    }
                }
            }
            // What is written goes out now: a reader sees a fast profile's
            // rows while a slow one is still being fetched.
            if writer.flush().is_err() {
                return exit::FAILED;
            }
        }
        let printed = any_answered || writer.opened();
        if printed && writer.finish().is_err() {
            return exit::FAILED;
        }
        match (failed, printed) {
            (exit::OK, _) => exit::OK,
            // Some rows came back and some did not.
            (_, true) => exit::FAILED,
            // Nothing came back: the failure's own status.
            (status, false) => status,
        }
    };

    let (fetch, write) = (std::pin::pin!(fetch), std::pin::pin!(write));
    // The writer only ends early when stdout is gone; then the fetches stop too.
    match futures::future::select(write, fetch).await {
        futures::future::Either::Left((status, _)) => status,
        futures::future::Either::Right((_, write)) => write.await,
    }
}

/// Says on stderr why a profile's listing failed, and returns its status.
pub(super) fn report_failure(profile: &str, e: &csms::Error) -> i32 {
    match e.profile() {
        Some(_) => esayln!("error: {e}"),
        None => esayln!("error: profile {profile}: {e}"),
    }
    error_status(e)
}

/// A pretty-printed JSON array written one element at a time, opened by the
/// first element (or by `finish`, as `[]`); byte for byte what
/// `serde_json::to_string_pretty` makes of the whole array.
struct ArrayWriter<W: Write> {
    out: BufWriter<W>,
    /// One element's text, reused.
    buf: Vec<u8>,
    written: usize,
}

impl<W: Write> ArrayWriter<W> {
    fn new(out: W) -> Self {
        Self { out: BufWriter::new(out), buf: Vec::new(), written: 0 }
    }

    fn opened(&self) -> bool {
        self.written > 0
    }

    fn element(&mut self, value: &serde_json::Value) -> std::io::Result<()> {
        self.buf.clear();
        serde_json::to_writer_pretty(&mut self.buf, value).map_err(std::io::Error::other)?;
        self.out.write_all(if self.written == 0 { b"[\n  " } else { b",\n  " })?;
        // One level deeper than on its own. A newline inside JSON text is
        // always structure: strings carry theirs escaped.
        for (n, line) in self.buf.split(|b| *b == b'\n').enumerate() {
            if n > 0 {
                self.out.write_all(b"\n  ")?;
            }
            self.out.write_all(line)?;
        }
        self.written += 1;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::ArrayWriter;
    use serde_json::json;

    fn written(values: &[serde_json::Value]) -> String {
        let mut bytes = Vec::new();
        let mut w = ArrayWriter::new(&mut bytes);
        for v in values {
            w.element(v).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn streamed_array_reads_as_the_whole_array_pretty_printed() {
        for values in [
            vec![],
            vec![json!({"name": "a\nb", "tags": [1, 2], "nested": {"k": null}})],
            vec![json!({"name": "one"}), json!({"name": "two", "list": []}), json!("x")],
        ] {
            let whole = serde_json::to_string_pretty(&values).unwrap() + "\n";
            assert_eq!(written(&values), whole);
        }
    }
}
