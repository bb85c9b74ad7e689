//! Validated names for projects and users: the strings that appear in URLs and room names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a proposed name was refused; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{what} must be 1 to {max} characters long")]
    Length { what: &'static str, max: usize },
    #[error("{what} may contain only lowercase letters, digits, '-' and '_', and must start with a letter or digit")]
    Characters { what: &'static str },
}

fn validate(what: &'static str, value: &str, max: usize) -> Result<(), NameError> {
    if value.is_empty() || value.len() > max {
        return Err(NameError::Length { what, max });
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    let starts_well = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !starts_well || !value.chars().all(allowed) {
        return Err(NameError::Characters { what });
    }
    Ok(())
}

macro_rules! name_type {
    ($(#[$doc:meta])* $ty:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(String);

        impl $ty {
            pub const MAX_LEN: usize = $max;

            pub fn parse(value: &str) -> Result<Self, NameError> {
                validate($what, value, $max)?;
                Ok(Self(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $ty {
            type Error = NameError;
            fn try_from(value: String) -> Result<Self, NameError> {
                validate($what, &value, $max)?;
                Ok(Self(value))
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// A project name, used in URLs (`/api/projects/{name}`) and namespaces (`/chat/{name}`).
    ProjectName, "project name", 64
);
name_type!(
    /// A login name. Lowercase so that `Alice` and `alice` can never be two accounts.
    Username, "username", 32
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_digits_dash_underscore() {
        assert_eq!(
            ProjectName::parse("my-proj_2").map(|n| n.to_string()),
            Ok("my-proj_2".into())
        );
    }

    #[test]
    fn rejects_empty_long_and_odd_names() {
        assert!(matches!(
            ProjectName::parse(""),
            Err(NameError::Length { .. })
        ));
        assert!(matches!(
            ProjectName::parse(&"a".repeat(65)),
            Err(NameError::Length { .. })
        ));
        for bad in ["Caps", "../etc", "a b", "-lead", "_lead", "é", "a/b", "a.b"] {
            assert!(
                matches!(ProjectName::parse(bad), Err(NameError::Characters { .. })),
                "{bad}"
            );
        }
        assert!(ProjectName::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn username_has_its_own_limit_and_message() {
        let err = Username::parse(&"u".repeat(33)).expect_err("too long");
        assert_eq!(err.to_string(), "username must be 1 to 32 characters long");
    }

    #[test]
    fn deserialising_validates() {
        let bad: Result<Username, _> = serde_json::from_str("\"Root\"");
        assert!(bad.is_err());
        let good: Username = serde_json::from_str("\"root\"").expect("valid name");
        assert_eq!(good.as_str(), "root");
    }
}
