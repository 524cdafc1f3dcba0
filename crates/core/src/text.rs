//! Vietnamese text: search keys that ignore case, diacritics and tone placement, and
//! number, percentage and date formats as Vietnamese documents write them
//! (1.234,5 — 28,57 % — 31/12/2025).

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Search key without case or any diacritic: "Tỉnh Trà Vinh" → "tinh tra vinh",
/// "Đắk Lắk" → "dak lak". Runs of whitespace become one space; punctuation other than
/// letters, digits, spaces and the apostrophe is dropped.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() || c == '-' || c == '_' || c == ',' || c == '.' {
            space = !out.is_empty();
            continue;
        }
        if !(c.is_alphanumeric() || c == '\'') {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Search key that keeps the diacritics but not the tone placement: "hoà" and "hòa",
/// "thuỷ" and "thủy" give the same key. Each syllable is written without its tone mark,
/// followed by the tone as a digit (1 grave, 2 acute, 3 tilde, 4 hook, 5 dot below).
pub fn tone_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for word in s.split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '.') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let mut tone = None;
        let mut syllable = String::with_capacity(word.len());
        for c in word.nfd() {
            if let Some(i) = TONE_MARKS.iter().position(|t| *t == c) {
                tone = Some(i + 1);
            } else {
                syllable.extend(c.to_lowercase());
            }
        }
        out.extend(syllable.nfc());
        if let Some(t) = tone {
            out.push(char::from(b'0' + t as u8));
        }
    }
    out
}

