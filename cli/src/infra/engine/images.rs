//! Images: look up the local id, pull a missing one with per-layer progress.

use futures_util::StreamExt;

use super::super::spec::{ImageRef, ServiceName};
use super::{Engine, EngineError, is_not_found};

/// Progress of one layer during a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerProgress {
    /// Layer id as the engine reports it.
    pub layer: String,
    /// `Waiting`, `Downloading`, `Extracting`, `Pull complete`, ….
    pub status: String,
    /// Bytes done, when the engine says.
    pub current: Option<u64>,
    /// Bytes in total, when the engine says.
    pub total: Option<u64>,
}

impl Engine {
    /// The local image id, or `None` when the image is absent (only then is it pulled).
    pub async fn image_id(&self, image: &ImageRef) -> Result<Option<String>, EngineError> {
        match self.docker.inspect_image(&image.canonical()).await {
            Ok(inspect) => Ok(inspect.id),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => Err(EngineError::api(format!("inspect image {image}"))(error)),
        }
    }

    /// Pulls `image` (always with a tag or digest), reporting each layer's progress.
    pub async fn pull(
        &self,
        service: &ServiceName,
        image: &ImageRef,
        mut on_layer: impl FnMut(LayerProgress),
    ) -> Result<(), EngineError> {
        let mut stream = self
            .docker
            .create_image(Some(image.pull_options()), None, None);
        while let Some(item) = stream.next().await {
            let info = item.map_err(|source| EngineError::Pull {
                service: service.clone(),
                image: image.clone(),
                source: Box::new(source),
            })?;
            // The first message carries the tag as its id ("Pulling from library/redis"):
            // not a layer.
            if let (Some(layer), Some(status)) = (info.id, info.status)
                && !status.starts_with("Pulling from")
            {
                let detail = info.progress_detail.unwrap_or_default();
                on_layer(LayerProgress {
                    layer,
                    status,
                    current: detail.current.and_then(|n| u64::try_from(n).ok()),
                    total: detail.total.and_then(|n| u64::try_from(n).ok()),
                });
            }
        }
        Ok(())
    }
}
