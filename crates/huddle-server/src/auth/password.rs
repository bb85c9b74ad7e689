//! Argon2id password hashes, computed by a few dedicated threads.
//!
//! Each hash needs 19 MiB of working memory. Run on the blocking pool, a login storm hashed
//! dozens at once and the allocator kept the memory afterwards (40 logins: 800 MB RSS). Here a
//! fixed set of workers (one per core, at most 4, or `auth.password_hash_workers`) each reuse
//! one buffer; further requests wait in one queue and are answered in order, and a request whose
//! caller gave up (a closed connection) is skipped. Memory is bounded by workers × 19 MiB.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// A valid hash of a random password, verified against when the username does not exist so
/// that unknown and known users take the same time to reject.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0J3M8c0uk3fDvdY4Gh9Gz6Ofw6Kj0t8p1z6YSCvHqxI";

/// Most workers chosen automatically: beyond this, a storm costs memory without adding speed
/// anyone needs.
const MAX_AUTO_WORKERS: usize = 4;

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<anyhow::Result<String>>,
    },
    Verify {
        password: String,
        hash: String,
        reply: oneshot::Sender<bool>,
    },
}

impl Job {
    fn abandoned(&self) -> bool {
        match self {
            Job::Hash { reply, .. } => reply.is_closed(),
            Job::Verify { reply, .. } => reply.is_closed(),
        }
    }
}

struct Pool {
    queue: mpsc::Sender<Job>,
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// Sets how many hashes run at once (0: one per core, at most 4). Only the first call (before
/// any hash) has an effect; the server calls it at start-up.
pub fn configure_workers(workers: usize) {
    let _ = POOL.get_or_init(|| Pool::start(workers));
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool::start(0))
}

impl Pool {
    fn start(workers: usize) -> Pool {
        let workers = match workers {
            0 => std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(MAX_AUTO_WORKERS),
            n => n,
        };
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..workers {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || work(&jobs));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        tracing::debug!(workers, "password hashing threads started");
        Pool { queue }
    }
}

/// One worker: takes jobs in arrival order and computes them in its own reused memory.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        if job.abandoned() {
            continue;
        }
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(hash_with(&mut memory, &password));
            }
            Job::Verify {
                password,
                hash,
                reply,
            } => {
                let _ = reply.send(verify_with(&mut memory, &password, &hash));
            }
        }
    }
}

fn hasher(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Grows the worker's buffer to what `params` needs (never shrinks: the next hash reuses it).
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    &mut memory[..needed]
}

fn hash_with(memory: &mut Vec<Block>, password: &str) -> anyhow::Result<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("encoding salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hasher(params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks(memory, &params),
        )
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    let output = Output::new(&out).map_err(|e| anyhow::anyhow!("hash output: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params)
            .try_into()
            .map_err(|e| anyhow::anyhow!("hash parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let (Ok(algorithm), Some(version)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.version.and_then(|v| Version::try_from(v).ok()),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    if argon
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks(memory, &params),
        )
        .is_err()
    {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let (reply, answer) = oneshot::channel();
    pool()
        .queue
        .send(Job::Hash { password, reply })
        .map_err(|_| anyhow::anyhow!("password hashing is not running"))?;
    answer
        .await
        .map_err(|_| anyhow::anyhow!("password hashing stopped"))?
}

/// Checks `password` against `hash` (or the decoy when there is no user).
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    let known = hash.is_some();
    let (reply, answer) = oneshot::channel();
    let job = Job::Verify {
        password,
        hash: hash.unwrap_or_else(|| DECOY_HASH.to_owned()),
        reply,
    };
    if pool().queue.send(job).is_err() {
        return false;
    }
    let checked = answer.await.unwrap_or(false);
    known && checked
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong".into(), Some(hash)).await);
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings() {
        // What the pool writes, the reference implementation reads, and the other way round.
        let ours = hash_password("s3cret-pass".into()).await.expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(Argon2::default()
            .verify_password(b"s3cret-pass", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs =
            argon2::PasswordHasher::hash_password(&Argon2::default(), b"other-pass", &salt)
                .expect("reference hash")
                .to_string();
        assert!(verify_password("other-pass".into(), Some(theirs.clone())).await);
        assert!(!verify_password("other-pas".into(), Some(theirs)).await);
    }

    #[tokio::test]
    async fn unknown_user_and_garbage_never_verify() {
        assert!(!verify_password("anything".into(), None).await);
        assert!(
            PasswordHash::new(DECOY_HASH).is_ok(),
            "decoy must parse so timing matches"
        );
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
        assert!(!verify_password("x".into(), Some("$argon2id$v=19$m=8,t=1,p=1$AAAA".into())).await);
    }

    #[tokio::test]
    async fn many_at_once_all_answered() {
        let hash = hash_password("queue-me-please".into()).await.expect("hash");
        let checks = (0..12).map(|i| {
            let hash = hash.clone();
            async move {
                let password = if i % 2 == 0 {
                    "queue-me-please"
                } else {
                    "nope"
                };
                (i, verify_password(password.into(), Some(hash)).await)
            }
        });
        for (i, ok) in futures::future::join_all(checks).await {
            assert_eq!(ok, i % 2 == 0, "request {i}");
        }
    }
}
