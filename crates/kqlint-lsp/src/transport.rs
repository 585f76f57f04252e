//! LSP base protocol framing over byte streams, tolerant of bad input.
//!
//! `lsp-server`'s own stdio transport stops reading at the first malformed
//! message, which would leave the editor with a dead server. This one
//! answers every malformed frame **once** with a JSON-RPC error (`id: null`
//! unless the message's own id can be read; code -32700 or -32600) and
//! resynchronises at the next `Content-Length` header, so the messages
//! after it (`shutdown` and `exit` included) are served:
//!
//! - a header that is not a header, or a `Content-Length` that is missing,
//!   not a number (`abc`, `-5`) or given twice with two values: the frame
//!   is answered with an error, and everything up to the next
//!   `Content-Length:` is skipped;
//! - a `Content-Length` larger than the message (the body's JSON ends
//!   before it): the body ends where its JSON value ends and is served (a
//!   note goes to the log), so the next message is not swallowed and a
//!   client that waits for an answer is not kept waiting;
//! - a body longer than its `Content-Length` (the length too small): the
//!   cut body is answered with an error, and the rest of it is skipped up
//!   to the next `Content-Length:`;
//! - a body that is not JSON-RPC: an error, and the next frame is read as
//!   usual.
//!
//! The channels it feeds are `lsp-server`'s [`Connection`], so the rest of
//! the server uses the ordinary `lsp-server` types.

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};
use std::io::{self, Read, Write};
use std::thread;
use std::time::Duration;

/// The largest message body read into memory (a 10 MB document sent as
/// JSON, escapes included, fits easily). Larger bodies are skipped.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Longest header line; longer ones are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// Most header lines in one frame.
const MAX_HEADER_LINES: usize = 32;

const CONTENT_LENGTH: &[u8] = b"content-length";

/// The reader and writer threads of a connection.
pub struct IoThreads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
    /// Closed when the writer has finished.
    done: Receiver<()>,
}

impl IoThreads {
    /// Waits for the writer to flush everything the server sent (it has
    /// written every message as it came). The reader is not joined: after
    /// `exit` it has stopped, and when the client vanished it may still
    /// block on a read that never ends. A thread of the server that still
    /// holds the connection (an analysis being abandoned) would keep the
    /// writer waiting for more: then this returns after two seconds anyway.
    pub fn join(self) {
        let _ = self.done.recv_timeout(Duration::from_secs(2));
        if self.writer.is_finished() {
            let _ = self.writer.join();
        }
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
    let (done_tx, done) = unbounded::<()>();
    let reader = thread::Builder::new()
        .name("kqlint-lsp-reader".into())
        .spawn(move || read_loop(Frames::new(input), &to_server, &raw_tx))
        .expect("cannot start the reader thread");
    let writer = thread::Builder::new()
        .name("kqlint-lsp-writer".into())
        .spawn(move || {
            write_loop(output, &outgoing, &raw_rx);
            let _ = done_tx.send(());
        })
        .expect("cannot start the writer thread");
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        IoThreads {
            reader,
            writer,
            done,
        },
    )
}

