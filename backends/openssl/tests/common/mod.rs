//! OpenSSL's native objects for the shared suite: the adapter shared with the other
//! OpenSSL-family backend.

use unitls_openssl::openssl as tls;
use unitls_openssl::OpenSsl as Marker;

#[path = "../../../ossl-common/test/natives.rs"]
mod adapter;

pub(crate) use adapter::NATIVES;
