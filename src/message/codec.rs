//! OPI wire framing.
//!
//! Every OPI message travels as one frame: a 4-byte unsigned big-endian
//! length (in bytes) followed by exactly that many bytes of XML. TCP keeps no
//! message boundaries, so a frame may arrive split over many reads and several
//! frames may arrive coalesced in one read; [`FrameDecoder`] reassembles them.
//!
//! Zero-length frames occur in the wild and carry nothing, so they are skipped.
//! The length is untrusted: a peer that is not speaking OPI framing (e.g. one
//! sending bare XML, whose `<?xm` reads as a ~1 GB length) must not make us
//! allocate, so lengths above a bound are rejected before any body is
//! buffered, and the decoder then stays failed because the stream can no
//! longer be resynchronised.

/// Default bound on one frame's payload: 1 MiB, far above any real OPI
/// message yet small enough that a garbage prefix cannot exhaust memory.
pub const DEFAULT_MAX_FRAME_LEN: usize = 1024 * 1024;

/// Length of the big-endian length prefix; fixed by the OPI specification.
pub const LENGTH_PREFIX_LEN: usize = 4;

/// Why a frame could not be produced; each variant tells the caller whether
/// the connection is still usable (only `Truncated` at a clean shutdown is
/// benign, the others mean the stream must be closed or the message dropped).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The declared length exceeds the receiver's bound; the stream is
    /// desynchronised and the decoder is poisoned.
    #[error(
        "frame length {len} bytes exceeds the limit of {max} bytes — the peer is not speaking OPI framing or the stream is out of sync"
    )]
    TooLong {
        /// Length declared by the prefix.
        len: u64,
        /// Bound the decoder was configured with.
        max: usize,
    },
    /// The stream ended in the middle of a frame, so a message was lost.
    /// For a partial prefix `expected` is 4 and `received` counts prefix
    /// bytes; otherwise both count payload bytes.
    #[error(
        "stream ended in the middle of a frame: expected {expected} bytes, received {received}"
    )]
    Truncated {
        /// Bytes the frame part (prefix or payload) needed.
        expected: usize,
        /// Bytes of that part that actually arrived.
        received: usize,
    },
    /// The payload cannot be described by a 4-byte length, so it can never
    /// be sent as one OPI frame.
    #[error(
        "payload of {len} bytes does not fit the 4-byte OPI length prefix (max {} bytes)",
        u32::MAX
    )]
    PayloadTooLarge {
        /// Length of the rejected payload.
        len: usize,
    },
}

/// Builds the length prefix, refusing lengths the 4-byte field cannot carry.
fn length_prefix(len: usize) -> Result<[u8; LENGTH_PREFIX_LEN], FrameError> {
    u32::try_from(len)
        .map(u32::to_be_bytes)
        .map_err(|_| FrameError::PayloadTooLarge { len })
}

/// Decodes the prefix at the head of `live`, `None` while it is incomplete.
fn read_prefix(live: &[u8]) -> Option<u32> {
    let prefix = live.get(..LENGTH_PREFIX_LEN)?;
    prefix.try_into().ok().map(u32::from_be_bytes)
}

/// Shorthand for [`FrameError::Truncated`].
fn truncated(expected: usize, received: usize) -> FrameError {
    FrameError::Truncated { expected, received }
}

/// Appends one frame (prefix + payload) to `out`, letting callers batch
/// several frames into one buffer and one write without extra allocations.
pub fn encode_frame_into(payload: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
    let prefix = length_prefix(payload.len())?;
    out.reserve(LENGTH_PREFIX_LEN + payload.len());
    out.extend_from_slice(&prefix);
    out.extend_from_slice(payload);
    Ok(())
}

/// Returns one frame as a new, exactly sized Vec, for the common case of
/// sending a single message.
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(LENGTH_PREFIX_LEN.saturating_add(payload.len()));
    encode_frame_into(payload, &mut out)?;
    Ok(out)
}

/// Incremental decoder: feed any split of the byte stream, take whole
/// payloads out. It owns reassembly so the I/O layer can stay a dumb loop of
/// "read, push, drain".
///
/// Consumed bytes are tracked with a read offset and compacted lazily, so
/// many coalesced frames cost linear, not quadratic, time.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Start of unconsumed data in `buf`.
    pos: usize,
    max: usize,
    poisoned: Option<FrameError>,
}

impl FrameDecoder {
    /// Creates a decoder bounded by [`DEFAULT_MAX_FRAME_LEN`], which suits
    /// every real OPI peer.
    pub fn new() -> Self {
        Self::with_max_frame_len(DEFAULT_MAX_FRAME_LEN)
    }

