//! The `Backend` implementation both OpenSSL-family crates share; each crate names
//! its backend type `BackendValue` and says what its library is in `flavor`.

use unitls_core::backend::{Backend, Material, Session, SessionRequest};

use unitls_core::{Capabilities, ImplementationInfo, Result};

use crate::{connect, BackendValue, CAPABILITIES, NAME};

impl Backend for BackendValue {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn precedence(&self) -> u32 {
        crate::PRECEDENCE
    }

    fn info(&self) -> ImplementationInfo {
        ImplementationInfo::new(
            NAME,
            format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
            crate::flavor::library(),
        )
    }

    fn ensure_initialized(&self) -> Result<()> {
        openssl::init();
        Ok(())
    }

    fn check_identity(&self, material: &Material) -> Result<()> {
        connect::check_identity(material)
    }

    fn new_session(&self, request: SessionRequest<'_>) -> Result<Box<dyn Session>> {
        connect::new_session(request)
    }
}
