//! Attachments: what may be uploaded (extension allow-list plus magic bytes), how much and how
//! fast (a per-user rate and a quota of bytes not yet sent), where the bytes go (the data dir,
//! named by id only), thumbnails for images, and access for downloads.

pub mod rate;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use huddle_core::text::{self, char_class, CharClass};
use huddle_core::{direct, Permission};
use huddle_store::{Attachment, NewAttachment, StoredAttachment, StoredUploads};

use super::service::checks::no_nul;
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// One file of a multipart upload.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What an allowed file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub content_type: &'static str,
    pub image: bool,
}

const TEXT: [(&str, &str); 9] = [
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("py", "text/x-python"),
    ("js", "text/javascript"),
    ("json", "application/json"),
    ("yaml", "application/yaml"),
    ("yml", "application/yaml"),
    ("csv", "text/csv"),
    ("log", "text/plain"),
];

fn rejected(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_attachment", message)
        .with_hint("Allowed: txt, md, py, js, json, yaml, yml, csv, log, png, jpg, jpeg, gif, pdf; up to 10 MB each.")
}

/// Checks the extension against the allow-list and the bytes against the extension.
pub fn classify(file_name: &str, bytes: &[u8]) -> Result<Kind, ApiError> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let binary = |magic: &[&[u8]], content_type, image| {
        if magic.iter().any(|m| bytes.starts_with(m)) {
            Ok(Kind {
                content_type,
                image,
            })
        } else {
            Err(rejected(format!(
                "{file_name} does not look like a .{ext} file"
            )))
        }
    };
    match ext.as_str() {
        "png" => binary(&[b"\x89PNG\r\n\x1a\n"], "image/png", true),
        "jpg" | "jpeg" => binary(&[b"\xff\xd8\xff"], "image/jpeg", true),
        "gif" => binary(&[b"GIF87a", b"GIF89a"], "image/gif", true),
        "pdf" => binary(&[b"%PDF-"], "application/pdf", false),
        _ => match TEXT.iter().find(|(e, _)| *e == ext) {
            Some((_, content_type))
                if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) =>
            {
                Ok(Kind {
                    content_type,
                    image: false,
                })
            }
            Some(_) => Err(rejected(format!("{file_name} is not UTF-8 text"))),
            None => Err(rejected(format!("files of type .{ext} are not allowed"))),
        },
    }
}

/// The name shown and offered on download: the last path component, without control
/// characters, bidi controls (so `"\u{202e}gnp.txt"` cannot pass for `txt.png`) or quotes, at
/// most 128 characters. A name that shows nothing becomes `file`.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|&c| {
            !c.is_control() && char_class(c) != CharClass::BidiControl && !matches!(c, '"' | ';')
        })
        .take(128)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if text::is_blank(&cleaned) {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// Where an attachment's bytes live; ids are server-made UUIDs, never user text.
pub fn path_of(data_dir: &Path, id: &str, thumbnail: bool) -> PathBuf {
    let shard = &id[id.len().saturating_sub(2)..];
    let name = if thumbnail {
        format!("{id}.thumb.png")
    } else {
        id.to_owned()
    };
    data_dir.join("attachments").join(shard).join(name)
}

struct ImageFacts {
    width: u32,
    height: u32,
    thumbnail_png: Vec<u8>,
}

/// Decodes with bounded dimensions and memory, then scales to a PNG thumbnail.
fn image_facts(bytes: &[u8], max_side: u32) -> Result<ImageFacts, String> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| e.to_string())?;
    let thumb = decoded.thumbnail(max_side, max_side);
    let mut png = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(ImageFacts {
        width: decoded.width(),
        height: decoded.height(),
        thumbnail_png: png,
    })
}

async fn write_file(path: PathBuf, bytes: Vec<u8>) -> Result<(), ApiError> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temp = path.with_extension("part");
        std::fs::write(&temp, &bytes)?;
        std::fs::rename(&temp, &path)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

const MIB: u64 = 1024 * 1024;

fn mib(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MIB as f64)
}

/// `429` for a user over their upload rate.
pub fn too_fast(state: &AppState, wait: Duration) -> ApiError {
    let limits = &state.config.attachments;
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::too_many(
        "rate_limited",
        format!("too many uploads; try again in {secs} s"),
        secs,
    )
    .with_hint(format!(
        "Each person may upload {} files and {} per minute; wait a moment and try again.",
        limits.uploads_per_minute,
        mib(limits.upload_bytes_per_minute)
    ))
}

