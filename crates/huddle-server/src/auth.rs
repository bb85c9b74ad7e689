//! Authentication: password hashing, JWT access tokens, rotated refresh tokens, login throttling
//! and the extractor that turns a bearer token into the calling user.

mod extractor;
mod guard;
mod jwt;
mod password;
mod secret_file;
mod session;
mod throttle;

pub use extractor::{AuthUser, DownloadUser};
pub use guard::SessionGuard;
pub use jwt::{unix_now, Claims, JwtKeys};
pub use password::{
    configure_workers as configure_password_workers, hash_password, verify_password,
};
pub use secret_file::load_or_create_jwt_secret;
pub use session::{Ended, Sessions, TokenPair};
pub use throttle::{LoginThrottle, ThrottleLimits};
