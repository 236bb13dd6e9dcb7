//! The registry of compiled-in backends and the process-wide default (SPEC IMPL).
//!
//! Backend crates register their `static` backend value; the `unitls` facade
//! registers every backend its features turned on before any stream is made. The
//! default is chosen by the precedence each backend declares
//! ([`Backend::precedence`]: rustls, openssl, boring, native-tls for this
//! workspace's four) whatever order the backends registered in (SPEC IMPL-3), until
//! [`set_default_implementation`] changes it. Core names no backend: a new one
//! registers and declares its place. Backend crates see [`register`] and
//! [`registered`] as `unitls_core::backend::*`; users see the rest at the crate root.

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

/// A registered backend and its live-session counter (SPEC OWN-1).
struct Entry {
    backend: &'static dyn Backend,
    live: &'static AtomicUsize,
}

#[derive(Default)]
struct Registry {
    /// In precedence order.
    backends: Vec<Entry>,
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
    if !reg
        .backends
        .iter()
        .any(|e| e.backend.name() == backend.name())
    {
        // One counter per backend for the process's life (a handful of words).
        let live: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        reg.backends.push(Entry { backend, live });
        reg.backends
            .sort_by_key(|e| (e.backend.precedence(), e.backend.name()));
    }
}

/// The names of the compiled-in (registered) backends, in precedence order
/// (SPEC IMPL-1, IMPL-3).
pub fn implementations() -> Vec<&'static str> {
    read().backends.iter().map(|e| e.backend.name()).collect()
}

/// Whether the backend `name` is available; any string is a fine question (SPEC IMPL-2).
pub fn implementation_available(name: &str) -> bool {
    registered(name).is_some()
}

/// The registered backend called `name`.
pub fn registered(name: &str) -> Option<&'static dyn Backend> {
    read()
        .backends
        .iter()
        .find(|e| e.backend.name() == name)
        .map(|e| e.backend)
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
    let chosen = reg
        .chosen_default
        .and_then(|chosen| reg.backends.iter().find(|e| e.backend.name() == chosen));
    chosen
        .or(reg.backends.first())
        .map(|e| e.backend)
        .ok_or_else(|| {
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

/// Counts sessions of a backend that is not registered (made through the backend
/// value directly): kept apart, so no registered backend's count is off.
static UNREGISTERED: AtomicUsize = AtomicUsize::new(0);

/// The live-session counter of backend `name` (SPEC OWN-1).
fn live_slot(name: &str) -> &'static AtomicUsize {
    read()
        .backends
        .iter()
        .find(|e| e.backend.name() == name)
        .map_or(&UNREGISTERED, |e| e.live)
}

/// How many sessions unitls made on backend `name` are alive now (SPEC OWN-1).
pub fn live_sessions(name: &str) -> usize {
    live_slot(name).load(Ordering::SeqCst)
}

/// Counts a session made on backend `name`; the counter is kept to count it freed.
pub(crate) fn session_made(name: &str) -> &'static AtomicUsize {
    let slot = live_slot(name);
    slot.fetch_add(1, Ordering::SeqCst);
    slot
}
