//! Server names: the SNI a client sends and the reference identity it verifies
//! (SPEC SNI-2..5).

use std::fmt;
use std::net::IpAddr;

use crate::{Error, Result};

/// A checked server name: a DNS name (sent as SNI) or an IP address (never sent as
/// SNI, matched against iPAddress SANs; SPEC SNI-4).
///
/// **SNI, `server_name`, `tlsext_host_name` and `host_name` are one thing**, and this
/// is the one place that says so. TLS's Server Name Indication extension (SNI,
/// RFC 6066) carries the name of the server a client wants in its ClientHello;
/// libraries call it the server name (rustls's `ServerName`) or the TLS-extension host
/// name (OpenSSL's `SSL_set_tlsext_host_name`, hence LispWorks' `:tlsext-host-name` and
/// [`AttachOptions::tlsext_host_name`](crate::AttachOptions::tlsext_host_name)). In
/// unitls the client sets it with [`AttachOptions::client`](crate::AttachOptions::client)
/// or [`host_name`](crate::AttachOptions::host_name), an abstract context's default with
/// [`ContextBuilder::server_name`](crate::ContextBuilder::server_name), and
/// `open_tcp_stream`'s with [`Sni`](crate::Sni); either end reads it back with
/// [`SocketStream::server_name`](crate::SocketStream::server_name).
///
/// A client uses the name twice: sent as SNI (a DNS name only) and as the reference
/// identity the server's certificate must match. A server picks its certificate by the
/// SNI it received (SPEC SNI-10). Every name is checked when given (SPEC SNI-5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerName {
    /// A DNS host name, lower-cased, without a trailing dot.
    Dns(String),
    /// An IP address literal.
    Ip(IpAddr),
}

impl ServerName {
    /// Parses and checks a name: empty names, spaces, NUL, labels over 63 or names
    /// over 253 octets are `InvalidArgument` (SPEC SNI-5).
    pub fn parse(name: &str) -> Result<ServerName> {
        let bracketless = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        if let Ok(ip) = bracketless.parse::<IpAddr>() {
            return Ok(ServerName::Ip(ip));
        }
        let dns = name.strip_suffix('.').unwrap_or(name);
        let bad = |why: &str| {
            Err(Error::invalid(format!(
                "invalid server name {name:?}: {why}"
            )))
        };
        if dns.is_empty() {
            return bad("empty");
        }
        if dns.len() > 253 {
            return bad("longer than 253 octets");
        }
        for label in dns.split('.') {
            if label.is_empty() {
                return bad("empty label");
            }
            if label.len() > 63 {
                return bad("a label is longer than 63 octets");
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'*')
            {
                return bad("only letters, digits, '-' and '_' are allowed");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return bad("a label starts or ends with '-'");
            }
        }
        Ok(ServerName::Dns(dns.to_ascii_lowercase()))
    }

    /// The name to send as SNI: DNS names only.
    pub fn sni(&self) -> Option<&str> {
        match self {
            ServerName::Dns(name) => Some(name),
            ServerName::Ip(_) => None,
        }
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerName::Dns(name) => f.write_str(name),
            ServerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC SNI-5: invalid DNS names are refused.
    #[test]
    fn invalid_names_are_refused() {
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        for bad in ["", "a b", "a\0b", &long_label, &long_name, "a..b", "-a.b"] {
            assert!(ServerName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// SPEC SNI-4: IP literals are names but not SNI.
    #[test]
    fn ip_literals_are_not_sni() {
        let ip = ServerName::parse("127.0.0.1").unwrap();
        assert_eq!(ip.sni(), None);
        assert!(matches!(
            ServerName::parse("[::1]").unwrap(),
            ServerName::Ip(_)
        ));
        assert_eq!(
            ServerName::parse("Example.ORG.").unwrap().sni(),
            Some("example.org")
        );
    }
}
