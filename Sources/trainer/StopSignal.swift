import Foundation

// Written by the signal handler, read by the training loop between steps; a word-sized store is
// all a handler may safely do.
nonisolated(unsafe) private var receivedSignal: Int32 = 0

private func recordStopSignal(_ signal: Int32) {
    receivedSignal = signal
    // A second Ctrl-C should end the process at once, as users expect.
    Glibc.signal(signal, SIG_DFL)
}

/// SIGINT and SIGTERM ask the job to stop cleanly: finish the step, save, exit 0.
enum StopSignal {
    /// Installs the handlers on this rank.
    static func install() {
        signal(SIGINT, recordStopSignal)
        signal(SIGTERM, recordStopSignal)
    }

    /// True once SIGINT or SIGTERM arrived.
    static var raised: Bool { receivedSignal != 0 }
}
