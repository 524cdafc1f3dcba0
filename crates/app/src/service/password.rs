//! Passwords: Argon2id (argon2 0.6 defaults: m = 19 MiB, t = 2, p = 1), generated passwords,
//! and the rules a chosen password must meet.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::ServiceError;

/// Shortest password a person may choose.
pub const MIN_LEN: usize = 10;
/// Longest accepted (hashing cost is bounded; no one types more).
pub const MAX_LEN: usize = 256;

/// Checks a chosen password (length counted in characters, Vietnamese letters count once).
pub fn check(password: &str) -> Result<(), ServiceError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(ServiceError::invalid(
            "password",
            "service.password.too_short",
            MIN_LEN,
        ));
    }
    if n > MAX_LEN {
        return Err(ServiceError::invalid(
            "password",
            "service.password.too_long",
            MAX_LEN,
        ));
    }
    Ok(())
}

/// The Argon2id PHC string of `password`, with a fresh random salt. CPU-heavy: call from
/// [`hash_blocking`] in async code.
pub fn hash(password: &str) -> Result<String, ServiceError> {
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))?;
    Ok(h.to_string())
}

/// Does `password` match the PHC string `phc`? Unparseable hashes never match.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash nobody's password matches, verified against when the login is unknown so that an
/// unknown login costs the same time as a wrong password.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password, never valid").unwrap_or_default())
}

pub async fn hash_blocking(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// Verifies off the async threads; `None` hash = unknown user (checked against the decoy).
pub async fn verify_blocking(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(p) => verify(&password, &p),
        None => {
            verify(&password, decoy());
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// The hash of the chosen password (checked against the rules), or of a generated one — which
/// is then returned too, to be shown once.
pub async fn hash_chosen_or_generated(
    chosen: Option<String>,
) -> Result<(String, Option<String>), ServiceError> {
    let (password, generated) = match chosen {
        Some(p) => {
            check(&p)?;
            (p, None)
        }
        None => {
            let p = generate();
            (p.clone(), Some(p))
        }
    };
    Ok((hash_blocking(password).await?, generated))
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 94 bits.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_crate_defaults_and_verify() {
        let h = hash("mật khẩu đủ dài").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("mật khẩu đủ dài", &h));
        assert!(!verify("mật khẩu đủ dai", &h));
        assert!(!verify("x", "not a phc string"));
        assert_ne!(hash("mật khẩu đủ dài").unwrap(), h, "fresh salt each time");
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate();
        assert_eq!(a.chars().count(), 16);
        assert!(check(&a).is_ok());
        assert_ne!(a, generate());
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[test]
    #[ignore = "measurement; run with --ignored --nocapture"]
    fn argon2_cost() {
        let t = std::time::Instant::now();
        let h = hash("mật khẩu đủ dài").unwrap();
        let hashing = t.elapsed();
        let t = std::time::Instant::now();
        assert!(verify("mật khẩu đủ dài", &h));
        println!(
            "argon2id m=19456 t=2 p=1: hash {hashing:?}, verify {:?}",
            t.elapsed()
        );
    }

    #[test]
    fn length_rules_count_characters() {
        assert!(check("ngắn").is_err());
        assert!(check("đủ mười ký").is_ok()); // 10 characters, more bytes
        assert!(check(&"a".repeat(MAX_LEN + 1)).is_err());
    }
}
