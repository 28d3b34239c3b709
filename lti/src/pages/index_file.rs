//! The tool page's template, `www/index.html`, kept in memory for the launch ([`IndexFile`]):
//! read on the first launch, then re-read only when its modification time changes. The time
//! is looked at no more than once a second, so a launch costs no disk access, and an edit of
//! the page (the demo's live editing) shows on a launch a second later at most.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// How often the file's modification time is looked at.
pub const RECHECK_EVERY: Duration = Duration::from_secs(1);

/// `index.html` of a `www/` folder, cached by modification time.
#[derive(Debug)]
pub struct IndexFile {
    path: PathBuf,
    recheck_every: Duration,
    kept: Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    text: Arc<str>,
    modified: Option<SystemTime>,
    checked: Instant,
}

impl IndexFile {
    /// `<www_dir>/index.html`, not read yet.
    pub fn new(www_dir: &Path) -> IndexFile {
        IndexFile::with_recheck(www_dir, RECHECK_EVERY)
    }

    /// The same, looking at the modification time every `recheck_every` (tests use zero).
    pub fn with_recheck(www_dir: &Path, recheck_every: Duration) -> IndexFile {
        IndexFile {
            path: www_dir.join("index.html"),
            recheck_every,
            kept: Mutex::new(None),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The page's text: from memory, or from disk when it was never read or has changed.
    pub async fn text(&self) -> std::io::Result<Arc<str>> {
        let known = {
            let kept = self.lock();
            match kept.as_ref() {
                Some(kept) if kept.checked.elapsed() < self.recheck_every => {
                    return Ok(Arc::clone(&kept.text));
                }
                Some(kept) => kept.modified,
                None => None,
            }
        };
        let modified = tokio::fs::metadata(&self.path).await?.modified().ok();
        if known.is_some() && modified == known {
            let mut kept = self.lock();
            if let Some(kept) = kept.as_mut().filter(|k| k.modified == modified) {
                kept.checked = Instant::now();
                return Ok(Arc::clone(&kept.text));
            }
        }
        let text: Arc<str> = tokio::fs::read_to_string(&self.path).await?.into();
        *self.lock() = Some(Kept {
            text: Arc::clone(&text),
            modified,
            checked: Instant::now(),
        });
        Ok(text)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        // A plain value behind the lock: a panic elsewhere leaves nothing half-written.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-index-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &Path, text: &str, modified: SystemTime) {
        let path = dir.join("index.html");
        std::fs::write(&path, text).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(modified).unwrap();
    }

    #[tokio::test]
    async fn the_page_is_read_again_only_when_its_time_changes() {
        let dir = folder("mtime");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        write(&dir, "first", t0);
        let page = IndexFile::with_recheck(&dir, Duration::ZERO);
        assert_eq!(&*page.text().await.unwrap(), "first");
        // Same time, other text: the copy in memory is still served (no read happened).
        write(&dir, "other", t0);
        assert_eq!(&*page.text().await.unwrap(), "first");
        // A new time: read again.
        write(&dir, "second", t0 + Duration::from_secs(1));
        assert_eq!(&*page.text().await.unwrap(), "second");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn within_the_recheck_interval_the_disk_is_not_looked_at() {
        let dir = folder("interval");
        write(&dir, "kept", SystemTime::now());
        let page = IndexFile::with_recheck(&dir, Duration::from_secs(3600));
        assert_eq!(&*page.text().await.unwrap(), "kept");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(&*page.text().await.unwrap(), "kept", "served from memory");
        let fresh = IndexFile::with_recheck(&dir, Duration::from_secs(3600));
        assert!(fresh.text().await.is_err(), "a missing file is an error");
    }
}
