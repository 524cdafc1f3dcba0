//! The time of the application, and how times read in Vietnam.
//!
//! Everything that needs "now" asks a [`Clock`]; tests use [`Clock::manual`] to move time
//! (rate limits expiring, sessions timing out) without sleeping.

use std::sync::Arc;
#[cfg(test)]
use std::sync::Mutex;

#[cfg(test)]
use chrono::Duration;
use chrono::{DateTime, FixedOffset, Utc};

/// The environment variable that sets the server's clock (tests and demos only).
pub const CLOCK_ENV: &str = "BINHYEN_CLOCK";

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Moves a [`Clock::manual`] clock.
#[cfg(test)]
#[derive(Clone)]
pub struct ClockHand(Arc<Mutex<DateTime<Utc>>>);

#[cfg(test)]
impl ClockHand {
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().expect("clock lock");
        *t += by;
    }
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// A clock that stands still at `start` until moved with the returned hand.
    #[cfg(test)]
    pub fn manual(start: DateTime<Utc>) -> (Clock, ClockHand) {
        let cell = Arc::new(Mutex::new(start));
        let read = cell.clone();
        (
            Clock(Arc::new(move || *read.lock().expect("clock lock"))),
            ClockHand(cell),
        )
    }

    /// The server's clock: the system's, or — for tests and demos only — one set by
    /// `BINHYEN_CLOCK` (RFC 3339, e.g. `2025-02-10T09:00:00+07:00`) that starts at that instant
    /// and then runs at the normal pace. When set it is announced loudly on standard error.
    pub fn from_env() -> anyhow::Result<Clock> {
        match std::env::var(CLOCK_ENV) {
            Ok(v) if !v.trim().is_empty() => {
                let start = DateTime::parse_from_rfc3339(v.trim())
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "{CLOCK_ENV}=«{v}»: thời điểm không hợp lệ, cần dạng RFC 3339 như \
                             2025-02-10T09:00:00+07:00 ({e}) / invalid instant, RFC 3339 expected"
                        )
                    })?
                    .with_timezone(&Utc);
                let message = format!(
                    "CẢNH BÁO: đồng hồ máy chủ được đặt bởi {CLOCK_ENV} = {} — chỉ dùng để kiểm thử \
                     và trình diễn / WARNING: the server clock is set by {CLOCK_ENV} (tests and \
                     demos only)",
                    format_time(start)
                );
                eprintln!("{message}");
                tracing::warn!("{message}");
                Ok(Clock::starting_at(start))
            }
            _ => Ok(Clock::system()),
        }
    }

    /// A clock that reads `start` now and runs from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        let offset = start - Utc::now();
        Clock(Arc::new(move || Utc::now() + offset))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

/// Vietnam's time zone (UTC+7, no daylight saving).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// "08:45 01/07/2025" in Vietnam time.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_and_times_read_in_vietnam() {
        let start = Utc.with_ymd_and_hms(2025, 6, 30, 17, 5, 0).unwrap();
        let (clock, hand) = Clock::manual(start);
        assert_eq!(clock.now(), start);
        hand.advance(Duration::minutes(15));
        assert_eq!(clock.now(), start + Duration::minutes(15));
        assert_eq!(format_time(start), "00:05 01/07/2025");
    }
}
