import Data
import Foundation
import FuzzTargets
import Testing

/// Every parser of outside input, fed the inputs of launch/fuzz.sh's coverage-guided runs (the seeds,
/// and every input that once crashed) and seeded random mutations of a valid input: each input must
/// give a valid value or the parser's own typed error, never a crash or a broken value.
@Suite struct FuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The files in Tests/Fuzz/`folder`/`target`, sorted by name ([] when there are none).
    static func files(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let dir = root.appendingPathComponent("Tests/Fuzz/\(folder)/\(target.rawValue)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// `count` inputs: half random byte strings, half `valid` with a few random bytes replaced (and
    /// sometimes cut short).
    static func inputs(seed: UInt64, count: Int, valid: Data) -> [Data] {
        var rng = SplitMix64(seed: seed)
        var out: [Data] = []
        for i in 0..<count {
            if i % 2 == 0 || valid.isEmpty {
                let n = Int(rng.next() % 300)
                out.append(Data((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
            } else {
                var bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 4 == 0 { bytes = bytes.prefix(Int(rng.next() % UInt64(bytes.count))) }
                out.append(bytes)
            }
        }
        return out
    }

    static func scratch(_ target: FuzzTarget) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-fuzz-\(target.rawValue)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The seeds are valid inputs: each is accepted.
    @Test(arguments: FuzzTarget.allCases)
    func seedsAreAccepted(target: FuzzTarget) throws {
        let seeds = Self.files("Corpus", target)
        #expect(!seeds.isEmpty, "no seeds in Tests/Fuzz/Corpus/\(target.rawValue)")
        let scratch = try Self.scratch(target)
        for url in seeds {
            let outcome = target.run(try Data(contentsOf: url), scratch: scratch)
            guard case .accepted = outcome else {
                Issue.record("\(url.lastPathComponent): \(outcome)")
                continue
            }
        }
    }

    /// Inputs that crashed a parser under libFuzzer (since fixed) give a value or a typed error.
    @Test(arguments: FuzzTarget.allCases)
    func regressionInputsGiveAValueOrATypedError(target: FuzzTarget) throws {
        let scratch = try Self.scratch(target)
        for url in Self.files("Regressions", target) {
            let outcome = target.run(try Data(contentsOf: url), scratch: scratch)
            #expect(outcome.isCorrect, "\(url.lastPathComponent): \(outcome)")
        }
    }

    /// Random and mutated inputs give a value or a typed error, and the parser refuses some of them.
    @Test(arguments: FuzzTarget.allCases)
    func mutatedInputsGiveAValueOrATypedError(target: FuzzTarget) throws {
        let valid = try Data(contentsOf: try #require(Self.files("Corpus", target).first))
        let scratch = try Self.scratch(target)
        let count = target == .tokenizer ? 300 : 1000
        var rejected = 0
        let seed = UInt64(FuzzTarget.allCases.firstIndex(of: target) ?? 0) + 1
        for (i, input) in Self.inputs(seed: seed, count: count, valid: valid).enumerated() {
            let outcome = target.run(input, scratch: scratch)
            #expect(outcome.isCorrect, "input \(i) (\(input.count) bytes): \(outcome)")
            if case .rejected(let message) = outcome {
                rejected += 1
                #expect(!message.isEmpty, "input \(i): an error without a message")
            }
        }
        #expect(rejected >= count / 2, "only \(rejected) of \(count) random or damaged inputs were refused")
    }
}
