//! Single-socket device requests waiting for their DeviceResponse. In single-socket mode the
//! answer arrives on the same channel-0 connection as everything else (an AbortRequest, another
//! request), so the connection's reader hands each DeviceResponse here and this table finds the
//! device request it answers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::events::{lock, ConnectionId};
use crate::message::DeviceResponse;

struct Waiter {
    conn: ConnectionId,
    reply: oneshot::Sender<DeviceResponse>,
}

#[derive(Default)]
pub(crate) struct DeviceWaiters {
    /// SequenceIDs are unique for the simulator's lifetime, which makes them a routing key.
    sequence: AtomicU64,
    waiting: Mutex<BTreeMap<u64, Waiter>>,
}

impl DeviceWaiters {
    /// The SequenceID of the next device request.
    pub(crate) fn next_sequence(&self) -> u64 {
        self.sequence
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    /// Registers a device request about to be sent on `conn`.
    pub(crate) fn expect(
        &self,
        sequence_id: u64,
        conn: ConnectionId,
    ) -> oneshot::Receiver<DeviceResponse> {
        let (reply, receiver) = oneshot::channel();
        lock(&self.waiting).insert(sequence_id, Waiter { conn, reply });
        receiver
    }

    pub(crate) fn forget(&self, sequence_id: u64) {
        lock(&self.waiting).remove(&sequence_id);
    }

    /// Drops the waiters of a closed connection, which wakes them with an error.
    pub(crate) fn forget_connection(&self, conn: ConnectionId) {
        lock(&self.waiting).retain(|_, waiter| waiter.conn != conn);
    }

    /// Hands a DeviceResponse from `conn` to the device request it answers: by SequenceID, or,
    /// when the POS did not echo it, to the oldest one waiting on that connection. `false` when
    /// nothing waits for it (late, or unsolicited).
    pub(crate) fn route(&self, conn: ConnectionId, response: DeviceResponse) -> bool {
        let mut waiting = lock(&self.waiting);
        let echoed = response
            .sequence_id
            .as_deref()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|seq| waiting.get(seq).is_some_and(|w| w.conn == conn));
        let key = echoed.or_else(|| {
            waiting
                .iter()
                .find(|(_, waiter)| waiter.conn == conn)
                .map(|(seq, _)| *seq)
        });
        match key.and_then(|seq| waiting.remove(&seq)) {
            Some(waiter) => waiter.reply.send(response).is_ok(),
            None => false,
        }
    }
}
