//! [`ProfileStore`]: the profiles in `<app data>/profiles.json`.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::StoreError;
use super::atomic::{FileLock, atomic_write, sync_dir};
use super::file::{
    FileProblem, ProfilesFile, next_profile_id, parse_profiles, serialise_profiles, set_aside_name,
};
use super::profile::{NewProfile, Profile, ProfileChanges, ProfileId};
use crate::facts::UnixMs;
use crate::i18n::Text;

/// The file name inside the app-data directory.
pub const PROFILES_FILE: &str = "profiles.json";
const LOCK_FILE: &str = "profiles.json.lock";

/// Something the helper should be told after opening the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreNotice {
    /// The file could not be used; it was renamed to `kept_as` and the store starts empty.
    SetAside {
        kept_as: PathBuf,
        problem: FileProblem,
    },
}

impl StoreNotice {
    pub fn user_message(&self) -> Text {
        match self {
            StoreNotice::SetAside { kept_as, problem } => {
                let name = kept_as
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| kept_as.display().to_string());
                problem.set_aside_message(&name)
            }
        }
    }
}

/// The result of [`ProfileStore::open`].
#[derive(Debug)]
pub struct Opened {
    pub store: ProfileStore,
    /// The profiles as found (empty after a file was set aside).
    pub profiles: Vec<Profile>,
    pub notice: Option<StoreNotice>,
}

/// The profiles of one app-data directory. Cheap to clone; holds no open files.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
    lock_timeout: Duration,
}

enum Loaded {
    Missing,
    Good(ProfilesFile),
    Bad(FileProblem),
}

impl ProfileStore {
    /// Opens (creating the directory if needed) the profiles in `dir`. A damaged or newer
    /// file is renamed to `profiles.json.corrupt-<UTC time of now>` and reported in
    /// [`Opened::notice`]; the store then starts empty.
    pub fn open(dir: &Path, now: UnixMs) -> Result<Opened, StoreError> {
        fs::create_dir_all(dir).map_err(|e| StoreError::io("create the folder", dir, e))?;
        let store = ProfileStore {
            dir: dir.to_path_buf(),
            lock_timeout: Duration::from_secs(10),
        };
        let _lock = store.lock()?;
        let (profiles, notice) = match store.read()? {
            Loaded::Missing => (Vec::new(), None),
            Loaded::Good(file) => (file.profiles, None),
            Loaded::Bad(problem) => {
                let kept_as = store.set_aside(now)?;
                (Vec::new(), Some(StoreNotice::SetAside { kept_as, problem }))
            }
        };
        Ok(Opened {
            store,
            profiles,
            notice,
        })
    }

    /// How long to wait for another window or process that is saving.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> ProfileStore {
        self.lock_timeout = timeout;
        self
    }

    /// `<dir>/profiles.json`.
    pub fn path(&self) -> PathBuf {
        self.dir.join(PROFILES_FILE)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// All profiles, in the order they were added. Under a shared lock: writes are atomic
    /// renames anyway, but on Windows a file open for reading can make a writer's rename fail.
    pub fn list(&self) -> Result<Vec<Profile>, StoreError> {
        let _lock = FileLock::acquire_shared(&self.dir.join(LOCK_FILE), self.lock_timeout)?;
        match self.read()? {
            Loaded::Missing => Ok(Vec::new()),
            Loaded::Good(file) => Ok(file.profiles),
            Loaded::Bad(problem) => Err(StoreError::Damaged {
                path: self.path(),
                problem,
            }),
        }
    }

    pub fn get(&self, id: &ProfileId) -> Result<Option<Profile>, StoreError> {
        Ok(self.list()?.into_iter().find(|p| &p.id == id))
    }

    /// Adds a profile; the store picks its ID.
    pub fn add(&self, new: NewProfile, now: UnixMs) -> Result<Profile, StoreError> {
        self.modify(|profiles| {
            let id = next_profile_id(profiles, now);
            let profile = Profile::create(id, new, now)?;
            profiles.push(profile.clone());
            Ok(profile)
        })
    }

    pub fn update(
        &self,
        id: &ProfileId,
        changes: &ProfileChanges,
        now: UnixMs,
    ) -> Result<Profile, StoreError> {
        self.modify(|profiles| {
            let slot = profiles
                .iter_mut()
                .find(|p| &p.id == id)
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            *slot = slot.changed(changes, now)?;
            Ok(slot.clone())
        })
    }

    /// Removes a profile and returns it. (Delete its account ID from the vault too.)
    pub fn remove(&self, id: &ProfileId) -> Result<Profile, StoreError> {
        self.modify(|profiles| {
            let at = profiles
                .iter()
                .position(|p| &p.id == id)
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            Ok(profiles.remove(at))
        })
    }

    /// Read-modify-write under the lock. `change` sees the current profiles; if it fails,
    /// nothing is written.
    fn modify<T>(
        &self,
        change: impl FnOnce(&mut Vec<Profile>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = self.lock()?;
        let mut profiles = match self.read()? {
            Loaded::Missing => Vec::new(),
            Loaded::Good(file) => file.profiles,
            Loaded::Bad(problem) => {
                return Err(StoreError::Damaged {
                    path: self.path(),
                    problem,
                });
            }
        };
        let out = change(&mut profiles)?;
        atomic_write(
            &self.path(),
            &serialise_profiles(&ProfilesFile::new(profiles)),
        )?;
        Ok(out)
    }

    fn lock(&self) -> Result<FileLock, StoreError> {
        FileLock::acquire(&self.dir.join(LOCK_FILE), self.lock_timeout)
    }

    fn read(&self) -> Result<Loaded, StoreError> {
        match fs::read(self.path()) {
            Ok(bytes) => Ok(match parse_profiles(&bytes) {
                Ok(file) => Loaded::Good(file),
                Err(problem) => Loaded::Bad(problem),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Loaded::Missing),
            Err(e) => Ok(Loaded::Bad(FileProblem::Unreadable(e.to_string()))),
        }
    }

    /// Renames the current file aside (under the lock) and returns its new path.
    fn set_aside(&self, now: UnixMs) -> Result<PathBuf, StoreError> {
        let name = set_aside_name(PROFILES_FILE, now, |n| {
            // symlink_metadata: a dangling name is taken too.
            fs::symlink_metadata(self.dir.join(n)).is_ok()
        });
        let kept_as = self.dir.join(name);
        fs::rename(self.path(), &kept_as)
            .map_err(|e| StoreError::io("keep aside the damaged file", &self.path(), e))?;
        sync_dir(&self.dir)?;
        Ok(kept_as)
    }
}