    /// Creates a decoder with a custom payload bound, for deployments with
    /// unusually large messages or tighter memory budgets.
    pub fn with_max_frame_len(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            max,
            poisoned: None,
        }
    }

    /// The payload bound in force, so callers can report it in diagnostics.
    pub fn max_frame_len(&self) -> usize {
        self.max
    }

    /// Appends received bytes. Never fails so the read loop stays simple;
    /// errors surface from [`next_frame`](Self::next_frame). Once poisoned,
    /// input is dropped so a desynchronised peer cannot grow the buffer.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.poisoned.is_some() || bytes.is_empty() {
            return;
        }
        // Compact only once the consumed part is at least as large as the
        // live part: each byte is then moved O(1) times amortised.
        if self.pos > 0 && self.pos >= self.buf.len() - self.pos {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Next complete payload, `Ok(None)` when more bytes are needed.
    /// Zero-length frames are skipped because they carry no message. Once
    /// `TooLong` is returned the same error is returned forever, since the
    /// frame boundaries are lost and any further "frame" would be garbage.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(err) = &self.poisoned {
            return Err(err.clone());
        }
        loop {
            let live = &self.buf[self.pos..];
            let Some(len) = read_prefix(live) else {
                return Ok(None);
            };
            let len = match self.checked_len(len) {
                Ok(len) => len,
                Err(err) => return Err(self.poisoned.insert(err).clone()),
            };
            let have = live.len() - LENGTH_PREFIX_LEN;
            if have < len {
                // Move the partial frame to the front, then (bound already
                // checked) reserve the rest so a large frame does not make
                // the buffer regrow on every read.
                self.buf.drain(..self.pos);
                self.pos = 0;
                self.buf.reserve(len - have);
                return Ok(None);
            }
            let start = self.pos + LENGTH_PREFIX_LEN;
            let end = start + len;
            let payload = (len > 0).then(|| self.buf[start..end].to_vec());
            self.pos = end;
            if self.pos == self.buf.len() {
                // Fully drained: reset for free instead of compacting later.
                self.buf.clear();
                self.pos = 0;
            }
            if payload.is_some() {
                return Ok(payload);
            }
        }
    }

    /// Applies the receiver's bound to a declared length.
    fn checked_len(&self, len: u32) -> Result<usize, FrameError> {
        match usize::try_from(len) {
            Ok(n) if n <= self.max => Ok(n),
            _ => Err(FrameError::TooLong {
                len: u64::from(len),
                max: self.max,
            }),
        }
    }

    /// Bytes received but not yet returned as a payload, useful for
    /// back-pressure and for diagnosing a stalled peer.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Call at end of stream to learn whether a message was cut off: `Ok(())`
    /// if no partial frame is pending, otherwise `Truncated` (or the
    /// poisoning `TooLong`). Whole frames not yet taken are not an error.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(err) = &self.poisoned {
            return Err(err.clone());
        }
        let mut live = &self.buf[self.pos..];
        while !live.is_empty() {
            let Some(len) = read_prefix(live) else {
                return Err(truncated(LENGTH_PREFIX_LEN, live.len()));
            };
            let (len, body) = (self.checked_len(len)?, &live[LENGTH_PREFIX_LEN..]);
            live = body.get(len..).ok_or_else(|| truncated(len, body.len()))?;
        }
        Ok(())
    }
}

impl Default for FrameDecoder {
    /// Same as [`FrameDecoder::new`], so the decoder can live in
    /// `#[derive(Default)]` connection state.
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stream(payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in payloads {
            encode_frame_into(p, &mut out).unwrap();
        }
        out
    }

    fn feed(chunks: &[&[u8]]) -> (FrameDecoder, Vec<Vec<u8>>) {
        let mut dec = FrameDecoder::new();
        let mut got = Vec::new();
        for c in chunks {
            dec.push(c);
            while let Some(p) = dec.next_frame().unwrap() {
                got.push(p);
            }
        }
        (dec, got)
    }

    #[test]
    fn encode_layout_and_round_trip() {
        assert_eq!(encode_frame(b"<a/>").unwrap(), b"\0\0\0\x04<a/>");
        let payloads: [&[u8]; 3] = [b"<x/>", b"hello", &[0xFF; 1000]];
        let (dec, got) = feed(&[&stream(&payloads)]);
        assert_eq!(got, payloads.map(<[u8]>::to_vec));
        assert_eq!((dec.buffered_len(), dec.finish()), (0, Ok(())));
        let big = u32::MAX as usize;
        assert_eq!(length_prefix(big), Ok([0xFF; 4]));
        if let Some(big) = big.checked_add(1) {
            assert_eq!(
                length_prefix(big),
                Err(FrameError::PayloadTooLarge { len: big })
            );
        }
    }

