import Data
import Foundation
import Testing

/// Corpora and directories for the data tests.
enum DataFixtures {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled Shakespeare works, in name order.
    static let works: [(name: String, text: String)] = {
        let folder = root.appendingPathComponent("data/shakespeare")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
        return names.map { ($0, (try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) ?? "") }
    }()

    /// Writes `text` to `name` under `directory` (creating folders), gzip-compressed when the name ends in .gz.
    @discardableResult
    static func write(_ text: String, _ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if name.hasSuffix(".gz") {
            let plain = url.deletingPathExtension()
            try Data(text.utf8).write(to: plain)
            try run("/usr/bin/env", ["gzip", "-n", "-f", plain.path])
        } else {
            try Data(text.utf8).write(to: url)
        }
        return url
    }

    /// Runs a program and waits, failing the test on a non-zero exit.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments) failed")
    }

    /// One JSONL line `{"text": ...}` holding `text`, escaped as Python's json.dumps would.
    static func jsonLine(_ text: String, extra: String = "") -> String {
        let data = try! JSONSerialization.data(withJSONObject: ["text": text], options: [.withoutEscapingSlashes])
        let object = String(decoding: data, as: UTF8.self)
        return extra.isEmpty ? object : "{" + extra + ", " + object.dropFirst()
    }

    /// Every file of `directory` by name, with its bytes.
    static func snapshot(_ directory: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            out[name] = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        }
        return out
    }

    /// The documents of a split: the stream cut at `<|endoftext|>`, each decoded.
    static func documents(_ dataset: TokenDataset, _ tokenizer: BPETokenizer) -> [String] {
        let tokens = (0..<dataset.count).map { dataset.token(at: $0) }
        return tokens.split(separator: tokenizer.endOfText, omittingEmptySubsequences: false).dropFirst().map { tokenizer.decodeString($0) }
    }

    /// The message of the error `body` throws, or "" when it throws none.
    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as DataError { return error.message } catch { return "\(error)" }
        return ""
    }
}

/// Ranks simulated by threads of one process, to test that the shards do not depend on the rank count without MPI.
final class ThreadGroupHub: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[UInt8]]
    private var arrived = 0
    private var generation = 0
    private var published: [[UInt8]] = []

    init(size: Int) {
        self.size = size
        slots = [[UInt8]](repeating: [], count: size)
    }

    /// Every member's bytes, once all have arrived.
    func exchange(rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        slots[rank] = bytes
        arrived += 1
        if arrived == size {
            published = slots
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return published
    }

    /// Runs `body(group)` on `size` threads and returns each one's result, in rank order.
    func run<T>(_ body: @escaping @Sendable (PreparationGroup) throws -> T) -> [Result<T, Error>] {
        let results = ResultBox<T>(count: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            Thread.detachNewThread { [self] in
                results.set(rank, Result { try body(ThreadMember(hub: self, rank: rank)) })
                done.leave()
            }
        }
        done.wait()
        return results.values.map { $0! }
    }
}

/// Results written by several threads.
final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<T, Error>) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

/// One simulated rank.
struct ThreadMember: PreparationGroup {
    let hub: ThreadGroupHub
    let rank: Int
    var size: Int { hub.size }

    func agree<T>(onlyRoot: Bool, _ body: () throws -> T) throws -> T? {
        var result: T? = nil
        var failure = ""
        if !onlyRoot || rank == 0 {
            do { result = try body() } catch { failure = "\(error)" }
        }
        let all = hub.exchange(rank: rank, Array(failure.utf8))
        if let first = all.first(where: { !$0.isEmpty }) { throw DataError(String(decoding: first, as: UTF8.self)) }
        return result
    }

    func broadcast(_ bytes: [UInt8]) throws -> [UInt8] { hub.exchange(rank: rank, bytes)[0] }

    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { hub.exchange(rank: rank, bytes) }
}