fn over_quota(max_pending: u64, pending: i64, adding: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_quota_exceeded",
        format!(
            "your files not yet sent hold {}; {} more would pass the limit of {}",
            mib(u64::try_from(pending).unwrap_or(0)),
            mib(adding),
            mib(max_pending)
        ),
    )
    .with_hint("Send or remove your pending files first.")
}

async fn remove_files(data_dir: &Path, id: &str) {
    for thumbnail in [false, true] {
        let path = path_of(data_dir, id, thumbnail);
        if let Err(e) = tokio::fs::remove_file(&path).await {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(error = %e, path = %path.display(), "cannot delete an upload's file");
            }
        }
    }
}

/// Validates and stores uploads for `project`; they await a message of the uploader. The
/// batch is charged to the uploader's rate first, then stored only if the bytes of their
/// unsent uploads stay within the quota (checked in the transaction that stores the rows).
pub async fn store(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    uploads: Vec<Upload>,
) -> Result<Vec<Attachment>, ApiError> {
    let limits = &state.config.attachments;
    if uploads.is_empty() || uploads.len() > limits.max_per_message {
        return Err(rejected(format!(
            "send 1 to {} files per request",
            limits.max_per_message
        )));
    }
    let access = open_project(state.store.as_ref(), user, project, Permission::Write).await?;
    let adding: u64 = uploads.iter().map(|u| u.bytes.len() as u64).sum();
    let files = u32::try_from(uploads.len()).unwrap_or(u32::MAX);
    state
        .upload_rate
        .take(&user.id, files, adding, Instant::now())
        .map_err(|wait| too_fast(state, wait))?;
    let mut checked = Vec::with_capacity(uploads.len());
    for upload in uploads {
        no_nul("the file name", &upload.file_name)?;
        let kind = classify(&upload.file_name, &upload.bytes)?;
        let facts = if kind.image {
            let (bytes, side) = (upload.bytes.clone(), limits.thumbnail_px);
            let facts = tokio::task::spawn_blocking(move || image_facts(&bytes, side))
                .await
                .map_err(ApiError::internal)?;
            Some(facts.map_err(|e| {
                rejected(format!(
                    "{} cannot be read as an image: {e}",
                    clean_name(&upload.file_name)
                ))
            })?)
        } else {
            None
        };
        checked.push((upload, kind, facts));
    }
    let mut batch = Vec::with_capacity(checked.len());
    let mut files = Vec::with_capacity(checked.len());
    for (upload, kind, facts) in checked {
        let id = uuid::Uuid::now_v7().to_string();
        let size = upload.bytes.len() as i64;
        let (width, height) = facts.as_ref().map_or((None, None), |f| {
            (Some(i64::from(f.width)), Some(i64::from(f.height)))
        });
        let new = NewAttachment {
            id: id.clone(),
            project_id: access.project.id.clone(),
            uploader_id: user.id.clone(),
            file_name: clean_name(&upload.file_name),
            content_type: kind.content_type.to_owned(),
            size,
            width,
            height,
            has_thumbnail: kind.image,
        };
        files.push((id, upload.bytes, facts.map(|f| f.thumbnail_png)));
        batch.push(new);
    }
    let max_pending = limits.max_pending_bytes;
    let quota = match max_pending {
        0 => i64::MAX,
        max => i64::try_from(max).unwrap_or(i64::MAX),
    };
    let stored = match state.store.insert_attachments(batch, quota).await? {
        StoredUploads::Stored(stored) => stored,
        StoredUploads::OverQuota { pending_bytes } => {
            return Err(over_quota(max_pending, pending_bytes, adding))
        }
    };
    // The rows exist before their files, but nobody knows their ids until this returns.
    let data_dir = &state.config.data_dir;
    let ids: Vec<String> = files.iter().map(|(id, _, _)| id.clone()).collect();
    for (id, bytes, thumbnail) in files {
        let mut written = write_file(path_of(data_dir, &id, false), bytes).await;
        if let (Ok(()), Some(png)) = (&written, thumbnail) {
            written = write_file(path_of(data_dir, &id, true), png).await;
        }
        if let Err(e) = written {
            for id in &ids {
                if let Err(e) = state.store.delete_pending_attachment(id, &user.id).await {
                    tracing::warn!(error = %e, "cannot forget an upload whose file failed");
                }
                remove_files(data_dir, id).await;
            }
            return Err(e);
        }
    }
    Ok(stored)
}

