//! The registry of compiled-in backends and the process-wide default (SPEC IMPL).
//!
//! Backend crates register their `static` backend value; the `unitls` facade
//! registers every backend its features turned on before any stream is made. The
//! default is chosen by a fixed precedence — rustls, openssl, boring, native-tls —
//! whatever order the backends registered in (SPEC IMPL-3), until
//! [`set_default_implementation`] changes it. Backend crates see [`register`],
//! [`registered`] and [`KNOWN_BACKENDS`] as `unitls_core::backend::*`; users see the
//! rest at the crate root.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};

use crate::{Backend, Capabilities, Error, Result};

/// Crate and library versions of a backend (SPEC IMPL-9; LispWorks `openssl-version`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImplementationInfo {
    /// The backend's registry name (`"rustls"`).
    pub name: &'static str,
    /// The unitls backend crate and its version (`"unitls-rustls 0.1.0"`).
    pub crate_version: String,
    /// The TLS library and its version (`"rustls 0.23.35 (aws-lc-rs)"`).
    pub library: String,
}

impl ImplementationInfo {
    /// What a backend's [`Backend::info`] reports.
    pub fn new(
        name: &'static str,
        crate_version: impl Into<String>,
        library: impl Into<String>,
    ) -> ImplementationInfo {
        ImplementationInfo {
            name,
            crate_version: crate_version.into(),
            library: library.into(),
        }
    }
}

/// The backends unitls knows, in default precedence order (SPEC IMPL-1, IMPL-3).
pub const KNOWN_BACKENDS: [&str; 4] = ["rustls", "openssl", "boring", "native-tls"];

#[derive(Default)]
struct Registry {
    backends: Vec<&'static dyn Backend>,
    chosen_default: Option<&'static str>,
}

fn registry() -> &'static RwLock<Registry> {
    static REGISTRY: OnceLock<RwLock<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn read() -> std::sync::RwLockReadGuard<'static, Registry> {
    registry().read().unwrap_or_else(PoisonError::into_inner)
}

/// Adds a backend; registering the same name again does nothing.
pub fn register(backend: &'static dyn Backend) {
    let mut reg = registry().write().unwrap_or_else(PoisonError::into_inner);
    if !reg.backends.iter().any(|b| b.name() == backend.name()) {
        reg.backends.push(backend);
    }
}

/// The names of the compiled-in (registered) backends, in precedence order
/// (SPEC IMPL-1).
pub fn implementations() -> Vec<&'static str> {
    let reg = read();
    let mut names: Vec<&'static str> = reg.backends.iter().map(|b| b.name()).collect();
    names.sort_by_key(|n| {
        KNOWN_BACKENDS
            .iter()
            .position(|k| k == n)
            .unwrap_or(usize::MAX)
    });
    names
}

/// Whether the backend `name` is available; any string is a fine question (SPEC IMPL-2).
pub fn implementation_available(name: &str) -> bool {
    registered(name).is_some()
}

/// The registered backend called `name`.
pub fn registered(name: &str) -> Option<&'static dyn Backend> {
    read().backends.iter().copied().find(|b| b.name() == name)
}

/// The registered backend called `name`, or `InvalidArgument` naming the available ones.
pub(crate) fn lookup(name: &str) -> Result<&'static dyn Backend> {
    registered(name).ok_or_else(|| {
        Error::invalid(format!(
            "the TLS backend {name:?} is not available; compiled in: {:?} \
             (enable the unitls cargo feature of the same name)",
            implementations()
        ))
    })
}

pub(crate) fn lookup_name(name: &str) -> Result<&'static str> {
    lookup(name).map(|b| b.name())
}

/// The default backend's name (SPEC IMPL-3).
pub fn default_implementation() -> Result<&'static str> {
    default_backend().map(|b| b.name())
}

/// The default backend: the one chosen with [`set_default_implementation`], else
/// the first registered by precedence.
pub(crate) fn default_backend() -> Result<&'static dyn Backend> {
    let reg = read();
    if let Some(chosen) = reg.chosen_default {
        if let Some(b) = reg.backends.iter().copied().find(|b| b.name() == chosen) {
            return Ok(b);
        }
    }
    drop(reg);
    let first = implementations().into_iter().next();
    first.and_then(registered).ok_or_else(|| {
        Error::invalid(
            "no TLS backend is registered: use the `unitls` crate with a backend feature, \
             or call the backend crate's `register()`",
        )
    })
}

/// Makes `name` the default backend; an unavailable name is `InvalidArgument` and
/// leaves the default unchanged (SPEC IMPL-4). Live connections keep theirs (IMPL-5).
pub fn set_default_implementation(name: &str) -> Result<()> {
    let chosen = lookup_name(name)?;
    registry()
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .chosen_default = Some(chosen);
    Ok(())
}

/// The capabilities backend `name` declares (SPEC IMPL-8).
pub fn capabilities(name: &str) -> Option<Capabilities> {
    registered(name).map(|b| b.capabilities())
}

/// Crate and library versions of backend `name` (SPEC IMPL-9).
pub fn implementation_info(name: &str) -> Option<ImplementationInfo> {
    registered(name).map(|b| b.info())
}

/// Initialises backend `name` (`None`: the default) once per process; safe to call
/// repeatedly and concurrently (SPEC INIT-2; LispWorks `ensure-ssl`).
pub fn ensure_initialized(name: Option<&str>) -> Result<()> {
    let backend = match name {
        Some(name) => lookup(name)?,
        None => default_backend()?,
    };
    static DONE: OnceLock<Mutex<HashMap<&'static str, ()>>> = OnceLock::new();
    let done = DONE.get_or_init(Default::default);
    let mut done = done.lock().unwrap_or_else(PoisonError::into_inner);
    if !done.contains_key(backend.name()) {
        backend.ensure_initialized()?;
        done.insert(backend.name(), ());
    }
    Ok(())
}

/// Seeds the random number generator. Every backend seeds itself from the operating
/// system, so this only makes sure the default backend is initialised (SPEC INIT-1;
/// LispWorks `do-rand-seed`).
pub fn do_rand_seed() -> Result<()> {
    ensure_initialized(None)
}

/// Live per-connection sessions that unitls made, per backend (SPEC OWN-1).
static LIVE: [AtomicUsize; KNOWN_BACKENDS.len() + 1] =
    [const { AtomicUsize::new(0) }; KNOWN_BACKENDS.len() + 1];

fn live_slot(name: &str) -> &'static AtomicUsize {
    let index = KNOWN_BACKENDS
        .iter()
        .position(|k| *k == name)
        .unwrap_or(KNOWN_BACKENDS.len());
    &LIVE[index]
}

/// How many sessions unitls made on backend `name` are alive now (SPEC OWN-1).
pub fn live_sessions(name: &str) -> usize {
    live_slot(name).load(Ordering::SeqCst)
}

pub(crate) fn session_made(name: &str) {
    live_slot(name).fetch_add(1, Ordering::SeqCst);
}

pub(crate) fn session_freed(name: &str) {
    live_slot(name).fetch_sub(1, Ordering::SeqCst);
}
