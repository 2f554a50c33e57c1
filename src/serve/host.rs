//! Which `Host` header values the preview answers, and the URL it prints.
//! Pure: the bound address and the machine's own addresses go in.
//!
//! A page on any web site can make the browser send requests to
//! `127.0.0.1:4000` under a name it controls (DNS rebinding); such requests
//! carry that name in `Host`. Answering only the names that really lead here
//! keeps the preview (drafts included) out of other sites' reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The `Host` values served, lowercase, each with the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    /// `localhost`, `127.0.0.1`, `[::1]` and the bound address, with the
    /// port; when bound to every interface (`0.0.0.0`, `::`), also each of
    /// `own` (the machine's addresses).
    pub fn new(bound: SocketAddr, own: &[IpAddr]) -> AllowedHosts {
        let port = bound.port();
        let mut ips = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ];
        if bound.ip().is_unspecified() {
            ips.extend_from_slice(own);
        } else {
            ips.push(bound.ip());
        }
        let mut names = vec![format!("localhost:{port}")];
        names.extend(ips.iter().map(|ip| SocketAddr::new(*ip, port).to_string()));
        if port == 80 {
            // Browsers leave out the default port.
            let bare: Vec<String> = names
                .iter()
                .filter_map(|n| n.strip_suffix(":80").map(str::to_string))
                .collect();
            names.extend(bare);
        }
        names.sort();
        names.dedup();
        AllowedHosts { names }
    }

    /// Whether a request with this `Host` value is answered.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        self.names.contains(&host)
    }
}

/// The URL to print: the bound address, or when bound to every interface
/// one of the machine's addresses others can reach (IPv4 first), falling
/// back to loopback.
pub fn reachable_url(bound: SocketAddr, own: &[IpAddr]) -> String {
    let ip = if bound.ip().is_unspecified() {
        let reachable = |ip: &&IpAddr| {
            !ip.is_loopback()
                && match ip {
                    IpAddr::V4(v4) => !v4.is_link_local(),
                    IpAddr::V6(v6) => !v6.is_unicast_link_local(),
                }
        };
        own.iter()
            .filter(reachable)
            .find(|ip| ip.is_ipv4())
            .or_else(|| own.iter().find(reachable))
            .copied()
            .unwrap_or(match bound.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            })
    } else {
        bound.ip()
    };
    format!("http://{}/", SocketAddr::new(ip, bound.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str) -> SocketAddr {
        address.parse().unwrap()
    }

    #[test]
    fn loopback_names_with_the_port_are_allowed() {
        let hosts = AllowedHosts::new(at("127.0.0.1:4000"), &[]);
        for host in [
            "localhost:4000",
            "LocalHost:4000",
            "127.0.0.1:4000",
            "[::1]:4000",
            " localhost:4000 ",
        ] {
            assert!(hosts.allows(host), "{host}");
        }
    }

    #[test]
    fn other_names_ports_and_bare_names_are_refused() {
        // Regression: `Host: attacker.example` was served the site.
        let hosts = AllowedHosts::new(at("127.0.0.1:4000"), &[]);
        for host in [
            "attacker.example",
            "attacker.example:4000",
            "localhost",
            "localhost:4001",
            "127.0.0.1",
            "127.0.0.2:4000",
            "localhost.attacker.example:4000",
            "localhost:4000.attacker.example",
            "",
        ] {
            assert!(!hosts.allows(host), "{host}");
        }
    }

    #[test]
    fn every_interface_allows_the_machines_own_addresses() {
        let own: Vec<IpAddr> = vec!["192.168.1.20".parse().unwrap(), "fe80::1".parse().unwrap()];
        let hosts = AllowedHosts::new(at("0.0.0.0:4000"), &own);
        assert!(hosts.allows("192.168.1.20:4000"));
        assert!(hosts.allows("[fe80::1]:4000"));
        assert!(!hosts.allows("0.0.0.0:4000"));
        assert!(!hosts.allows("192.168.1.21:4000"));
        let one = AllowedHosts::new(at("192.168.1.20:4000"), &own);
        assert!(one.allows("192.168.1.20:4000") && !one.allows("[fe80::1]:4000"));
    }

    #[test]
    fn port_80_may_be_left_out() {
        let hosts = AllowedHosts::new(at("127.0.0.1:80"), &[]);
        assert!(hosts.allows("localhost") && hosts.allows("localhost:80"));
        assert!(!hosts.allows("attacker.example"));
    }

    #[test]
    fn the_printed_url_is_reachable() {
        let own: Vec<IpAddr> = ["127.0.0.1", "fe80::1", "2001:db8::5", "10.0.0.7"]
            .iter()
            .map(|ip| ip.parse().unwrap())
            .collect();
        assert_eq!(
            reachable_url(at("0.0.0.0:4000"), &own),
            "http://10.0.0.7:4000/"
        );
        assert_eq!(
            reachable_url(at("[::]:4000"), &own[..3]),
            "http://[2001:db8::5]:4000/"
        );
        assert_eq!(
            reachable_url(at("0.0.0.0:4000"), &[]),
            "http://127.0.0.1:4000/"
        );
        assert_eq!(
            reachable_url(at("127.0.0.1:4001"), &own),
            "http://127.0.0.1:4001/"
        );
    }
}
