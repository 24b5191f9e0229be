//! A minimal PostgreSQL wire-protocol client for the end-to-end tests: startup,
//! SCRAM-SHA-256 authentication and one simple query, so the tests prove a real server
//! answers through the published port without needing psql on the machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to `127.0.0.1:port` as `user`/`password` on `database`, runs `query` and
/// returns the first column of each row as text; errors say which protocol step failed.
pub fn query(
    port: u16,
    user: &str,
    password: &str,
    database: &str,
    query: &str,
) -> Result<Vec<String>, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("tcp connect to {port}: {e}"))?;
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;

    let mut startup = Vec::new();
    startup.extend_from_slice(&196_608_i32.to_be_bytes());
    for (key, value) in [("user", user), ("database", database)] {
        startup.extend_from_slice(key.as_bytes());
        startup.push(0);
        startup.extend_from_slice(value.as_bytes());
        startup.push(0);
    }
    startup.push(0);
    send(&mut stream, None, &startup)?;

    let (tag, body) = receive(&mut stream)?;
    if tag != b'R' || auth_code(&body) != 10 {
        return Err(format!(
            "expected an AuthenticationSASL request, got {}",
            describe(tag, &body)
        ));
    }
    if !String::from_utf8_lossy(&body[4..]).contains("SCRAM-SHA-256") {
        return Err("the server does not offer SCRAM-SHA-256".to_owned());
    }
    let nonce: String = (0..24)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    let client_first_bare = format!("n=,r={nonce}");
    let client_first = format!("n,,{client_first_bare}");
    let mut initial = b"SCRAM-SHA-256\0".to_vec();
    initial.extend_from_slice(&(client_first.len() as i32).to_be_bytes());
    initial.extend_from_slice(client_first.as_bytes());
    send(&mut stream, Some(b'p'), &initial)?;

    let (tag, body) = receive(&mut stream)?;
    if tag != b'R' || auth_code(&body) != 11 {
        return Err(format!(
            "expected SASL continue, got {}",
            describe(tag, &body)
        ));
    }
    let server_first = String::from_utf8_lossy(&body[4..]).into_owned();
    let field = |name: &str| {
        server_first
            .split(',')
            .find_map(|part| part.strip_prefix(name))
            .map(str::to_owned)
            .ok_or_else(|| format!("server-first message lacks {name}: {server_first}"))
    };
    let server_nonce = field("r=")?;
    let salt = STANDARD
        .decode(field("s=")?)
        .map_err(|e| format!("salt: {e}"))?;
    let iterations: u32 = field("i=")?
        .parse()
        .map_err(|e| format!("iterations: {e}"))?;
    if !server_nonce.starts_with(&nonce) {
        return Err("the server nonce does not extend ours".to_owned());
    }

    let salted = pbkdf2_sha256(password.as_bytes(), &salt, iterations);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(&client_key);
    let without_proof = format!("c=biws,r={server_nonce}");
    let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
    let signature = hmac(&stored_key, auth_message.as_bytes());
    let proof: Vec<u8> = client_key
        .iter()
        .zip(&signature)
        .map(|(a, b)| a ^ b)
        .collect();
    let client_final = format!("{without_proof},p={}", STANDARD.encode(proof));
    send(&mut stream, Some(b'p'), client_final.as_bytes())?;

    loop {
        let (tag, body) = receive(&mut stream)?;
        match tag {
            b'R' if auth_code(&body) == 0 => {}
            b'R' if auth_code(&body) == 12 => {}
            b'S' | b'K' => {}
            b'Z' => break,
            _ => return Err(format!("authentication failed: {}", describe(tag, &body))),
        }
    }

    let mut text = query.as_bytes().to_vec();
    text.push(0);
    send(&mut stream, Some(b'Q'), &text)?;
    let mut rows = Vec::new();
    loop {
        let (tag, body) = receive(&mut stream)?;
        match tag {
            b'T' | b'C' => {}
            b'D' => {
                let length = i32::from_be_bytes([body[2], body[3], body[4], body[5]]);
                let length = usize::try_from(length).map_err(|_| "NULL value".to_owned())?;
                rows.push(String::from_utf8_lossy(&body[6..6 + length]).into_owned());
            }
            b'Z' => break,
            _ => return Err(format!("query failed: {}", describe(tag, &body))),
        }
    }
    send(&mut stream, Some(b'X'), &[])?;
    Ok(rows)
}

fn send(stream: &mut TcpStream, tag: Option<u8>, body: &[u8]) -> Result<(), String> {
    let mut message = Vec::with_capacity(body.len() + 5);
    message.extend(tag);
    message.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    message.extend_from_slice(body);
    stream.write_all(&message).map_err(|e| format!("send: {e}"))
}

fn receive(stream: &mut TcpStream) -> Result<(u8, Vec<u8>), String> {
    let mut header = [0_u8; 5];
    stream
        .read_exact(&mut header)
        .map_err(|e| format!("receive: {e}"))?;
    let length = i32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    let mut body = vec![0; usize::try_from(length - 4).map_err(|_| "bad length".to_owned())?];
    stream
        .read_exact(&mut body)
        .map_err(|e| format!("receive: {e}"))?;
    Ok((header[0], body))
}

fn auth_code(body: &[u8]) -> i32 {
    body.get(..4)
        .map_or(-1, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// An ErrorResponse's fields (severity, code, message), or the tag for anything else.
fn describe(tag: u8, body: &[u8]) -> String {
    if tag == b'E' {
        let fields: Vec<String> = body
            .split(|b| *b == 0)
            .filter(|field| field.len() > 1 && matches!(field[0], b'S' | b'C' | b'M'))
            .map(|field| String::from_utf8_lossy(&field[1..]).into_owned())
            .collect();
        format!("error {}", fields.join(" "))
    } else {
        format!("message '{}'", char::from(tag))
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("hmac accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
    let mut block = salt.to_vec();
    block.extend_from_slice(&1_u32.to_be_bytes());
    let mut u = hmac(password, &block);
    let mut result = u.clone();
    for _ in 1..iterations {
        u = hmac(password, &u);
        for (r, x) in result.iter_mut().zip(&u) {
            *r ^= x;
        }
    }
    result
}
