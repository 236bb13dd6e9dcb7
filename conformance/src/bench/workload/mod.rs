//! The workloads, run on unitls and on the direct baseline alike, and the order the
//! figures are measured in.
//!
//! One file per concept: `wire.rs` (the transports, the server worker thread, one
//! connection, a long-lived pair), `figure.rs` (a figure being assembled and its line),
//! `handshake.rs`, `stream.rs` (throughput, latency, attach/detach) and `memory.rs`
//! (the memory child process) measure; this file holds what a run shares, the probe
//! that both sides negotiate alike, and the bench binary's `main`.

mod figure;
mod handshake;
mod memory;
mod stream;
mod tokio;
mod wire;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use unitls_core::{Capabilities, Capability, CipherSuite, ProtocolVersion};
use unitls_model::bench::{BenchLine, BenchMeta, Plan as SamplingPlan};

use super::ceiling::{self, Rates};
use super::output::{emit, round};
use super::stats::Plan;
use super::system;
use super::{Direct, Endpoints, Implementation, KeyKind, Keys, Negotiated, Setup, Unitls};
use crate::fixtures::pki;
use memory::memory_child;
use wire::{one_connection, SharedEndpoints, Wire, Worker};

/// Everything a run shares.
struct Run<'a> {
    direct: &'a Direct<'a>,
    caps: Capabilities,
    plan: Plan,
    worker: Worker,
    filter: Option<String>,
}

impl Run<'_> {
    fn backend(&self) -> &'static str {
        self.direct.backend
    }

    fn unitls(&self) -> Unitls {
        Unitls {
            backend: self.backend(),
        }
    }

    fn wanted(&self, name: &str) -> bool {
        self.filter.as_deref().map_or(true, |f| name.contains(f))
    }

    /// Why the backend lacks `cap`: the limitation it declares per role, and what the
    /// comparison adds about it.
    fn lacks(&self, cap: Capability) -> String {
        let declared: Vec<String> = self
            .caps
            .lacks()
            .iter()
            .filter(|l| l.capability == cap)
            .map(|l| format!("{}: {}", l.roles.name(), l.reason))
            .collect();
        let why = match declared.is_empty() {
            true => String::new(),
            false => format!(" ({})", declared.join("; ")),
        };
        let note = self
            .direct
            .limitations
            .iter()
            .find(|(c, _)| *c == cap)
            .map_or(String::new(), |(_, note)| format!("; {note}"));
        format!("{} does not declare {cap:?}{why}{note}", self.backend())
    }

    /// The setup of a figure at `version`, with `suite` if the backend can select it.
    fn setup(
        &self,
        version: ProtocolVersion,
        suite: Option<CipherSuite>,
        key: KeyKind,
        resumption: bool,
        notes: &mut Vec<String>,
    ) -> Result<Setup, String> {
        let version_cap = match version {
            ProtocolVersion::Tls12 => Capability::Tls12,
            ProtocolVersion::Tls13 => Capability::Tls13,
        };
        if !self.caps.contains(version_cap) {
            return Err(self.lacks(version_cap));
        }
        if resumption && !self.caps.contains(Capability::Resumption) {
            return Err(self.lacks(Capability::Resumption));
        }
        let suite_cap = match version {
            ProtocolVersion::Tls12 => Capability::CipherSelection,
            ProtocolVersion::Tls13 => Capability::Tls13CipherSelection,
        };
        let suite = match suite {
            Some(s) if self.caps.contains(suite_cap) => Some(s),
            Some(_) => {
                notes.push(format!(
                    "cipher suite not selectable ({}); the library's choice",
                    self.lacks(suite_cap)
                ));
                None
            }
            None => None,
        };
        let x25519 = self.caps.contains(Capability::GroupSelection);
        if !x25519 {
            notes.push(format!(
                "key exchange not pinned ({})",
                self.lacks(Capability::GroupSelection)
            ));
        }
        Ok(Setup {
            version,
            suite,
            x25519,
            resumption,
            key,
        })
    }

    /// Both implementations' endpoints for `setup`, checked on a probe connection
    /// each: they must negotiate the same version and suite (and resume alike).
    fn prepare(
        &self,
        setup: &Setup,
        notes: &mut Vec<String>,
    ) -> Result<(SharedEndpoints, SharedEndpoints), String> {
        let unitls = self
            .unitls()
            .prepare(setup)
            .map_err(|e| format!("unitls: {e}"))?;
        let direct = self
            .direct
            .implementation
            .prepare(setup)
            .map_err(|e| format!("direct: {e}"))?;
        let probe = |ep: &Arc<dyn Endpoints>, who: &str| -> Result<Negotiated, String> {
            let mut n = one_connection(ep, &self.worker, Wire::Memory, true)
                .map_err(|e| format!("{who}: {e}"))?;
            if setup.resumption {
                n = one_connection(ep, &self.worker, Wire::Memory, true)
                    .map_err(|e| format!("{who}: {e}"))?;
                if n.resumed == Some(false) {
                    return Err(format!("{who}: the second connection did not resume"));
                }
            }
            Ok(n)
        };
        let u = probe(&unitls, "unitls")?;
        let d = probe(&direct, "direct")?;
        let differ =
            |a: Option<String>, b: Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
        if differ(
            u.version.map(|v| v.to_string()),
            d.version.map(|v| v.to_string()),
        ) || differ(
            u.suite.map(|s| s.to_string()),
            d.suite.map(|s| s.to_string()),
        ) {
            return Err(format!(
                "unitls negotiated {} but the direct baseline {}",
                describe(&u),
                describe(&d)
            ));
        }
        if setup.x25519 && u.group.as_deref().is_some_and(|g| g != "x25519") {
            return Err(format!(
                "X25519 was pinned but unitls negotiated {}",
                describe(&u)
            ));
        }
        notes.push(format!("negotiated {}", describe(&u)));
        Ok((unitls, direct))
    }
}

