//! The little XML S3 answers with: a ListObjectsV2 page (keys, whether it is
//! truncated, the continuation token) and an error's code and message.
//!
//! S3's answers are flat and namespaced only by a default `xmlns`, so reading the
//! text between an element's tags is enough; a full XML parser would be a
//! dependency for four element names.

/// One page of a ListObjectsV2 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// The full keys on this page, in the server's (byte) order.
    pub keys: Vec<String>,
    /// The token of the next page when the listing is truncated.
    pub next: Option<String>,
}

/// The inner texts of every `<tag>…</tag>` in `xml`, unescaped.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        found.push(unescape(&after[..end]));
        rest = &after[end + close.len()..];
    }
    found
}

fn first(xml: &str, tag: &str) -> Option<String> {
    texts(xml, tag).into_iter().next()
}

/// Reads a ListObjectsV2 page.
pub fn list_page(xml: &str) -> ListPage {
    let keys = texts(xml, "Contents")
        .iter()
        .filter_map(|contents| first(contents, "Key"))
        .collect();
    let truncated = first(xml, "IsTruncated").is_some_and(|t| t == "true");
    let next = first(xml, "NextContinuationToken").filter(|_| truncated);
    ListPage { keys, next }
}

/// `Code: Message` of an S3 error document, when `xml` is one.
pub fn error_summary(xml: &str) -> Option<String> {
    let code = first(xml, "Code")?;
    Some(match first(xml, "Message") {
        Some(message) => format!("{code}: {message}"),
        None => code,
    })
}

/// Replaces the five predefined entities and numeric character references.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(entity);
                out.push(';');
            }
        }
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    out
}
