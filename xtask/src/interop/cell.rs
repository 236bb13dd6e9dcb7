//! Running one cell: the peers' command lines, the processes started (server first, its
//! address read from what it prints) and bounded, and what they printed handed to the
//! judge.

use std::process::Command;
use std::time::Instant;

use super::judge::{
    judge_pair, judge_resumption, judge_s_client, judge_vs_s_server, End, Expect, Verdict,
};
use super::openssl_cli::{rev_line, s_server_addr};
use super::peer_log::listening_addr;
use super::plan::{gate, Plan, Variant, Version};
use super::{
    Env, BULK, OPENSSL_CLI, PROCESS_TIMEOUT, RESUMPTION_CONNECTIONS, SERVER_GRACE, SERVER_NAME,
    S_CLIENT_LINE,
};
use crate::running::{Finished, Running};
use crate::text::one_line;
use unitls_model::Mode;

/// Runs one cell.
pub(super) fn run_cell(env: &Env, plan: &Plan) -> Verdict {
    let (client_caps, server_caps) = (env.caps(&plan.client), env.caps(&plan.server));
    if let Some(reason) = gate(
        (&plan.client, &client_caps),
        (&plan.server, &server_caps),
        plan.variant,
        plan.version,
    ) {
        return Verdict::unsupported(reason);
    }
    if let Err(e) = &env.fixtures {
        return Verdict::fail(format!("no fixtures: {e}"));
    }
    let result = if plan.server == OPENSSL_CLI {
        peer_vs_s_server(env, plan)
    } else if plan.client == OPENSSL_CLI {
        s_client_vs_peer(env, plan)
    } else {
        peer_pair(env, plan)
    };
    result.unwrap_or_else(Verdict::fail)
}

/// `--async` for an async end.
fn mode_args(mode: Mode) -> Vec<String> {
    match mode {
        Mode::Blocking => Vec::new(),
        Mode::Async => vec!["--async".to_owned()],
    }
}

/// The server peer's arguments.
fn server_args(env: &Env, variant: Variant, version: Version, mode: Mode) -> Vec<String> {
    let connections = match variant {
        Variant::Resumption => RESUMPTION_CONNECTIONS,
        _ => 1,
    }
    .to_string();
    let mut args: Vec<String> = [
        "server",
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        &connections,
        "--handshake-timeout",
        "10",
        "--min-version",
        version.arg(),
        "--max-version",
        version.arg(),
    ]
    .map(String::from)
    .to_vec();
    args.extend([
        "--cert".to_owned(),
        env.fixture("server-chain.pem"),
        "--key".to_owned(),
        env.fixture("server-key.pem"),
    ]);
    match variant {
        Variant::Basic | Variant::Resumption => {}
        Variant::Alpn => args.extend(["--alpn".to_owned(), "http/1.1".to_owned()]),
        Variant::ClientAuth => args.extend([
            "--client-ca".to_owned(),
            env.fixture("ca.pem"),
            "--client-auth".to_owned(),
            "required".to_owned(),
        ]),
    }
    args.extend(mode_args(mode));
    args
}