fn describe(n: &Negotiated) -> String {
    let mut parts = Vec::new();
    parts.push(
        n.version
            .map_or("an unreported version".into(), |v| v.to_string()),
    );
    parts.push(
        n.suite
            .map_or("an unreported suite".into(), |s| s.to_string()),
    );
    if n.resumed == Some(true) {
        parts.push("resumed".into());
    }
    if let Some(group) = &n.group {
        parts.push(group.clone());
    }
    parts.join(", ")
}

/// The bench binary's `main` (see [`super::main`]).
pub(crate) fn main(direct: Direct<'_>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut quick = false;
    let mut pin = true;
    let mut filter = None;
    let mut memory_side = None;
    let mut connections = None;
    let mut samples: Option<usize> = None;
    let mut sample_ms: Option<u64> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--bench" => {}
            "--no-pin" => pin = false,
            "--memory-child" => memory_side = rest.next().cloned(),
            "--connections" => connections = rest.next().and_then(|n| n.parse().ok()),
            "--filter" => filter = rest.next().cloned(),
            "--samples" => samples = rest.next().and_then(|n| n.parse().ok()),
            "--sample-ms" => sample_ms = rest.next().and_then(|n| n.parse().ok()),
            other if !other.starts_with('-') => filter = Some(other.to_owned()),
            other => {
                eprintln!(
                    "unknown option {other}; usage: compare [--quick] [--no-pin] [--filter NAME] \
                     [--samples N] [--sample-ms MS]"
                );
                return ExitCode::from(2);
            }
        }
    }
    if pin {
        if let Some(status) = system::reexec_pinned(&args) {
            return status;
        }
    }
    (direct.register)();
    let backend = direct.backend;
    let Some(caps) = unitls_core::capabilities(backend) else {
        eprintln!("backend {backend} did not register");
        return ExitCode::FAILURE;
    };
    let mut plan = if quick { Plan::quick() } else { Plan::full() };
    if let Some(samples) = samples {
        plan.samples = samples;
    }
    if let Some(ms) = sample_ms {
        plan.sample_time = Duration::from_millis(ms);
    }
    let run = Run {
        direct: &direct,
        caps,
        plan,
        worker: Worker::new(),
        filter,
    };
    if let Some(side) = memory_side {
        let connections = connections.unwrap_or(plan.connections);
        if side.starts_with("tokio-") {
            return tokio::tokio_memory_child(&run, &side, connections);
        }
        return memory_child(&run, &side, connections);
    }
    let started = Instant::now();
    let info = unitls_core::implementation_info(backend);
    eprintln!(
        "==> {backend}: unitls vs {} ({}), {} plan, pinned to CPU {}",
        direct.api,
        direct.library,
        if quick { "quick" } else { "full" },
        system::pinned_cpu().map_or("(none)".to_owned(), |c| c.to_string()),
    );
    emit(&BenchLine::Meta(BenchMeta {
        backend: backend.to_owned(),
        library: info.as_ref().map(|i| i.library.clone()),
        crate_version: info.as_ref().map(|i| i.crate_version.clone()),
        direct_api: format!("{}; tokio figures: {}", direct.api, direct.async_api),
        direct_library: direct.library.clone(),
        primitives: direct.primitives_library.clone(),
        plan: if quick {
            SamplingPlan::Quick
        } else {
            SamplingPlan::Full
        },
        pinned_cpu: system::pinned_cpu().map(|c| c as u64),
        cpus_allowed: system::allowed_cpus().map(|c| c.len() as u64),
        samples: plan.samples as u64,
        sample_ms: plan.sample_time.as_millis() as u64,
        warmup_ms: plan.warmup.as_millis() as u64,
    }));

    let pki = pki();
    let keys = Keys {
        ecdsa_pkcs8: &pki.server.key_der,
        rsa_pkcs8: &pki.server_rsa.key_der,
    };
    // With a filter that leaves the ceiling out, figures have no ceiling fraction.
    let rates = if run.wanted("ceiling") {
        ceiling::measure(&plan, backend, direct.primitives, keys, &mut |l| emit(&l))
    } else {
        Rates::default()
    };
    run.handshakes(&rates);
    run.throughput(&rates);
    run.latency();
    run.attach_detach(&rates);
    run.tokio_figures(&rates);
    run.memory();
    emit(&BenchLine::Done {
        backend: backend.to_owned(),
        seconds: round(started.elapsed().as_secs_f64()),
    });
    eprintln!(
        "==> {backend}: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
