//! Pure routing rules of the embedded broker: name validation and RabbitMQ's topic
//! matching, kept free of broker state so they can be reasoned about in isolation.

use crate::events::BusError;

/// Prefix RabbitMQ reserves for its own exchanges and queues.
const RESERVED_PREFIX: &str = "amq.";

/// Rejects names an application may not declare: empty (the default exchange, or a
/// server-named queue we do not support) and the reserved `amq.` prefix.
pub(crate) fn validate_name(name: &str) -> Result<(), BusError> {
    if name.is_empty() || name.starts_with(RESERVED_PREFIX) {
        return Err(BusError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// Splits a routing or binding key into words the way RabbitMQ does: the empty key
/// has zero words, and every dot separates two words even when one of them is empty
/// (`"a."` is `["a", ""]`).
fn words(key: &str) -> Vec<&str> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    }
}

/// Whether a topic binding key matches a routing key: `*` stands for exactly one
/// word, `#` for zero or more, any other word must be equal.
///
/// A dynamic-programming match over word positions, so a key with several `#`
/// costs `binding words × routing words` steps instead of backtracking.
pub(super) fn topic_matches(binding_key: &str, routing_key: &str) -> bool {
    let pattern = words(binding_key);
    let key = words(routing_key);
    // `next[j]`: the pattern suffix after the current word matches `key[j..]`.
    let mut next = vec![false; key.len() + 1];
    next[key.len()] = true;
    for word in pattern.iter().rev() {
        let mut current = vec![false; key.len() + 1];
        for j in (0..=key.len()).rev() {
            current[j] = match *word {
                "#" => next[j] || (j < key.len() && current[j + 1]),
                "*" => j < key.len() && next[j + 1],
                literal => j < key.len() && key[j] == literal && next[j + 1],
            };
        }
        next = current;
    }
    next[0]
}