/// The client peer's arguments common to every cell.
fn client_args(env: &Env, addr: &str, version: Version, mode: Mode) -> Vec<String> {
    let mut args: Vec<String> = [
        "client",
        "--connect",
        addr,
        "--sni",
        SERVER_NAME,
        "--handshake-timeout",
        "10",
        "--min-version",
        version.arg(),
        "--max-version",
        version.arg(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(["--ca".to_owned(), env.fixture("ca.pem")]);
    args.extend(mode_args(mode));
    args
}

/// The client peer's arguments for `variant`.
fn client_variant_args(env: &Env, variant: Variant) -> Vec<String> {
    match variant {
        Variant::Basic => vec!["--send-bytes".to_owned(), BULK.to_string()],
        Variant::Alpn => vec!["--alpn".to_owned(), "h2,http/1.1".to_owned()],
        Variant::ClientAuth => vec![
            "--cert".to_owned(),
            env.fixture("client-chain.pem"),
            "--key".to_owned(),
            env.fixture("client-key.pem"),
        ],
        Variant::Resumption => vec![
            "--resume".to_owned(),
            (RESUMPTION_CONNECTIONS - 1).to_string(),
        ],
    }
}

/// Starts `command`, waits for the line `addr_of` recognises, and returns the process
/// and the address; on failure, why (with what it printed).
fn start_server(
    command: &mut Command,
    addr_of: impl FnMut(&str) -> Option<String>,
) -> Result<(Running, String), String> {
    let mut server = Running::spawn(command, false)?;
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    match server.line_until(deadline, addr_of) {
        Some(addr) => Ok((server, addr)),
        None => {
            let finished = server.finish(Instant::now());
            Err(format!(
                "`{}` never said where it listens ({}); stdout: {}; stderr: {}",
                finished.shown,
                finished.describe(),
                one_line(&finished.stdout.join("\n")),
                one_line(&finished.stderr_tail(5))
            ))
        }
    }
}

/// A client peer against a server peer.
fn peer_pair(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let (server_path, server_caps) = env.peer(&plan.server)?;
    let (client_path, client_caps) = env.peer(&plan.client)?;
    let modes = plan.modes;
    let (server, addr) = start_server(
        Command::new(server_path).args(server_args(env, plan.variant, plan.version, modes.server)),
        listening_addr,
    )?;
    let client = Running::spawn(
        Command::new(client_path)
            .args(client_args(env, &addr, plan.version, modes.client))
            .args(client_variant_args(env, plan.variant)),
        false,
    )?;
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let server = finish_server(server, &client);
    let client = End::new("client", &plan.client, client_caps, modes.client, &client);
    let server = End::new("server", &plan.server, server_caps, modes.server, &server);
    Ok(match plan.variant {
        Variant::Resumption => judge_resumption(plan.version, &client, &server),
        _ => judge_pair(Expect::of(plan.variant, plan.version), &client, &server),
    })
}

/// A client peer against `openssl s_server -rev`.
fn peer_vs_s_server(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let openssl = env.openssl.as_ref().map_err(Clone::clone)?;
    let (client_path, client_caps) = env.peer(&plan.client)?;
    let mut command = Command::new("openssl");
    command.args([
        "s_server",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-rev",
    ]);
    command.arg(plan.version.openssl_flag());
    command.arg("-cert").arg(env.fixture("server-leaf.pem"));
    command
        .arg("-cert_chain")
        .arg(env.fixture("intermediate.pem"));
    command.arg("-key").arg(env.fixture("server-key.pem"));
    let (server, addr) = start_server(&mut command, s_server_addr)?;
    let (sent, back) = rev_line();
    let mut args = client_args(env, &addr, plan.version, plan.modes.client);
    args.extend(["--send".to_owned(), sent, "--expect".to_owned(), back]);
    let client = Running::spawn(Command::new(client_path).args(args), false)?;
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let server = finish_server(server, &client);
    Ok(judge_vs_s_server(
        plan.version,
        &End::new(
            "client",
            &plan.client,
            client_caps,
            plan.modes.client,
            &client,
        ),
        &server,
        &openssl.ciphers,
    ))
}

/// `openssl s_client` against a server peer.
fn s_client_vs_peer(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let openssl = env.openssl.as_ref().map_err(Clone::clone)?;
    let (server_path, server_caps) = env.peer(&plan.server)?;
    let (server, addr) = start_server(
        Command::new(server_path).args(server_args(
            env,
            Variant::Basic,
            plan.version,
            plan.modes.server,
        )),
        listening_addr,
    )?;
    let mut command = Command::new("openssl");
    command.args(["s_client", "-connect", &addr, "-servername", SERVER_NAME]);
    command.args([
        "-verify_hostname",
        SERVER_NAME,
        "-verify_return_error",
        "-nocommands",
    ]);
    command.arg(plan.version.openssl_flag());
    command.arg("-CAfile").arg(env.fixture("ca.pem"));
    let mut client = Running::spawn(&mut command, true)?;
    let echoed = client
        .write_stdin(format!("{S_CLIENT_LINE}\n").as_bytes())
        .is_ok()
        && client
            .line_until(Instant::now() + PROCESS_TIMEOUT, |line| {
                (line == S_CLIENT_LINE).then_some(())
            })
            .is_some();
    // End of input: s_client sends close_notify and exits.
    client.close_stdin();
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let server = finish_server(server, &client);
    Ok(judge_s_client(
        plan.version,
        &End::new(
            "server",
            &plan.server,
            server_caps,
            plan.modes.server,
            &server,
        ),
        &client,
        echoed,
        &openssl.ciphers,
    ))
}

/// Waits for a server process once its client has finished: as long as a process may
/// run after a successful client, only [`SERVER_GRACE`] after a failed one (the server
/// may never have been reached).
fn finish_server(server: Running, client: &Finished) -> Finished {
    let grace = if client.success() {
        PROCESS_TIMEOUT
    } else {
        SERVER_GRACE
    };
    server.finish(Instant::now() + grace)
}
