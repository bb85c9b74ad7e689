//! The JWT signing secret: generated on first start and kept in the data dir, readable only by
//! the owner. There is no built-in default secret.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use rand::RngCore;

const FILE_NAME: &str = "jwt-secret";

pub fn load_or_create_jwt_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => anyhow::bail!(
            "{} is shorter than 32 characters; delete it to regenerate",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "generated a new JWT secret");
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_created_private_and_then_reused() {
        let dir = tempfile::tempdir().expect("dir");
        let first = load_or_create_jwt_secret(dir.path()).expect("create");
        assert!(first.len() >= 32);
        assert_eq!(load_or_create_jwt_secret(dir.path()).expect("load"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_short_secret_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(FILE_NAME), "short").expect("write");
        assert!(load_or_create_jwt_secret(dir.path()).is_err());
    }
}
