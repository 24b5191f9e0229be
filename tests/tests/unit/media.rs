//! Media value types: resolutions, frame rates, bitrates, codec strings.

use mediaflow_shared::media::{AudioCodec, FrameRate, Kbps, Resolution, VideoCodec};

#[test]
fn resolutions_parse_and_validate() {
    let r: Resolution = "1920x1080".parse().expect("1080p");
    assert_eq!((r.width, r.height, r.pixels()), (1920, 1080, 2_073_600));
    assert_eq!(r.label(), "1080p");
    for bad in ["1920", "0x0", "1921x1080", "8000x4320", "axb"] {
        assert!(
            bad.parse::<Resolution>().is_err(),
            "`{bad}` must be rejected"
        );
    }
}

#[test]
fn scaling_keeps_the_aspect_ratio_with_even_widths() {
    let source = Resolution::new(1920, 1080).expect("valid");
    assert_eq!(source.scaled_to_height(720).map(|r| r.width), Ok(1280));
    assert_eq!(source.scaled_to_height(360).map(|r| r.width), Ok(640));
    let odd = Resolution::new(1440, 1080)
        .expect("4:3")
        .scaled_to_height(480)
        .expect("scaled");
    assert_eq!(odd.width, 640);
    let awkward = Resolution::new(1918, 1080)
        .expect("valid")
        .scaled_to_height(360)
        .expect("scaled");
    assert_eq!(
        awkward.width % 2,
        0,
        "encoders need even widths, got {}",
        awkward.width
    );
}

#[test]
fn frame_rates_are_exact_rationals() {
    let ntsc: FrameRate = "29.97".parse().expect("ntsc");
    assert_eq!((ntsc.num, ntsc.den), (30_000, 1001));
    assert_eq!("30000/1001".parse::<FrameRate>(), Ok(ntsc));
    assert_eq!("60".parse::<FrameRate>().map(|f| f.as_f64()), Ok(60.0));
    assert!("0".parse::<FrameRate>().is_err());
    assert!(
        "500".parse::<FrameRate>().is_err(),
        "above 240 fps is not a video frame rate"
    );
}

#[test]
fn bitrates_are_whole_kilobits() {
    assert_eq!(
        Kbps(5_800).bits_per_second(),
        5_800_000,
        "HLS BANDWIDTH is in bits per second"
    );
}

#[test]
fn codec_strings_follow_rfc_6381_with_level_by_frame_size() {
    let p1080 = Resolution::new(1920, 1080).expect("valid");
    let p720 = Resolution::new(1280, 720).expect("valid");
    let p2160 = Resolution::new(3840, 2160).expect("valid");
    assert_eq!(
        VideoCodec::H264.codecs_string(p1080),
        "avc1.640028",
        "H.264 High@4.0 for 1080p"
    );
    assert_eq!(
        VideoCodec::H264.codecs_string(p720),
        "avc1.64001f",
        "H.264 High@3.1 for 720p"
    );
    assert_eq!(
        VideoCodec::H264.codecs_string(p2160),
        "avc1.640033",
        "H.264 High@5.1 for 2160p"
    );
    assert_eq!(VideoCodec::H265.codecs_string(p1080), "hvc1.1.6.L120.90");
    assert_eq!(AudioCodec::Aac.codecs_string(), "mp4a.40.2");
    assert_eq!("HEVC".parse::<VideoCodec>(), Ok(VideoCodec::H265));
}