/// Groups the digits of a non-negative integer with dots: 1234567 → "1.234.567".
fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// An integer as Vietnamese documents write it: 12585 → "12.585", -5 → "-5".
pub fn format_int(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let grouped = group_thousands(&digits);
    if v < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Rounds `num/den` to `decimals` places, half away from zero, exactly (no floating point),
/// and writes it with a decimal comma: (2, 7, 2) → "0,29"; (12345, 10, 1) → "1.234,5".
/// Trailing zeros are kept so that columns line up ("28,50").
pub fn format_ratio(num: i64, den: i64, decimals: u32) -> String {
    assert!(den != 0, "format_ratio: zero denominator");
    let negative = (num < 0) != (den < 0) && num != 0;
    let (n, d) = (num.unsigned_abs() as u128, den.unsigned_abs() as u128);
    let scale = 10u128.pow(decimals);
    // round half up on the absolute value: floor((2·n·scale + d) / (2·d))
    let scaled = (2 * n * scale + d) / (2 * d);
    let int_part = scaled / scale;
    let frac_part = scaled % scale;
    let mut s = String::new();
    if negative && scaled != 0 {
        s.push('-');
    }
    s.push_str(&group_thousands(&int_part.to_string()));
    if decimals > 0 {
        s.push(',');
        s.push_str(&format!("{:0width$}", frac_part, width = decimals as usize));
    }
    s
}

/// A share as a percentage with two decimals and a non-breaking space before the sign, as in
/// plans: (2, 7) → "28,57 %", (3, 7) → "42,86 %", (85, 85) → "100 %" (whole numbers lose ",00").
pub fn format_percent(num: i64, den: i64) -> String {
    let s = format_ratio(num * 100, den, 2);
    let s = s.strip_suffix(",00").unwrap_or(&s).to_owned();
    format!("{s}\u{a0}%")
}

/// A decimal number with a comma: 1234.5 → "1.234,5" (`decimals` places, half away from zero).
pub fn format_decimal(v: f64, decimals: u32) -> String {
    let scale = 10f64.powi(decimals as i32);
    let scaled = (v * scale).round();
    format_ratio(scaled as i64, scale as i64, decimals)
}

/// dd/mm/yyyy, the only date format users see.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Parses a date typed by a user: dd/mm/yyyy (also d/m/yyyy and with '-' or '.'), or the ISO
/// form yyyy-mm-dd found in files and APIs. Anything else is `None`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        && s.len() == 10
    {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts[2].len() != 4 || parts[0].is_empty() || parts[1].is_empty() {
        return None;
    }
    if parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    let d: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let y: i32 = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses a number typed the Vietnamese way ("1.234,5", "12.585", "98,8") or the plain way
/// ("1234.5" only when there is a single dot followed by other than three digits).
/// Returns `None` for anything that is not a number.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim().replace(['\u{a0}', ' '], "");
    if s.is_empty() {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b.to_owned()),
        None => (false, s.clone()),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let normalised = if body.contains(',') {
        // Vietnamese: dots group thousands, the comma is the decimal mark.
        if body.matches(',').count() > 1 || !valid_grouping(body.split(',').next()?) {
            return None;
        }
        body.replace('.', "").replace(',', ".")
    } else if body.matches('.').count() == 1 && body.split('.').nth(1)?.len() != 3 {
        body.clone() // "1234.5": a decimal point
    } else {
        if !valid_grouping(&body) {
            return None;
        }
        body.replace('.', "")
    };
    let v: f64 = normalised.parse().ok()?;
    Some(if neg { -v } else { v })
}

fn valid_grouping(int_part: &str) -> bool {
    if !int_part.contains('.') {
        return !int_part.is_empty();
    }
    let groups: Vec<&str> = int_part.split('.').collect();
    !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_names() {
        assert_eq!(fold("Tỉnh Trà Vinh"), "tinh tra vinh");
        assert_eq!(fold("Xã Long Đức"), "xa long duc");
        assert_eq!(fold("  ĐẮK   LẮK "), "dak lak");
        assert_eq!(fold("Xã Ea H'Leo"), "xa ea h'leo");
        assert_eq!(fold("Thành phố Hồ Chí Minh"), "thanh pho ho chi minh");
    }

    #[test]
    fn tone_placement_is_ignored_but_diacritics_kept() {
        assert_eq!(tone_key("Hoà Bình"), tone_key("Hòa Bình"));
        assert_eq!(tone_key("Thuỷ"), tone_key("Thủy"));
        assert_ne!(tone_key("Hòa"), tone_key("Hóa"));
        assert_ne!(tone_key("Hòa"), tone_key("Hoa"));
        assert_eq!(tone_key("Hòa"), "hoa1");
    }

    #[test]
    fn formats_like_documents() {
        assert_eq!(format_int(12585), "12.585");
        assert_eq!(format_int(-1234567), "-1.234.567");
        assert_eq!(format_int(0), "0");
        assert_eq!(format_percent(2, 7), "28,57\u{a0}%");
        assert_eq!(format_percent(3, 7), "42,86\u{a0}%"); // the plan writes 42,85 %: truncated
        assert_eq!(format_percent(85, 85), "100\u{a0}%");
        assert_eq!(format_percent(17, 25), "68\u{a0}%");
        assert_eq!(format_percent(1, 8), "12,50\u{a0}%");
        assert_eq!(format_ratio(12345, 10, 1), "1.234,5");
        assert_eq!(format_ratio(-1, 3, 2), "-0,33");
        assert_eq!(format_ratio(-1, 1000, 2), "0,00");
        assert_eq!(format_decimal(98.8, 1), "98,8");
        assert_eq!(format_decimal(1234.5, 1), "1.234,5");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(format_date(d), "31/03/2025");
        assert_eq!(parse_date("31/03/2025"), Some(d));
        assert_eq!(parse_date("31/3/2025"), Some(d));
        assert_eq!(parse_date("2025-03-31"), Some(d));
        assert_eq!(parse_date("31.03.2025"), Some(d));
        assert_eq!(parse_date("31/02/2025"), None);
        assert_eq!(parse_date("03/31/2025"), None);
        assert_eq!(parse_date("2025/03/31"), None);
        assert_eq!(parse_date("31/03/25"), None);
        assert_eq!(parse_date("hôm qua"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("12.585"), Some(12585.0));
        assert_eq!(parse_number("98,8"), Some(98.8));
        assert_eq!(parse_number("1234.5"), Some(1234.5));
        assert_eq!(parse_number("-5"), Some(-5.0));
        assert_eq!(parse_number("12.58"), Some(12.58));
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("mười"), None);
        assert_eq!(parse_number("1,2,3"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("12.34.567"), None);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐ ]{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(f.is_ascii());
        }

        #[test]
        fn integers_round_trip(v in -10_000_000_000i64..10_000_000_000i64) {
            prop_assert_eq!(parse_number(&format_int(v)), Some(v as f64));
        }

        #[test]
        fn ratios_round_trip(n in 0i64..10_000_000, d in 1i64..10_000) {
            let s = format_ratio(n, d, 2);
            let back = parse_number(&s).unwrap();
            prop_assert!((back - n as f64 / d as f64).abs() <= 0.005 + 1e-9);
        }

        #[test]
        fn dates_round_trip(days in 0i64..40_000) {
            let d = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&format_date(d)), Some(d));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}") {
            let _ = parse_number(&s);
            let _ = parse_date(&s);
            let _ = tone_key(&s);
        }
    }
}
