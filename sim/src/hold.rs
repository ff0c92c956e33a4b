//! Holding API answers back until a test releases them, so it can prove by order, not by
//! timing, what a client does while a request waits.
//!
//! A held request waits on the runtime's blocking pool, where every handler runs, so however
//! many are held the connections stay served: the consent pages and `/_sim/release` too.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Which API requests wait while answers are held.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum Held {
    #[default]
    None,
    /// Every API request.
    All,
    /// Only a request for a later page of a chain (one with a non-zero `offset`): the first
    /// page of every chain is answered, so a client has stored something while it waits.
    Continuations,
}

#[derive(Default)]
struct Gate {
    held: Held,
    /// Requests inside [`Hold::wait`] now.
    waiting: usize,
    /// Set when the simulator stops: nothing is held again.
    stopped: bool,
}

#[derive(Default)]
pub(crate) struct Hold {
    gate: Mutex<Gate>,
    released: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every change is a single step, so a poisoned lock still holds consistent data.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hold {
    /// Holds every API request that arrives from now on (no-op once stopped).
    pub fn hold(&self) {
        self.hold_only(Held::All);
    }

    /// Holds the API requests of `which` kind that arrive from now on (no-op once stopped).
    pub fn hold_only(&self, which: Held) {
        let mut g = lock(&self.gate);
        if !g.stopped {
            g.held = which;
        }
    }

    /// Lets every held request go on, at once.
    pub fn release(&self) {
        lock(&self.gate).held = Held::None;
        self.released.notify_all();
    }

    pub fn is_held(&self) -> bool {
        lock(&self.gate).held != Held::None
    }

    pub fn waiting(&self) -> usize {
        lock(&self.gate).waiting
    }

    /// Blocks the calling thread while answers are held: a blocking-pool thread, never one
    /// of the runtime's workers. `continuation`: the request asks for a later page of a chain.
    pub fn wait(&self, continuation: bool) {
        let holds = |held: Held| match held {
            Held::None => false,
            Held::All => true,
            Held::Continuations => continuation,
        };
        let mut g = lock(&self.gate);
        if !holds(g.held) {
            return;
        }
        g.waiting += 1;
        while holds(g.held) {
            g = self.released.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        g.waiting -= 1;
    }

    /// Releases every held request and holds nothing again; the simulator is stopping.
    pub fn stop(&self) {
        {
            let mut g = lock(&self.gate);
            g.stopped = true;
            g.held = Held::None;
        }
        self.released.notify_all();
    }
}
