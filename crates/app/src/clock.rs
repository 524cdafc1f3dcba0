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
