//! Which address a request comes from. The TCP peer is the only fact; an
//! `X-Forwarded-For` chain is believed only when the peer is a configured trusted
//! proxy, and then only up to the right-most hop that is not itself trusted:
//! everything left of that hop was written by the client and can be forged.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use thiserror::Error;

/// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare address is
/// a single-host network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    network: IpAddr,
    prefix: u8,
}

/// Why a network does not parse.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("`{0}` is not an IP address or CIDR network such as 10.0.0.0/8")]
pub struct InvalidNetwork(pub String);

impl IpNet {
    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = InvalidNetwork;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidNetwork(text.to_owned());
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network = IpAddr::from_str(addr)
            .map_err(|_| invalid())?
            .to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(invalid)?,
            None => max,
        };
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Trusts the given networks.
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Parses a comma-separated list; blank entries are skipped.
    pub fn parse(list: &str) -> Result<Self, InvalidNetwork> {
        list.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(IpNet::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The trusted networks.
    pub fn networks(&self) -> &[IpNet] {
        &self.0
    }
}

/// Parses one `X-Forwarded-For` hop: an address, optionally with a port
/// (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which
/// case the right-most hop of `forwarded_for` (every header value, in order) that
/// is not trusted. A hop that does not parse stops the walk at the last trusted
/// address, so garbage is never used as a key.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|value| value.split(','))
        .collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return nearest;
        };
        if !trusted.contains(ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

/// The chain to forward upstream: the believed hops (only when the peer is
/// trusted) followed by the peer itself, as a proxy appends its own peer.
pub fn forwarded_chain<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> String {
    let peer = peer.to_canonical();
    let mut hops: Vec<String> = Vec::new();
    if trusted.contains(peer) {
        hops.extend(
            forwarded_for
                .into_iter()
                .flat_map(|value| value.split(','))
                .filter_map(parse_hop)
                .map(|ip| ip.to_string()),
        );
    }
    hops.push(peer.to_string());
    hops.join(", ")
}
