//! `csms serve`: runs the emulator until Ctrl-C or SIGTERM.

use super::args::ServeArgs;
use super::exit;
use crate::emulator::{self, Accounts, Database, ServeOptions};

pub async fn run(args: ServeArgs) -> i32 {
    if !args.listen.ip().is_loopback() {
        if !args.allow_remote {
            eprintln!("error: {} is not a loopback address; add --allow-remote to listen there", args.listen);
            return exit::USAGE;
        }
        eprintln!(
            "warning: listening on {}: anyone who can reach it and holds a credential can use this emulator",
            args.listen
        );
    }
    // A missing header would compare equal to an empty token and open the admin API to anyone.
    if args.admin_token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        eprintln!(
            "error: the admin token (--admin-token or CSMS_EMULATOR_ADMIN_TOKEN) is empty; \
             give a non-empty token, or unset it to keep the admin API off"
        );
        return exit::USAGE;
    }
    let generated = args.accounts.is_none();
    let accounts = match &args.accounts {
        Some(path) => match Accounts::load(path) {
            Ok(a) => a,
            Err(e) => {
                esayln!("error: {e}");
                return exit::USAGE;
            }
        },
        None => {
            let a = Accounts::generated();
            let (p, c) = (&a.projects[0], &a.credentials[0]);
            // Printed once, on purpose: without an accounts file these are the only way in.
            outln!(
                "project_id = {}\nregion     = {}\naccess_key = {}\nsecret_key = {}",
                p.id,
                p.region,
                c.access_key,
                c.secret_key
            );
            a
        }
    };
    let database = if args.in_memory {
        Database::Memory
    } else {
        match args.db.clone().or_else(emulator::default_db_path) {
            Some(p) => Database::File(p),
            None => {
                eprintln!("error: no data directory on this platform: pass --db PATH or --in-memory");
                return exit::USAGE;
            }
        }
    };
    if let Database::File(p) = &database {
        eprintln!("database: {}", p.display());
    }
    // Listening before the server starts: a SIGTERM right after "listening on" still stops it cleanly.
    let mut termination = match crate::signals::Termination::listen() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot listen for signals: {e}");
            return exit::FAILED;
        }
    };
    let options = ServeOptions {
        listen: args.listen,
        database,
        accounts,
        admin_token: args.admin_token,
        read_timeout: std::time::Duration::from_secs(args.read_timeout),
        quirks: args.quirks.unwrap_or_default(),
    };
    let running = match emulator::start(options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILED;
        }
    };
    outln!("listening on http://{}", running.addr);
    if generated {
        // A profile for this very server, ready to paste into a config file.
        let (p, c) = (&running.shared.accounts.projects[0], &running.shared.accounts.credentials[0]);
        outln!(
            "\n# A csms profile for this server (the key is literal: keep the file chmod 600):\n\
             [profiles.local]\nregion = \"{}\"\nproject_id = \"{}\"\nendpoint = \"http://{}\"\n\
             access_key = \"{}\"\nsecret_key = \"{}\"",
            p.region,
            p.id,
            running.addr,
            c.access_key,
            c.secret_key
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = termination.wait().await;
    eprintln!("stopping");
    match running.stop().await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILED
        }
    }
}
