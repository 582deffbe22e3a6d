//! The two gates of a payment run. A release is a permit: given before the run reaches the gate it
//! is kept, so a test never races the simulator; left unused when the run ends it is discarded, so
//! it cannot open the gates of the next payment.

use tokio::sync::Semaphore;

use super::script::{Gate, Stage};

pub(crate) struct Gates {
    card_presented: Semaphore,
    completion: Semaphore,
}

impl Gates {
    pub(crate) fn new() -> Gates {
        Gates {
            card_presented: Semaphore::new(0),
            completion: Semaphore::new(0),
        }
    }

    fn semaphore(&self, stage: Stage) -> &Semaphore {
        match stage {
            Stage::CardPresented => &self.card_presented,
            Stage::Completion => &self.completion,
        }
    }

    /// Opens `stage` once.
    pub(crate) fn release(&self, stage: Stage) {
        self.semaphore(stage).add_permits(1);
    }

    /// Waits as `gate` says; a release also cuts an `After` delay short.
    pub(crate) async fn wait(&self, gate: Gate, stage: Stage) {
        let released = async {
            if let Ok(permit) = self.semaphore(stage).acquire().await {
                permit.forget();
            }
        };
        match gate {
            Gate::Immediate => {}
            Gate::After(delay) => {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = released => {}
                }
            }
            Gate::Hold => released.await,
        }
    }

    /// Discards unused releases at the end of a run.
    pub(crate) fn clear(&self) {
        for semaphore in [&self.card_presented, &self.completion] {
            while let Ok(permit) = semaphore.try_acquire() {
                permit.forget();
            }
        }
    }
}