/// Removes an upload of `user` that no message uses yet: its row and its files.
pub async fn remove(state: &AppState, user: &AuthUser, id: &str) -> Result<(), ApiError> {
    let (found, _) = open(state, user, id, false).await?;
    let pending = found.message_id.is_none() && found.uploader_id == user.id;
    if !pending || !state.store.delete_pending_attachment(id, &user.id).await? {
        return Err(ApiError::conflict("this file is part of a message")
            .with_hint("Delete the message to take its files away."));
    }
    remove_files(&state.config.data_dir, id).await;
    Ok(())
}

/// The attachment and its file, if `user` may read the project it belongs to.
pub async fn open(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    thumbnail: bool,
) -> Result<(StoredAttachment, PathBuf), ApiError> {
    let not_found = || ApiError::not_found("attachment");
    if id.len() != 36 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(not_found());
    }
    let found = state.store.attachment(id).await?.ok_or_else(not_found)?;
    let access = open_project(
        state.store.as_ref(),
        user,
        &found.project_name,
        Permission::Read,
    )
    .await?;
    match &found.message_id {
        // Not posted yet: only the uploader sees it.
        None if found.uploader_id != user.id => return Err(not_found()),
        None => {}
        // Posted: whoever sees the message, which in a direct message is its two participants.
        Some(message_id) => {
            let message = state.store.message(&access.project, message_id).await?;
            if !message.is_some_and(|m| direct::may_see(&m.channel, &user.username)) {
                return Err(not_found());
            }
        }
    }
    if thumbnail && found.attachment.thumbnail_url.is_none() {
        return Err(not_found());
    }
    let path = path_of(&state.config.data_dir, id, thumbnail);
    Ok((found, path))
}

/// Deletes uploads that no message claimed within the configured time, rows and files.
pub async fn sweep_unclaimed(state: &AppState) -> Result<usize, ApiError> {
    let ttl = chrono::Duration::hours(
        i64::try_from(state.config.attachments.unclaimed_ttl_hours).unwrap_or(24),
    );
    let ids = state
        .store
        .delete_unclaimed_attachments(huddle_store::now() - ttl)
        .await?;
    for id in &ids {
        remove_files(&state.config.data_dir, id).await;
    }
    Ok(ids.len())
}

/// Runs [`sweep_unclaimed`] every hour until `stop`.
pub async fn run_sweeper(state: AppState, stop: tokio_util::sync::CancellationToken) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        match sweep_unclaimed(&state).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "deleted unclaimed uploads"),
            Err(e) => tracing::warn!(error = ?e.body, "sweeping unclaimed uploads failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_magic_bytes_must_agree() {
        assert_eq!(
            classify("a.png", b"\x89PNG\r\n\x1a\nrest")
                .map(|k| k.image)
                .ok(),
            Some(true)
        );
        assert!(
            classify("a.png", b"GIF89a....").is_err(),
            "a GIF named .png"
        );
        assert!(classify("a.pdf", b"%PDF-1.7").is_ok());
        assert!(classify("notes.MD", "# héllo".as_bytes()).is_ok());
        assert!(
            classify("a.txt", b"\xff\xfe\x00bin").is_err(),
            "binary is not text"
        );
        for bad in ["a.exe", "a.html", "a.svg", "a", "a.png.exe"] {
            assert!(classify(bad, b"whatever").is_err(), "{bad}");
        }
    }

    #[test]
    fn names_lose_paths_and_odd_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("a\"b;c\n.txt"), "abc.txt");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(&"x".repeat(300)).len(), 128);
        assert_eq!(clean_name("\u{202e}gnp.txt"), "gnp.txt");
        assert_eq!(clean_name("a\u{2066}b\u{2069}\u{200f}.pdf"), "ab.pdf");
        assert_eq!(clean_name("\u{200b}\u{200d}"), "file");
    }

    #[test]
    fn paths_are_built_from_ids_only() {
        let p = path_of(
            Path::new("/data"),
            "01a207d3-2d7c-754c-ba83-5020e2ec681a",
            false,
        );
        assert_eq!(
            p,
            Path::new("/data/attachments/1a/01a207d3-2d7c-754c-ba83-5020e2ec681a")
        );
        assert!(path_of(Path::new("/data"), "abc", true).ends_with("bc/abc.thumb.png"));
    }

    #[test]
    fn images_get_dimensions_and_a_bounded_thumbnail() {
        let mut png = Vec::new();
        image::RgbImage::new(800, 400)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let facts = image_facts(&png, 320).expect("decodes");
        assert_eq!((facts.width, facts.height), (800, 400));
        let thumb = image::load_from_memory(&facts.thumbnail_png).expect("thumbnail decodes");
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
        assert!(image_facts(b"\x89PNG\r\n\x1a\ngarbage", 320).is_err());
    }
}
