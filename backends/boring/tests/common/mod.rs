//! BoringSSL's native objects for the shared suite: the adapter shared with the other
//! OpenSSL-family backend.

use unitls_boring::boring as tls;
use unitls_boring::Boring as Marker;

#[path = "../../../ossl-common/test/natives.rs"]
mod adapter;

pub(crate) use adapter::NATIVES;
