//! Inquiry rate limiting: a token bucket per client (a client may send
//! `burst` inquiries at once, then `per_minute`), kept in the database so
//! that every replica counts the same client once (see `db::inquiries`).
//! Behind a load balancer the client is found in `X-Forwarded-For`, but
//! only when the connection comes from a proxy the server was told to trust.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_minute: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_minute: 30.0,
            burst: 10.0,
        }
    }
}

impl RateLimit {
    /// How long an untouched bucket takes to fill up again: after that its
    /// row may be forgotten.
    pub fn refill_seconds(&self) -> f64 {
        self.burst / (self.per_minute / 60.0)
    }
}

/// The client a request comes from: the peer, or, when the peer is a
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not one.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer.ip();
    if !trusted.contains(&client) {
        return client;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(forwarded).unwrap());
        headers
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let trusted = ["127.0.0.1".parse().unwrap()];
        let visitor: IpAddr = "203.0.113.7".parse().unwrap();
        // A client cannot choose its own address by sending the header.
        assert_eq!(
            client_address(
                "198.51.100.1:5".parse().unwrap(),
                &headers("203.0.113.7"),
                &trusted
            ),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_address(proxy, &headers("203.0.113.7"), &trusted),
            visitor
        );
        // What the client itself wrote before the proxy's entry is ignored.
        assert_eq!(
            client_address(proxy, &headers("10.9.9.9, 203.0.113.7"), &trusted),
            visitor
        );
        assert_eq!(
            client_address(proxy, &HeaderMap::new(), &trusted),
            proxy.ip()
        );
        assert_eq!(
            client_address(proxy, &headers("203.0.113.7"), &[]),
            proxy.ip()
        );
    }
}
