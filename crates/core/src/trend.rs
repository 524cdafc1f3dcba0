//! Year-over-year change of small counts (ANCHORS §4, §6 item 15): the absolute change and a
//! noise flag, so a dashboard does not dramatise "+200 %" on a commune that went from 1 to 3
//! crimes. The legal tests (e.g. "reduced against the previous year") are unchanged.
//!
//! Rule chosen: a change is **within noise** when `|current − previous| ≤ 2·√(current +
//! previous)` — two standard deviations of the difference of two independent Poisson counts
//! (the variance of the difference is the sum of the counts). It needs no tuning constant,
//! works for any size, and is computed on integers: `(current − previous)² ≤ 4·(current +
//! previous)`. For 1 → 3 (|2| ≤ 4): noise; 40 → 20 (20 > 15,5): a real change.

/// The change from `previous` to `current` and whether it is within noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub previous: i64,
    pub current: i64,
    /// `current − previous`.
    pub delta: i64,
    pub noise: bool,
}

/// See the module documentation. Negative counts are treated as 0.
pub fn change(previous: i64, current: i64) -> Change {
    let (p, c) = (i128::from(previous.max(0)), i128::from(current.max(0)));
    let delta = c - p;
    Change {
        previous,
        current,
        delta: current - previous,
        noise: delta * delta <= 4 * (c + p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_counts_are_noise_large_changes_are_not() {
        assert!(change(1, 3).noise);
        assert!(change(0, 0).noise);
        assert!(change(0, 4).noise); // 16 ≤ 16
        assert!(!change(0, 5).noise); // 25 > 20
        assert!(!change(40, 20).noise);
        assert!(change(100, 90).noise); // 100 ≤ 760
        assert_eq!(change(12, 9).delta, -3);
    }

    proptest! {
        /// Symmetric in direction, and agrees with the floating-point statement of the rule away
        /// from the boundary.
        #[test]
        fn rule_is_symmetric_and_matches_the_square_root_form(p in 0i64..100_000, c in 0i64..100_000) {
            prop_assert_eq!(change(p, c).noise, change(c, p).noise);
            let lhs = (c - p).abs() as f64;
            let rhs = 2.0 * ((c + p) as f64).sqrt();
            if (lhs - rhs).abs() > 1e-6 {
                prop_assert_eq!(change(p, c).noise, lhs <= rhs);
            }
        }
    }
}
