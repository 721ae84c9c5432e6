//! A per-client token bucket for inquiries: a client may send `burst`
//! inquiries at once, then one every `1 / per_minute` minutes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`, or says how long until one is free.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let per_second = self.limit.per_minute / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            // Forget clients whose buckets have refilled, so memory stays bounded.
            let full = self.limit.burst / per_second;
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.limit.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(self.limit.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies_per_client() {
        let limiter = Limiter::new(RateLimit {
            per_minute: 60.0,
            burst: 3.0,
        });
        let start = Instant::now();
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.take(one, start), Ok(()));
        }
        let wait = limiter.take(one, start).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        assert_eq!(
            limiter.take(two, start),
            Ok(()),
            "another client is not slowed"
        );
        assert_eq!(limiter.take(one, start + Duration::from_secs(1)), Ok(()));
    }
}
