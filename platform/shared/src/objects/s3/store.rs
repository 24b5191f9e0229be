//! The object store on an S3-compatible server, made to behave as the embedded
//! stores do where S3 differs:
//!
//! - the etag is the lowercase hex SHA-256 of the content (S3's own is an MD5):
//!   it is the payload hash every signed PUT carries anyway, and is kept as user
//!   metadata `x-amz-meta-sha256`; an object written without it is hashed on read;
//! - `delete` reports whether the object existed, which S3 does not say (it
//!   answers 204 either way): a HEAD comes first, so a concurrent writer can make
//!   the answer stale, as it could on any store between the call and its use;
//! - a range past the end is refused ([`ObjectError::RangeNotSatisfiable`]),
//!   where S3 would clip it;
//! - `list` pages through ListObjectsV2 with continuation tokens, then reads each
//!   object's metadata with a HEAD (a listing carries neither content type nor
//!   SHA-256), a few at a time.
//!
//! The bucket is created on first use when missing (and again after a failed try),
//! and again when a write or a listing finds it gone (a server replaced by an empty
//! one, as a throwaway server restarted is): that request is then sent once more.

use std::ops::Range;

use async_trait::async_trait;
use futures_util::StreamExt as _;
use reqwest::{Method, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Mutex;

use super::client::{S3Client, S3Request, S3Response};
use super::settings::S3Settings;
use super::xml::list_page;
use crate::objects::content::describe;
use crate::objects::{ObjectError, ObjectKey, ObjectMeta, ObjectStore, check_range};

/// User metadata holding the SHA-256 etag.
const SHA256_HEADER: &str = "x-amz-meta-sha256";
/// How many HEADs a listing keeps in flight.
const LIST_CONCURRENCY: usize = 8;
/// S3's own largest page.
const DEFAULT_PAGE_SIZE: usize = 1000;

/// [`ObjectStore`] on an S3 bucket, under the key prefix of its settings.
#[derive(Debug)]
pub struct S3ObjectStore {
    client: S3Client,
    /// The bucket is known to exist.
    bucket_ready: AtomicBool,
    /// Held while the bucket is checked or created, so callers do it once between them.
    creating: Mutex<()>,
    page_size: usize,
}

impl S3ObjectStore {
    /// A store on the server and bucket `settings` name; nothing is sent until
    /// first use (see [`Self::connect`] to check the server at once).
    pub fn new(settings: S3Settings) -> Result<Self, ObjectError> {
        Ok(Self {
            client: S3Client::new(settings)?,
            bucket_ready: AtomicBool::new(false),
            creating: Mutex::new(()),
            page_size: DEFAULT_PAGE_SIZE,
        })
    }

    /// A store whose bucket exists (created when missing): fails now, naming the
    /// URL, when the server does not answer or refuses.
    pub async fn connect(settings: S3Settings) -> Result<Self, ObjectError> {
        let store = Self::new(settings)?;
        store.ready().await?;
        Ok(store)
    }

    /// The same store listing `page_size` keys per ListObjectsV2 request (at
    /// least 1), so tests can make listings span pages.
    #[must_use]
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// The settings, for status lines.
    pub fn settings(&self) -> &S3Settings {
        self.client.settings()
    }

    async fn ready(&self) -> Result<(), ObjectError> {
        if self.bucket_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let _creating = self.creating.lock().await;
        if !self.bucket_ready.load(Ordering::Acquire) {
            self.create_bucket().await?;
            self.bucket_ready.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Sends a request that needs the bucket; when the answer is that the bucket
    /// is gone, creates it again and sends the request once more.
    async fn send_in_bucket(&self, request: S3Request<'_>) -> Result<S3Response, ObjectError> {
        self.ready().await?;
        let response = self.client.send(request.clone()).await?;
        if response.status != StatusCode::NOT_FOUND || !response.summary().contains("NoSuchBucket")
        {
            return Ok(response);
        }
        self.bucket_ready.store(false, Ordering::Release);
        self.ready().await?;
        self.client.send(request).await
    }

    async fn create_bucket(&self) -> Result<(), ObjectError> {
        let head = self.client.send(S3Request::new(Method::HEAD, None)).await?;
        if head.status.is_success() {
            return Ok(());
        }
        let mut create = S3Request::new(Method::PUT, None);
        let region = self.settings().signer.region();
        // us-east-1 is the default location and must not be named.
        if region != "us-east-1" {
            create.body = format!(
                "<CreateBucketConfiguration><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
            )
            .into_bytes()
            .into();
        }
        let response = self.client.send(create).await?;
        let owned = response.summary().contains("BucketAlreadyOwnedByYou");
        if response.status.is_success() || owned {
            Ok(())
        } else {
            Err(self.client.unexpected("PUT", None, &response))
        }
    }

    /// The key on the server.
    fn full_key(&self, key: &ObjectKey) -> String {
        format!("{}{}", self.settings().prefix, key.as_str())
    }

    fn not_found(key: &ObjectKey) -> ObjectError {
        ObjectError::NotFound(key.as_str().to_owned())
    }

    /// Metadata from a HEAD or GET answer, `None` when the SHA-256 is not recorded.
    fn meta_of(key: &ObjectKey, response: &S3Response) -> Option<ObjectMeta> {
        let size = response.header("content-length")?.parse().ok()?;
        let etag = response.header(SHA256_HEADER)?.to_owned();
        let content_type = response.header("content-type").unwrap_or_default();
        Some(ObjectMeta {
            key: key.clone(),
            size,
            content_type: content_type.to_owned(),
            etag,
        })
    }

    async fn get_object(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError> {
        self.ready().await?;
        let full = self.full_key(key);
        let response = self
            .client
            .send(S3Request::new(Method::GET, Some(&full)))
            .await?;
        match response.status {
            StatusCode::OK => {
                let content_type = response
                    .header("content-type")
                    .unwrap_or_default()
                    .to_owned();
                let meta = describe(key, &response.body, content_type);
                Ok((meta, response.body))
            }
            StatusCode::NOT_FOUND => Err(Self::not_found(key)),
            _ => Err(self.client.unexpected("GET", Some(&full), &response)),
        }
    }

    /// The size in `Content-Range: bytes a-b/size` or `bytes */size`.
    fn total_size(response: &S3Response) -> Option<u64> {
        response
            .header("content-range")?
            .rsplit_once('/')?
            .1
            .parse()
            .ok()
    }

    fn unsatisfiable(key: &ObjectKey, range: &Range<u64>, size: u64) -> ObjectError {
        ObjectError::RangeNotSatisfiable {
            key: key.as_str().to_owned(),
            start: range.start,
            end: range.end,
            size,
        }
    }

    async fn size_of(&self, key: &ObjectKey) -> Result<u64, ObjectError> {
        self.head(key)
            .await?
            .map(|meta| meta.size)
            .ok_or_else(|| Self::not_found(key))
    }
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn put(
        &self,
        key: &ObjectKey,
        data: Vec<u8>,
        content_type: &str,
    ) -> Result<ObjectMeta, ObjectError> {
        let meta = describe(key, &data, content_type.to_owned());
        let full = self.full_key(key);
        let mut request = S3Request::new(Method::PUT, Some(&full));
        request.headers.push((SHA256_HEADER, meta.etag.clone()));
        if !content_type.is_empty() {
            request
                .headers
                .push(("content-type", content_type.to_owned()));
        }
        request.payload_hash = Some(meta.etag.clone());
        request.body = data.into();
        let response = self.send_in_bucket(request).await?;
        if response.status.is_success() {
            Ok(meta)
        } else {
            Err(self.client.unexpected("PUT", Some(&full), &response))
        }
    }

    async fn get(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError> {
        self.get_object(key).await
    }

    async fn get_range(&self, key: &ObjectKey, range: Range<u64>) -> Result<Vec<u8>, ObjectError> {
        self.ready().await?;
        if range.start >= range.end {
            // Not expressible as an HTTP range; the answer still needs the size.
            let size = self.size_of(key).await?;
            return Err(Self::unsatisfiable(key, &range, size));
        }
        let full = self.full_key(key);
        let mut request = S3Request::new(Method::GET, Some(&full));
        let last = range.end - 1;
        request
            .headers
            .push(("range", format!("bytes={}-{last}", range.start)));
        let response = self.client.send(request).await?;
        match response.status {
            StatusCode::PARTIAL_CONTENT => {
                let size = match Self::total_size(&response) {
                    Some(size) => size,
                    None => self.size_of(key).await?,
                };
                check_range(key, &range, size)?;
                Ok(response.body)
            }
            // A server that ignores ranges sends the whole object.
            StatusCode::OK => {
                check_range(key, &range, response.body.len() as u64)?;
                let (start, end) = (usize::try_from(range.start), usize::try_from(range.end));
                match (start, end) {
                    (Ok(start), Ok(end)) => Ok(response.body[start..end].to_vec()),
                    _ => Err(Self::unsatisfiable(key, &range, response.body.len() as u64)),
                }
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                let size = match Self::total_size(&response) {
                    Some(size) => size,
                    None => self.size_of(key).await?,
                };
                Err(Self::unsatisfiable(key, &range, size))
            }
            StatusCode::NOT_FOUND => Err(Self::not_found(key)),
            _ => Err(self.client.unexpected("GET", Some(&full), &response)),
        }
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectError> {
        self.ready().await?;
        let full = self.full_key(key);
        let response = self
            .client
            .send(S3Request::new(Method::HEAD, Some(&full)))
            .await?;
        match response.status {
            StatusCode::OK => match Self::meta_of(key, &response) {
                Some(meta) => Ok(Some(meta)),
                // Written by another client: the etag comes from the bytes.
                None => match self.get_object(key).await {
                    Ok((meta, _)) => Ok(Some(meta)),
                    Err(ObjectError::NotFound(_)) => Ok(None),
                    Err(error) => Err(error),
                },
            },
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.client.unexpected("HEAD", Some(&full), &response)),
        }
    }

    async fn delete(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        self.ready().await?;
        let full = self.full_key(key);
        let head = self
            .client
            .send(S3Request::new(Method::HEAD, Some(&full)))
            .await?;
        let existed = match head.status {
            StatusCode::OK => true,
            StatusCode::NOT_FOUND => false,
            _ => return Err(self.client.unexpected("HEAD", Some(&full), &head)),
        };
        let response = self
            .client
            .send(S3Request::new(Method::DELETE, Some(&full)))
            .await?;
        if response.status.is_success() || response.status == StatusCode::NOT_FOUND {
            Ok(existed)
        } else {
            Err(self.client.unexpected("DELETE", Some(&full), &response))
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, ObjectError> {
        self.ready().await?;
        let store_prefix = self.settings().prefix.clone();
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = S3Request::new(Method::GET, None);
            request.query = vec![
                ("list-type", "2".to_owned()),
                ("prefix", format!("{store_prefix}{prefix}")),
                ("max-keys", self.page_size.to_string()),
            ];
            if let Some(token) = &token {
                request.query.push(("continuation-token", token.clone()));
            }
            let response = self.send_in_bucket(request).await?;
            if response.status != StatusCode::OK {
                return Err(self.client.unexpected("GET", None, &response));
            }
            let page = list_page(&String::from_utf8_lossy(&response.body));
            keys.extend(
                page.keys
                    .iter()
                    .filter_map(|full| full.strip_prefix(&store_prefix))
                    // Objects other clients wrote under keys this platform refuses.
                    .filter_map(|key| ObjectKey::parse(key).ok()),
            );
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        keys.sort();
        let heads: Vec<Result<Option<ObjectMeta>, ObjectError>> = futures_util::stream::iter(keys)
            .map(|key| async move { self.head(&key).await })
            .buffered(LIST_CONCURRENCY)
            .collect()
            .await;
        let mut listed = Vec::with_capacity(heads.len());
        for head in heads {
            // Deleted since the listing: not part of it.
            if let Some(meta) = head? {
                listed.push(meta);
            }
        }
        Ok(listed)
    }
}
