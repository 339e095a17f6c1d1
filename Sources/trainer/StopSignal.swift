import Foundation

// Written by the signal handler, read by the training loop between steps; a word-sized store is
// all a handler may safely do.
nonisolated(unsafe) private var receivedSignal: Int32 = 0

private func recordStopSignal(_ signal: Int32) {
    receivedSignal = signal
    // A second Ctrl-C should end the process at once, as users expect.
    Glibc.signal(signal, SIG_DFL)
}

/// SIGINT, SIGTERM and SIGUSR1 ask the job to stop cleanly: finish the step, save, exit 0.
/// SIGUSR1 is the one to send to mpirun itself: it forwards SIGUSR1 to every rank on every host,
/// while on SIGTERM it kills the job after a grace period that a save may outlast
/// (launch/supervise.sh --hostfile stops a job this way to restart it on more hosts).
enum StopSignal {
    /// Installs the handlers on this rank.
    static func install() {
        signal(SIGINT, recordStopSignal)
        signal(SIGTERM, recordStopSignal)
        signal(SIGUSR1, recordStopSignal)
    }

    /// True once SIGINT, SIGTERM or SIGUSR1 arrived.
    static var raised: Bool { receivedSignal != 0 }
}