    #[test]
    fn every_split_point_and_byte_by_byte() {
        let s = stream(&[b"<first/>", b"", b"<third>x</third>"]);
        let want = vec![b"<first/>".to_vec(), b"<third>x</third>".to_vec()];
        for i in 0..=s.len() {
            for j in i..=s.len() {
                let (dec, got) = feed(&[&s[..i], &s[i..j], &s[j..]]);
                assert_eq!(got, want, "split at {i},{j}");
                assert_eq!(dec.finish(), Ok(()));
            }
        }
        let bytes: Vec<&[u8]> = s.chunks(1).collect();
        assert_eq!(feed(&bytes).1, want);
    }

    #[test]
    fn coalesced_and_zero_length_frames() {
        let (dec, got) = feed(&[&stream(&[b"", b"a", b"", b"", b"bc", b""])]);
        assert_eq!(got, vec![b"a".to_vec(), b"bc".to_vec()]);
        assert_eq!(dec.buffered_len(), 0);
        assert!(feed(&[&[0; 8]]).1.is_empty());
    }

    #[test]
    fn oversize_rejected_at_prefix_and_poisoned() {
        let mut dec = FrameDecoder::new();
        dec.push(b"<?x");
        assert_eq!(dec.next_frame(), Ok(None));
        dec.push(b"m");
        let err = FrameError::TooLong {
            len: 0x3C3F_786D,
            max: DEFAULT_MAX_FRAME_LEN,
        };
        assert_eq!(dec.next_frame(), Err(err.clone()));
        assert!(dec.buf.capacity() < 1024, "body must not be pre-allocated");
        dec.push(&encode_frame(b"ok").unwrap());
        assert_eq!(dec.buffered_len(), 4, "poisoned decoder must drop input");
        assert_eq!(dec.next_frame(), Err(err.clone()));
        assert_eq!(dec.finish(), Err(err.clone()));
        let msg = err.to_string();
        assert!(msg.contains("exceeds the limit of 1048576 bytes"), "{msg}");
    }

    #[test]
    fn custom_max() {
        let mut dec = FrameDecoder::with_max_frame_len(3);
        assert_eq!(dec.max_frame_len(), 3);
        dec.push(&stream(&[b"abc", b"abcd"]));
        assert_eq!(dec.next_frame(), Ok(Some(b"abc".to_vec())));
        assert_eq!(
            dec.next_frame(),
            Err(FrameError::TooLong { len: 4, max: 3 })
        );
        assert_eq!(
            FrameDecoder::default().max_frame_len(),
            DEFAULT_MAX_FRAME_LEN
        );
    }

    #[test]
    fn finish_reports_truncation() {
        let mut dec = FrameDecoder::new();
        assert_eq!(dec.finish(), Ok(()));
        dec.push(&[0, 0]);
        assert_eq!(dec.finish(), Err(truncated(4, 2)));
        dec.push(&[0, 10, b'a', b'b', b'c']);
        assert_eq!((dec.next_frame(), dec.buffered_len()), (Ok(None), 7));
        assert_eq!(dec.finish(), Err(truncated(10, 3)));
        let msg = dec.finish().unwrap_err().to_string();
        assert!(msg.contains("expected 10 bytes, received 3"), "{msg}");
        // A whole frame still queued before the partial one is not truncation.
        let mut dec = FrameDecoder::new();
        dec.push(&stream(&[b"done"]));
        assert_eq!(dec.finish(), Ok(()));
        dec.push(&[0, 0, 0, 5, b'x']);
        assert_eq!(dec.finish(), Err(truncated(5, 1)));
    }

    proptest! {
        #[test]
        fn random_payloads_and_splits(
            payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..=8),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
        ) {
            let refs: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
            let s = stream(&refs);
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (s.len() + 1)).collect();
            cuts.push(0);
            cuts.push(s.len());
            cuts.sort_unstable();
            let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &s[w[0]..w[1]]).collect();
            let (dec, got) = feed(&chunks);
            let want: Vec<Vec<u8>> = payloads.into_iter().filter(|p| !p.is_empty()).collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(dec.buffered_len(), 0);
            prop_assert_eq!(dec.finish(), Ok(()));
        }
    }
}
