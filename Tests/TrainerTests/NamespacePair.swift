import Foundation
import Testing
import TestSupport

/// Two network namespaces joined by a veth pair, with one address each in a private /24 that
/// exists only inside them (the traffic never leaves the machine).
struct NamespacePair {
    let nameA: String, nameB: String
    let addressA: String, addressB: String
    let subnet: String
    let vethA: String, vethB: String

    static let ip = "/usr/sbin/ip"

    /// Why namespaces cannot be created here (a pair is created and removed to find out), or nil.
    static let unavailable: String? = {
        switch create() {
        case .success(let pair):
            pair.remove()
            return nil
        case .failure(let reason):
            return reason.description
        }
    }()

    /// Creates the pair, or says why it cannot (not root, no CAP_SYS_ADMIN, no iproute2, no veth).
    static func create() -> Result<NamespacePair, SetupFailure> {
        guard FileManager.default.isExecutableFile(atPath: ip) else {
            return .failure(SetupFailure("cannot create network namespaces (\(ip) not found; install iproute2)"))
        }
        let pid = ProcessInfo.processInfo.processIdentifier
        let octet = Int(pid) % 250 + 1
        // Suites run in parallel, each with its own pair: the tag tells them apart. Device names
        // are at most 15 characters: "trn-va-" and an 8-digit tag fit.
        let tag = "\(Int(pid) % 100_000)\(Int.random(in: 100...999))"
        let pair = NamespacePair(nameA: "trn-a-\(tag)", nameB: "trn-b-\(tag)",
                                 addressA: "10.213.\(octet).1", addressB: "10.213.\(octet).2", subnet: "10.213.\(octet).0/24",
                                 vethA: "trn-va-\(tag)", vethB: "trn-vb-\(tag)")
        if let error = run([ip, "netns", "add", pair.nameA]) {
            return .failure(SetupFailure("cannot create network namespaces (\(error))"))
        }
        if let error = run([ip, "-n", pair.nameA, "link", "set", "lo", "up"]) ?? pair.restoreB() {
            pair.remove()
            return .failure(SetupFailure("cannot set up two network namespaces joined by a veth pair (\(error))"))
        }
        return .success(pair)
    }

    /// Host B and its link to A: namespace B, the veth pair, both addresses, every link up. Nil on
    /// success, else the failing command and what it said. Also brings back a host `removeB` took away.
    func restoreB() -> String? {
        let ip = Self.ip
        let steps: [[String]] = [
            [ip, "netns", "add", nameB],
            [ip, "link", "add", vethA, "netns", nameA, "type", "veth", "peer", "name", vethB, "netns", nameB],
            [ip, "-n", nameA, "addr", "add", "\(addressA)/24", "dev", vethA],
            [ip, "-n", nameB, "addr", "add", "\(addressB)/24", "dev", vethB],
            [ip, "-n", nameB, "link", "set", "lo", "up"],
            [ip, "-n", nameA, "link", "set", vethA, "up"],
            [ip, "-n", nameB, "link", "set", vethB, "up"],
        ]
        for step in steps {
            if let error = Self.run(step) { return "`\(step.joined(separator: " "))`: \(error)" }
        }
        return nil
    }

    /// Host B goes away as a dead machine does: its name no longer leads anywhere (launch/netns-rsh.sh
    /// fails to enter it) and its link to A is gone once its last process has exited.
    func removeB() {
        _ = Self.run([Self.ip, "netns", "delete", nameB])
    }

    /// DIR/hostfile naming both hosts with one slot each, for mpirun and launch/supervise.sh.
    func writeHostfile(in dir: URL) throws -> URL {
        let hostfile = dir.appendingPathComponent("hostfile")
        try "\(addressA) slots=1\n\(addressB) slots=1\n".write(to: hostfile, atomically: true, encoding: .utf8)
        return hostfile
    }

    /// Kills every process still running inside namespace A (a supervisor and its job after a failed test).
    func killProcessesInA() {
        guard let pids = try? Self.execute([Self.ip, "netns", "pids", nameA], timeout: 10).stdout else { return }
        for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
    }

    /// Deletes both namespaces; the veth pair goes with them.
    func remove() {
        _ = Self.run([Self.ip, "netns", "delete", nameA])
        _ = Self.run([Self.ip, "netns", "delete", nameB])
    }

    /// Runs `mpirun` inside namespace A with `hostfile`, one rank per host, launch/netns-rsh.sh as
    /// the rsh agent, and TCP on the veth subnet as the only transport. `blasThreads` nil leaves
    /// OPENBLAS_NUM_THREADS unset, so that each rank takes its host's cores ÷ its local ranks.
    func mpirun(hostfile: URL, _ command: [String], timeout: TimeInterval, blasThreads: Int? = 1) throws -> TrainerProcess.Result {
        let agent = TrainerProcess.root.appendingPathComponent("launch/netns-rsh.sh").path
        let arguments = [Self.ip, "netns", "exec", nameA, "mpirun", "-n", "2", "--hostfile", hostfile.path,
                         "--mca", "plm_rsh_agent", agent,
                         "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
                         "--mca", "btl_tcp_if_include", subnet, "--mca", "oob_tcp_if_include", subnet,
                         "--oversubscribe", "--bind-to", "none", "--display-map"]
            + (blasThreads == nil ? [] : ["-x", "OPENBLAS_NUM_THREADS"]) + command
        return try TrainerProcess.execute(arguments, environment: environment(blasThreads: blasThreads), timeout: timeout)
    }

    /// The test's environment for a job across the pair: root allowed, the rsh agent's map, and
    /// OPENBLAS_NUM_THREADS set to `blasThreads` or removed.
    func environment(blasThreads: Int?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["NETNS_RSH_MAP"] = "\(addressA)=\(nameA),\(addressB)=\(nameB)"
        for key in ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"] { env[key] = nil }
        if let blasThreads { env["OPENBLAS_NUM_THREADS"] = "\(blasThreads)" }
        return env
    }

    /// Runs a short setup command; nil on success, else what went wrong.
    private static func run(_ arguments: [String]) -> String? {
        do {
            let result = try execute(arguments, timeout: 30)
            if result.status == 0 { return nil }
            let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return message.isEmpty ? "exit status \(result.status)" : message
        } catch {
            return "\(error)"
        }
    }

    /// Runs `arguments` from the repository root with the test's environment plus `extra`,
    /// killing it after `timeout` seconds.
    static func execute(_ arguments: [String], timeout: TimeInterval, environment extra: [String: String] = [:]) throws -> TrainerProcess.Result {
        try TrainerProcess.execute(arguments, environment: ProcessInfo.processInfo.environment.merging(extra) { $1 }, timeout: timeout)
    }
}

/// Why the namespaces could not be set up: the test is skipped with this message.
struct SetupFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
