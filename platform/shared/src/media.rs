//! Media value types: resolutions, frame rates, integer bitrates and codec
//! identifiers as HLS and DASH manifests spell them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Errors parsing media values.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// Not `WIDTHxHEIGHT` with even, non-zero sides up to 8K.
    #[error(
        "invalid resolution `{0}`: expected WIDTHxHEIGHT with even sides between 2 and 7680x4320"
    )]
    Resolution(String),
    /// Not a positive frame rate.
    #[error("invalid frame rate `{0}`: expected e.g. 30, 29.97 or 30000/1001")]
    FrameRate(String),
    /// Unknown codec name.
    #[error("unknown codec `{0}`")]
    Codec(String),
}

/// Frame size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Resolution {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Resolution {
    /// A validated resolution (even sides, at most 7680×4320).
    pub fn new(width: u32, height: u32) -> Result<Self, MediaError> {
        let ok = |v: u32, max: u32| v >= 2 && v <= max && v.is_multiple_of(2);
        if ok(width, 7680) && ok(height, 4320) {
            Ok(Self { width, height })
        } else {
            Err(MediaError::Resolution(format!("{width}x{height}")))
        }
    }

    /// Pixels per frame.
    pub fn pixels(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// The usual short name: `1080p` from the height.
    pub fn label(self) -> String {
        format!("{}p", self.height)
    }

    /// This resolution scaled to `height`, keeping the aspect ratio, width rounded
    /// to the nearest even number.
    pub fn scaled_to_height(self, height: u32) -> Result<Self, MediaError> {
        let exact = u64::from(self.width) * u64::from(height);
        let width = exact / u64::from(self.height);
        let rounded = if exact % u64::from(self.height) * 2 >= u64::from(self.height) {
            width + 1
        } else {
            width
        };
        let even = rounded.div_ceil(2) * 2;
        Self::new(
            u32::try_from(even).map_err(|_| MediaError::Resolution(format!("{even}x{height}")))?,
            height,
        )
    }
}

impl FromStr for Resolution {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (w, h) = s
            .split_once(['x', 'X'])
            .ok_or_else(|| MediaError::Resolution(s.to_owned()))?;
        let parse = |v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| MediaError::Resolution(s.to_owned()))
        };
        Self::new(parse(w)?, parse(h)?)
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// Frames per second as an exact rational (NTSC rates are 30000/1001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrameRate {
    /// Numerator.
    pub num: u32,
    /// Denominator.
    pub den: u32,
}

impl FrameRate {
    /// A validated frame rate (positive, at most 240 fps).
    pub fn new(num: u32, den: u32) -> Result<Self, MediaError> {
        if den == 0 || num == 0 || u64::from(num) > 240 * u64::from(den) {
            return Err(MediaError::FrameRate(format!("{num}/{den}")));
        }
        Ok(Self { num, den })
    }

    /// Frames per second as a float (for display and bitrate estimates).
    pub fn as_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

impl FromStr for FrameRate {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || MediaError::FrameRate(s.to_owned());
        if let Some((n, d)) = s.split_once('/') {
            return Self::new(
                n.trim().parse().map_err(|_| bad())?,
                d.trim().parse().map_err(|_| bad())?,
            );
        }
        match s.trim() {
            "23.976" => Self::new(24_000, 1001),
            "29.97" => Self::new(30_000, 1001),
            "59.94" => Self::new(60_000, 1001),
            whole => Self::new(whole.parse().map_err(|_| bad())?, 1),
        }
    }
}

impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{:.3}", self.as_f64())
        }
    }
}

/// A bitrate in whole kilobits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kbps(pub u32);

impl Kbps {
    /// Bits per second, as manifests state `BANDWIDTH`.
    pub fn bits_per_second(self) -> u64 {
        u64::from(self.0) * 1000
    }
}

impl fmt::Display for Kbps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kbps", self.0)
    }
}

/// Video codecs the platform encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    /// H.264 / AVC, High profile.
    H264,
    /// H.265 / HEVC, Main profile.
    H265,
    /// AV1, Main profile.
    Av1,
}

/// Audio codecs the platform encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioCodec {
    /// AAC-LC.
    Aac,
    /// Opus.
    Opus,
}

impl VideoCodec {
    /// RFC 6381 codec string for a rendition of this height (the level depends on
    /// the frame size): `avc1.640028` for 1080p H.264 High@4.0.
    pub fn codecs_string(self, resolution: Resolution) -> String {
        let pixels = resolution.pixels();
        match self {
            Self::H264 => {
                let level = match pixels {
                    0..=414_720 => "1e",           // 3.0 up to 720x576
                    414_721..=921_600 => "1f",     // 3.1 up to 1280x720
                    921_601..=2_097_152 => "28",   // 4.0 up to 2048x1024 (1080p)
                    2_097_153..=8_912_896 => "33", // 5.1 up to 4096x2176
                    _ => "34",                     // 5.2
                };
                format!("avc1.6400{level}")
            }
            Self::H265 => {
                let level = match pixels {
                    0..=983_040 => 93,
                    983_041..=2_228_224 => 120,
                    2_228_225..=8_912_896 => 150,
                    _ => 153,
                };
                format!("hvc1.1.6.L{level}.90")
            }
            Self::Av1 => {
                let level = match pixels {
                    0..=665_856 => "04M",
                    665_857..=2_359_296 => "08M",
                    2_359_297..=8_912_896 => "12M",
                    _ => "16M",
                };
                format!("av01.0.{level}.08")
            }
        }
    }
}

impl AudioCodec {
    /// RFC 6381 codec string.
    pub fn codecs_string(self) -> &'static str {
        match self {
            Self::Aac => "mp4a.40.2",
            Self::Opus => "opus",
        }
    }
}

impl FromStr for VideoCodec {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "h264" | "avc" | "avc1" => Ok(Self::H264),
            "h265" | "hevc" | "hvc1" => Ok(Self::H265),
            "av1" | "av01" => Ok(Self::Av1),
            _ => Err(MediaError::Codec(s.to_owned())),
        }
    }
}
