//! LSP base protocol framing over byte streams, tolerant of bad input.
//!
//! `lsp-server`'s own stdio transport stops reading at the first malformed
//! message, which would leave the editor with a dead server. This one
//! answers a payload that is not JSON-RPC with a JSON-RPC error (`id: null`,
//! code -32700 or -32600), skips a frame whose header is broken, and keeps
//! reading. The channels it feeds are `lsp-server`'s [`Connection`], so the
//! rest of the server uses the ordinary `lsp-server` types.

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::thread;

/// The largest message body read into memory (a 10 MB document sent as
/// JSON, escapes included, fits easily). Larger bodies are skipped.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Longest header line; longer ones are garbage and skipped.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// The reader and writer threads of a connection.
pub struct IoThreads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl IoThreads {
    /// Waits for the writer to flush everything the server sent. The reader
    /// is not joined: after `exit` it has stopped, and when the client
    /// vanished it may still block on a read that never ends.
    pub fn join(self) {
        let _ = self.writer.join();
        if self.reader.is_finished() {
            let _ = self.reader.join();
        }
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    streams(io::stdin(), io::stdout())
}

/// A connection over any pair of byte streams (tests use pipes).
pub fn streams<R, W>(input: R, output: W) -> (Connection, IoThreads)
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (to_server, from_client) = unbounded::<Message>();
    let (to_client, outgoing) = unbounded::<Message>();
    let (raw_tx, raw_rx) = unbounded::<String>();
    let reader = thread::Builder::new()
        .name("kqlint-lsp-reader".into())
        .spawn(move || read_loop(BufReader::new(input), &to_server, &raw_tx))
        .expect("cannot start the reader thread");
    let writer = thread::Builder::new()
        .name("kqlint-lsp-writer".into())
        .spawn(move || write_loop(output, &outgoing, &raw_rx))
        .expect("cannot start the writer thread");
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        IoThreads { reader, writer },
    )
}

fn read_loop(mut input: impl BufRead, to_server: &Sender<Message>, raw: &Sender<String>) {
    loop {
        match read_frame(&mut input) {
            Ok(Frame::Eof) => return,
            Ok(Frame::Body(body)) => match parse_message(&body) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if to_server.send(msg).is_err() || exit {
                        return;
                    }
                }
                Err(reply) => {
                    eprintln!("kqlint lsp: {}", reply.1);
                    let _ = raw.send(reply.0);
                }
            },
            Ok(Frame::Skipped(why)) => {
                eprintln!("kqlint lsp: {why}");
                let _ = raw.send(error_reply(-32700, &why));
            }
            Err(e) => {
                eprintln!("kqlint lsp: cannot read from the client: {e}");
                return;
            }
        }
    }
}

fn write_loop(mut out: impl Write, outgoing: &Receiver<Message>, raw: &Receiver<String>) {
    let mut raw_open = true;
    loop {
        let result = if raw_open {
            select! {
                recv(outgoing) -> m => match m {
                    Ok(m) => m.write(&mut out),
                    Err(_) => return,
                },
                recv(raw) -> r => match r {
                    Ok(text) => write_raw(&mut out, &text),
                    Err(_) => { raw_open = false; Ok(()) }
                },
            }
        } else {
            match outgoing.recv() {
                Ok(m) => m.write(&mut out),
                Err(_) => return,
            }
        };
        if let Err(e) = result {
            eprintln!("kqlint lsp: cannot write to the client: {e}");
            return;
        }
    }
}

fn write_raw(out: &mut impl Write, text: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{}", text.len(), text)?;
    out.flush()
}

fn error_reply(code: i32, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code, "message": message },
    })
    .to_string()
}

/// A message, or the JSON-RPC error to send back and a log line.
fn parse_message(body: &[u8]) -> Result<Message, (String, String)> {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let why = format!("malformed JSON-RPC message (not JSON: {e})");
            return Err((error_reply(-32700, &why), why));
        }
    };
    // Responses to our own requests may carry `result: null`; everything
    // else must be an object with a method or a result.
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Ok(m),
        Err(e) => {
            let why = format!("invalid JSON-RPC message ({e})");
            Err((error_reply(-32600, &why), why))
        }
    }
}

enum Frame {
    Eof,
    Body(Vec<u8>),
    /// A frame that could not be read; the reason.
    Skipped(String),
}

fn read_frame(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut saw_any = false;
    loop {
        let mut line = Vec::new();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(if saw_any {
                Frame::Skipped("the input ended inside a message header".into())
            } else {
                Frame::Eof
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if !line.ends_with(b"\n") && n as u64 == MAX_HEADER_LINE {
            // Runaway line: drop the rest of it.
            let mut rest = Vec::new();
            input.read_until(b'\n', &mut rest)?;
            bad_header.get_or_insert_with(|| "a header line is too long".into());
            saw_any = true;
            continue;
        }
        if text.is_empty() {
            if !saw_any {
                continue; // stray blank line between messages
            }
            break;
        }
        saw_any = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(v) => length = Some(v),
                    Err(_) => {
                        bad_header = Some(format!("bad Content-Length header `{}`", value.trim()));
                    }
                }
            }
            Some(_) => {} // Content-Type and other headers
            None => {
                bad_header
                    .get_or_insert_with(|| format!("malformed message header `{}`", shorten(text)));
            }
        }
    }
    let Some(length) = length else {
        return Ok(Frame::Skipped(bad_header.unwrap_or_else(|| {
            "a message header without Content-Length".into()
        })));
    };
    if length > MAX_BODY_BYTES {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Frame::Skipped(format!(
            "a message of {length} bytes is larger than the {MAX_BODY_BYTES} bytes accepted"
        )));
    }
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    if let Some(why) = bad_header {
        eprintln!("kqlint lsp: {why} (the message was read anyway)");
    }
    Ok(Frame::Body(body))
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<String> {
        let mut r = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        loop {
            match read_frame(&mut r).unwrap() {
                Frame::Eof => return out,
                Frame::Body(b) => out.push(String::from_utf8(b).unwrap()),
                Frame::Skipped(why) => out.push(format!("skipped: {why}")),
            }
        }
    }

    #[test]
    fn reads_frames_and_resynchronises_after_garbage() {
        let got = frames(
            "Content-Length: 2\r\n\r\n{}\
             garbage line\r\n\r\n\
             Content-Length: x\r\n\r\n\
             Content-Type: application/vscode-jsonrpc\r\nContent-Length: 4\r\n\r\nnull",
        );
        assert_eq!(
            got,
            [
                "{}",
                "skipped: malformed message header `garbage line`",
                "skipped: bad Content-Length header `x`",
                "null"
            ]
        );
    }

    #[test]
    fn non_json_rpc_payloads_get_error_replies() {
        let (reply, _) = parse_message(b"{not json").unwrap_err();
        assert!(
            reply.contains("-32700") && reply.contains("\"id\":null"),
            "{reply}"
        );
        let (reply, _) = parse_message(b"[1,2]").unwrap_err();
        assert!(reply.contains("-32600"), "{reply}");
        assert!(parse_message(br#"{"jsonrpc":"2.0","method":"x"}"#).is_ok());
    }

    #[test]
    fn truncated_input_ends_cleanly() {
        assert_eq!(
            frames("Content-Length: 10\r\n"),
            ["skipped: the input ended inside a message header"]
        );
        let mut r = io::Cursor::new(b"Content-Length: 10\r\n\r\n{}".to_vec());
        assert!(read_frame(&mut r).is_err());
    }
}
