//! Messages between the bus's shape and AMQP's: headers go out as long strings and
//! come back as strings; what RabbitMQ adds on its own (`x-delivery-count`,
//! `x-death` and the `x-first-death-*`/`x-last-death-*` summaries) is turned into
//! what the embedded broker reports, so a consumer reads the same delivery from
//! either backend.

use std::collections::BTreeMap;

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, LongString};

use super::link::short;
use crate::events::{
    BusError, DEATH_COUNT_HEADER, DEATH_EXCHANGE_HEADER, DEATH_QUEUE_HEADER, DEATH_REASON_HEADER,
    Message,
};

/// Header a quorum queue puts on a redelivery: failed deliveries so far.
const DELIVERY_COUNT: &str = "x-delivery-count";
/// RabbitMQ's dead-lettering history: one table per (queue, reason), newest first.
const DEATH: &str = "x-death";
/// Prefixes of RabbitMQ's summaries of that history.
const DEATH_SUMMARY_PREFIXES: [&str; 2] = ["x-first-death-", "x-last-death-"];

/// The AMQP properties of a published message: persistent, with its id, content
/// type and headers.
pub(super) fn properties(message: &Message) -> Result<BasicProperties, BusError> {
    let mut headers = FieldTable::default();
    for (name, value) in &message.headers {
        headers.insert(
            short(name)?,
            AMQPValue::LongString(LongString::from(value.as_bytes().to_vec())),
        );
    }
    let mut properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_headers(headers);
    if let Some(id) = &message.message_id {
        properties = properties.with_message_id(short(id)?);
    }
    if let Some(content_type) = &message.content_type {
        properties = properties.with_content_type(short(content_type)?);
    }
    Ok(properties)
}

/// A header value as the text the bus carries.
fn text(value: &AMQPValue) -> Option<String> {
    Some(match value {
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        AMQPValue::ShortString(s) => s.as_str().to_owned(),
        AMQPValue::ByteArray(b) => String::from_utf8_lossy(b.as_slice()).into_owned(),
        AMQPValue::Boolean(b) => b.to_string(),
        AMQPValue::ShortShortInt(n) => n.to_string(),
        AMQPValue::ShortShortUInt(n) => n.to_string(),
        AMQPValue::ShortInt(n) => n.to_string(),
        AMQPValue::ShortUInt(n) => n.to_string(),
        AMQPValue::LongInt(n) => n.to_string(),
        AMQPValue::LongUInt(n) => n.to_string(),
        AMQPValue::LongLongInt(n) => n.to_string(),
        AMQPValue::Timestamp(n) => n.to_string(),
        AMQPValue::Float(n) => n.to_string(),
        AMQPValue::Double(n) => n.to_string(),
        AMQPValue::DecimalValue(_)
        | AMQPValue::FieldArray(_)
        | AMQPValue::FieldTable(_)
        | AMQPValue::Void => return None,
    })
}

/// A header value as an integer, if it is one.
fn integer(value: &AMQPValue) -> Option<i64> {
    match value {
        AMQPValue::ShortShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortShortUInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortUInt(n) => Some(i64::from(*n)),
        AMQPValue::LongInt(n) => Some(i64::from(*n)),
        AMQPValue::LongUInt(n) => Some(i64::from(*n)),
        AMQPValue::LongLongInt(n) => Some(*n),
        _ => None,
    }
}

/// The embedded broker's `x-death-*` headers from RabbitMQ's `x-death` history:
/// reason, queue and original exchange of the newest entry, and the number of
/// times the message was dead-lettered over all entries.
fn death_headers(history: &AMQPValue, headers: &mut BTreeMap<String, String>) {
    let AMQPValue::FieldArray(entries) = history else {
        return;
    };
    let tables: Vec<&FieldTable> = entries
        .as_slice()
        .iter()
        .filter_map(|entry| match entry {
            AMQPValue::FieldTable(table) => Some(table),
            _ => None,
        })
        .collect();
    let Some(newest) = tables.first() else {
        return;
    };
    for (field, header) in [
        ("reason", DEATH_REASON_HEADER),
        ("queue", DEATH_QUEUE_HEADER),
        ("exchange", DEATH_EXCHANGE_HEADER),
    ] {
        if let Some(value) = newest.inner().get(field).and_then(text) {
            headers.insert(header.to_owned(), value);
        }
    }
    let deaths: i64 = tables
        .iter()
        .filter_map(|table| table.inner().get("count").and_then(integer))
        .sum();
    headers.insert(DEATH_COUNT_HEADER.to_owned(), deaths.to_string());
}

/// A delivered message and its delivery count.
///
/// The count comes from a quorum queue's `x-delivery-count` (failed deliveries
/// before this one, absent on the first); a classic queue keeps no count, so there
/// it is 1, or 2 when the broker flags a redelivery (a lower bound).
pub(super) fn received(
    properties: &BasicProperties,
    body: Vec<u8>,
    redelivered: bool,
) -> (Message, u32) {
    let mut headers = BTreeMap::new();
    let mut failed = None;
    if let Some(table) = properties.headers() {
        for (name, value) in table.inner() {
            let name = name.as_str();
            if name == DELIVERY_COUNT {
                failed = integer(value);
            } else if name == DEATH {
                death_headers(value, &mut headers);
            } else if DEATH_SUMMARY_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix))
            {
                // Summaries of `x-death`, already folded into the x-death-* headers.
            } else if let Some(value) = text(value) {
                headers.entry(name.to_owned()).or_insert(value);
            }
        }
    }
    let delivery_count = match failed {
        Some(failed) => u32::try_from(failed.saturating_add(1)).unwrap_or(u32::MAX),
        None if redelivered => 2,
        None => 1,
    };
    let message = Message {
        body,
        headers,
        message_id: properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_owned()),
        content_type: properties
            .content_type()
            .as_ref()
            .map(|t| t.as_str().to_owned()),
    };
    (message, delivery_count)
}
