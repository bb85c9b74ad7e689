//! HS256 access tokens (1 h by default). A token names its session (`sid`, the refresh-token
//! family); the signature and expiry are checked here, the session's liveness by
//! [`super::SessionGuard`].

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub name: String,
    pub adm: bool,
    /// An agent account (accounts never change kind, so the token may say it).
    #[serde(default)]
    pub agt: bool,
    /// The session (refresh-token family) the token belongs to.
    pub sid: String,
    pub iat: u64,
    pub exp: u64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: u64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn issue(
        &self,
        user_id: &str,
        username: &str,
        is_admin: bool,
        is_agent: bool,
        session_id: &str,
    ) -> jsonwebtoken::errors::Result<String> {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_owned(),
            name: username.to_owned(),
            adm: is_admin,
            agt: is_agent,
            sid: session_id.to_owned(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a token this server signed and that has not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let token = keys
            .issue("u1", "alice", false, false, "s1")
            .expect("issue");
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(
            (claims.sub.as_str(), claims.name.as_str(), claims.adm),
            ("u1", "alice", false)
        );
        assert_eq!(claims.exp - claims.iat, 3600);
    }

    #[test]
    fn forged_and_garbage_tokens_fail() {
        let ours = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let theirs = JwtKeys::new(b"another-secret-another-secret-xx", 3600);
        let forged = theirs
            .issue("u1", "alice", true, false, "s1")
            .expect("issue");
        assert!(ours.verify(&forged).is_none());
        assert!(ours.verify("not.a.jwt").is_none());
        assert!(ours.verify("").is_none());
    }

    #[test]
    fn expired_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 0);
        let now = unix_now();
        let claims = Claims {
            sub: "u".into(),
            name: "a".into(),
            adm: false,
            agt: false,
            sid: "s".into(),
            iat: now - 100,
            exp: now - 60,
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).expect("encode");
        assert!(keys.verify(&token).is_none());
    }

    #[test]
    fn unsigned_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        // alg "none": header {"alg":"none","typ":"JWT"}
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1MSIsIm5hbWUiOiJhIiwiYWRtIjp0cnVlLCJpYXQiOjEsImV4cCI6OTk5OTk5OTk5OX0.";
        assert!(keys.verify(none).is_none());
    }
}