fn read_loop<R: Read>(mut input: Frames<R>, to_server: &Sender<Message>, raw: &Sender<String>) {
    loop {
        match input.next_frame() {
            Ok(Frame::Eof) => return,
            Ok(Frame::Body { body, note }) => {
                if let Some(why) = note {
                    eprintln!("kqlint lsp: {why}");
                }
                match parse_message(&body) {
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
                }
            }
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
    /// A body, and a note for the log when its Content-Length was larger
    /// than the message (it is served all the same).
    Body {
        body: Vec<u8>,
        note: Option<String>,
    },
    /// A frame that could not be read; the reason.
    Skipped(String),
}

/// The input stream with its own buffer, so that a frame can end where
/// its JSON ends and the bytes after it are read as the next frame.
struct Frames<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes of `buf` already used.
    pos: usize,
    eof: bool,
    /// After a bad frame: skip to the next `Content-Length:`.
    resync: bool,
}

impl<R: Read> Frames<R> {
    fn new(inner: R) -> Frames<R> {
        Frames {
            inner,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            resync: false,
        }
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
    }

    /// Reads more bytes (blocking); false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.inner.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn next_frame(&mut self) -> io::Result<Frame> {
        if self.resync && !self.skip_to_header()? {
            return Ok(Frame::Eof);
        }
        self.resync = false;
        // White space between messages is tolerated.
        loop {
            let ws = self
                .available()
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            self.consume(ws);
            if !self.available().is_empty() {
                break;
            }
            if !self.fill()? {
                return Ok(Frame::Eof);
            }
        }
        let length = match self.header()? {
            Header::Eof => {
                // What is left can never be completed.
                let rest = self.available().len();
                self.consume(rest);
                return Ok(Frame::Skipped(
                    "the input ended inside a message header".into(),
                ));
            }
            Header::Bad(why) => {
                self.resync = true;
                return Ok(Frame::Skipped(why));
            }
            Header::Length(n) => n,
        };
        if length > MAX_BODY_BYTES {
            self.resync = true;
            return Ok(Frame::Skipped(format!(
                "a message of {length} bytes is larger than the {MAX_BODY_BYTES} bytes accepted"
            )));
        }
        self.body(length)
    }

    /// Drops bytes up to the next `Content-Length:` (any case); false at
    /// the end of the input.
    fn skip_to_header(&mut self) -> io::Result<bool> {
        loop {
            let avail = self.available();
            if let Some(i) = find_ignore_case(avail, CONTENT_LENGTH) {
                self.consume(i);
                return Ok(true);
            }
            // Keep what could be the start of the name.
            let keep = (CONTENT_LENGTH.len() - 1).min(avail.len());
            let drop = avail.len() - keep;
            self.consume(drop);
            if !self.fill()? {
                return Ok(false);
            }
        }
    }

    /// One header line without its line break; `None` at the end of the
    /// input.
    fn line(&mut self) -> io::Result<Option<Result<Vec<u8>, ()>>> {
        loop {
            let avail = self.available();
            if let Some(i) = avail.iter().position(|&b| b == b'\n') {
                let mut line = avail[..i].to_vec();
                self.consume(i + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(if line.len() > MAX_HEADER_LINE {
                    Err(())
                } else {
                    Ok(line)
                }));
            }
            if avail.len() > MAX_HEADER_LINE {
                // A runaway line: not a header.
                return Ok(Some(Err(())));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn header(&mut self) -> io::Result<Header> {
        let mut length: Option<usize> = None;
        for _ in 0..MAX_HEADER_LINES {
            let line = match self.line()? {
                None => return Ok(Header::Eof),
                Some(Err(())) => return Ok(Header::Bad("a header line is too long".into())),
                Some(Ok(l)) => l,
            };
            if line.is_empty() {
                return Ok(match length {
                    Some(n) => Header::Length(n),
                    None => Header::Bad("a message header without Content-Length".into()),
                });
            }
            let text = String::from_utf8_lossy(&line);
            let Some((name, value)) = text.split_once(':') else {
                return Ok(Header::Bad(format!(
                    "malformed message header `{}`",
                    shorten(&text)
                )));
            };
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Ok(Header::Bad(format!(
                    "malformed message header `{}`",
                    shorten(&text)
                )));
            }
            if !name.eq_ignore_ascii_case("content-length") {
                continue; // Content-Type and other headers
            }
            let value = value.trim();
            let n = match value.parse::<usize>() {
                Ok(n) if value.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => {
                    return Ok(Header::Bad(format!(
                        "bad Content-Length header `{}`",
                        shorten(value)
                    )));
                }
            };
            match length {
                Some(m) if m != n => {
                    return Ok(Header::Bad(format!(
                        "two Content-Length headers ({m} and {n})"
                    )));
                }
                _ => length = Some(n),
            }
        }
        Ok(Header::Bad("a message header of too many lines".into()))
    }

    /// The body of `length` bytes, or less when its JSON value ends
    /// earlier and something other than white space follows.
    fn body(&mut self, length: usize) -> io::Result<Frame> {
        let mut scan = JsonEnd::default();
        let mut body = Vec::with_capacity(length.min(1 << 20));
        while body.len() < length {
            if self.available().is_empty() {
                if scan.complete() {
                    // All of a JSON value has come and no more is coming
                    // now: the length was too large.
                    return Ok(self.short(body, length));
                }
                if !self.fill()? {
                    self.resync = true;
                    return Ok(Frame::Skipped(
                        "the input ended inside a message body".into(),
                    ));
                }
                continue;
            }
            let want = length - body.len();
            let avail = self.available();
            let take = want.min(avail.len());
            for (i, &b) in avail[..take].iter().enumerate() {
                if scan.complete() && !b.is_ascii_whitespace() {
                    // The next message already: the length was too large.
                    body.extend_from_slice(&avail[..i]);
                    self.consume(i);
                    return Ok(self.short(body, length));
                }
                scan.feed(b);
            }
            body.extend_from_slice(&avail[..take]);
            self.consume(take);
        }
        if scan.started() && !scan.complete() {
            // Cut short by a Content-Length that is too small: answer it
            // once and skip the rest of the message.
            self.resync = true;
        }
        Ok(Frame::Body { body, note: None })
    }

    fn short(&mut self, body: Vec<u8>, length: usize) -> Frame {
        let note = format!(
            "a message of {} bytes said its Content-Length was {length}; it ends where its JSON \
             ends",
            body.len()
        );
        Frame::Body {
            body,
            note: Some(note),
        }
    }
}

enum Header {
    Eof,
    Bad(String),
    Length(usize),
}

/// Where a JSON object or array ends, fed one byte at a time (strings and
/// escapes followed); knows nothing of other values.
#[derive(Default)]
struct JsonEnd {
    depth: u32,
    started: bool,
    in_string: bool,
    escaped: bool,
    done: bool,
    /// The value does not start with `{` or `[`: its end is not tracked.
    other: bool,
}

impl JsonEnd {
    fn feed(&mut self, b: u8) {
        if self.done || self.other {
            return;
        }
        if !self.started {
            match b {
                b'{' | b'[' => {
                    self.started = true;
                    self.depth = 1;
                }
                _ if b.is_ascii_whitespace() => {}
                _ => self.other = true,
            }
            return;
        }
        if self.in_string {
            match b {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth -= 1;
                if self.depth == 0 {
                    self.done = true;
                }
            }
            _ => {}
        }
    }

    fn started(&self) -> bool {
        self.started
    }

    fn complete(&self) -> bool {
        self.done
    }
}

/// The first place `needle` (lower case) occurs in `hay`, ignoring ASCII
/// case.
fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
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
        let mut r = Frames::new(io::Cursor::new(input.as_bytes().to_vec()));
        let mut out = Vec::new();
        loop {
            match r.next_frame().unwrap() {
                Frame::Eof => return out,
                Frame::Body { body, note } => out.push(format!(
                    "{}{}",
                    String::from_utf8(body).unwrap(),
                    if note.is_some() { " (noted)" } else { "" }
                )),
                Frame::Skipped(why) => out.push(format!("skipped: {why}")),
            }
        }
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
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

    /// Each malformed frame is skipped once, and the next well-formed one
    /// is read, whatever followed the bad header.
    #[test]
    fn every_malformed_header_is_one_error_then_the_next_frame() {
        let next = r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"text":"a\"}b"}}"#;
        for (bad, why) in [
            (
                format!("Content-Length: abc\r\n\r\n{body}"),
                "bad Content-Length header `abc`",
            ),
            (
                format!("Content-Length: -5\r\n\r\n{body}"),
                "bad Content-Length header `-5`",
            ),
            (
                format!("Content-Type: x\r\n\r\n{body}"),
                "a message header without Content-Length",
            ),
            (
                format!("Content-Length: 3\r\nContent-Length: 4\r\n\r\n{body}"),
                "two Content-Length headers (3 and 4)",
            ),
            (format!("Content-Length: 10\r\n\r\n{body}"), "JSON"),
            (format!("{body}\r\n"), "malformed message header"),
        ] {
            let input = format!("{bad}{}{}", frame(next), frame(next));
            let got = frames(&input);
            assert_eq!(got.len(), 3, "{bad:?}: {got:?}");
            if why == "JSON" {
                // a body cut short: it is read as it is (and fails to parse)
                assert_eq!(got[0], &body[..10], "{bad:?}");
            } else {
                assert!(
                    got[0].starts_with("skipped: ") && got[0].contains(why),
                    "{bad:?}: {got:?}"
                );
            }
            assert_eq!(&got[1..], [next, next], "{bad:?}");
        }
    }

    #[test]
    fn a_content_length_larger_than_the_message_loses_nothing() {
        let a = r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#;
        let b = r#"{"jsonrpc":"2.0","id":2,"method":"b"}"#;
        let input = format!("Content-Length: 500\r\n\r\n{a}{}", frame(b));
        assert_eq!(frames(&input), [format!("{a} (noted)"), b.to_owned()]);
        // and at the end of what the client sent
        let input = format!("Content-Length: 500\r\n\r\n{a}\n");
        let mut r = Frames::new(Blocking::new(input.as_bytes()));
        match r.next_frame().unwrap() {
            Frame::Body { body, note } => {
                assert_eq!(body.trim_ascii_end(), a.as_bytes());
                assert!(note.is_some());
            }
            _ => panic!("not a body"),
        }
        // a duplicate Content-Length with the same value is fine
        assert_eq!(
            frames(&format!(
                "Content-Length: {0}\r\nContent-Length: {0}\r\n\r\n{a}",
                a.len()
            )),
            [a]
        );
    }

    /// Gives its bytes, then blocks (panics) instead of ending: a client
    /// that waits for an answer.
    struct Blocking<'a> {
        data: &'a [u8],
    }

    impl<'a> Blocking<'a> {
        fn new(data: &'a [u8]) -> Blocking<'a> {
            Blocking { data }
        }
    }

    impl Read for Blocking<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            assert!(!self.data.is_empty(), "read past what the client sent");
            let n = out.len().min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
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
        assert_eq!(frames("Content-Length: 10\r\n\r\n{}"), ["{} (noted)"]);
        // A header line cut off by the end of the input (found by the lsp
        // fuzz target: the reader spun on it forever).
        assert_eq!(
            frames("Conten\u{ff}Content-Lengtth:"),
            ["skipped: the input ended inside a message header"]
        );
        assert_eq!(
            frames("Content-Length: 10\r\n\r\n{\"a\""),
            ["skipped: the input ended inside a message body"]
        );
    }
}
