import Foundation
import Testing
import Checkpoints

/// Shared fixtures for the checkpoint store tests: tiny files and state so each save takes milliseconds.
enum CheckpointStoreFixture {
    struct WriterFailure: Error, CustomStringConvertible {
        var description: String { "simulated writer failure" }
    }

    static func state(step: Int) -> Data {
        Data(#"{"step": \#(step), "tokens_seen": \#(step * 1024), "config": {"model": {"n_layer": 2}}}"#.utf8)
    }

    /// A model file (safetensors, values depend on `step`) and a plain optimizer file.
    static func files(step: Int, failOptimizer: Bool = false) -> [(name: String, write: (URL) throws -> Void)] {
        [
            (name: "model.safetensors", write: { url in
                try Safetensors.write(tensors: [SafetensorsTensor(name: "wte.weight", shape: [2, 2], floats: [1, 2, 3, Float(step)])],
                                      metadata: ["format": "pt"], to: url)
            }),
            (name: "optimizer.safetensors", write: { url in
                try Data("moments \(step)".utf8).write(to: url)
                if failOptimizer { throw WriterFailure() }
            }),
        ]
    }

    @discardableResult
    static func save(_ store: CheckpointStore, step: Int) throws -> CheckpointInfo {
        try store.save(step: step, files: files(step: step), state: state(step: step))
    }

    static func hiddenEntries(_ root: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".") }
    }
}

@Suite struct CheckpointStoreTests {
    @Test func saveThenValidateRoundTrips() throws {
        let root = try ckptTestDirectory("store-roundtrip")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root.appendingPathComponent("run/ckpt"))
        let saved = try CheckpointStoreFixture.save(store, step: 42)
        #expect(saved.directory.lastPathComponent == "step-0000042")
        #expect(Set(saved.files.keys) == ["model.safetensors", "optimizer.safetensors"])

        let info = try store.validate(directory: store.directory(step: 42))
        #expect(info == saved)
        #expect(info.step == 42)
        let state = try #require(try JSONSerialization.jsonObject(with: info.state) as? [String: Any])
        #expect(state["tokens_seen"] as? Int == 42 * 1024)
        #expect((state["files"] as? [String: String]) == saved.files)
        #expect(try SafetensorsFile(url: info.file("model.safetensors")).floats(named: "wte.weight") == [1, 2, 3, 42])
        #expect(try CheckpointStoreFixture.hiddenEntries(store.root).isEmpty)
    }

    @Test func latestPointsToTheNewestSave() throws {
        let root = try ckptTestDirectory("store-latest")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 1)
        try CheckpointStoreFixture.save(store, step: 20)
        #expect(store.latestName() == "step-0000020")
        let text = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
        #expect(text == "step-0000020\n")
        #expect(try store.list().map(\.step) == [1, 20])
        #expect(store.latestValid(warn: { Issue.record("unexpected warning: \($0)") })?.step == 20)
    }

    @Test func corruptedFileFailsValidationAndFallsBack() throws {
        let root = try ckptTestDirectory("store-corrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 1)
        try CheckpointStoreFixture.save(store, step: 2)
        let model = store.directory(step: 2).appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: model)

        let error = #expect(throws: CheckpointError.self) { try store.validate(directory: store.directory(step: 2)) }
        #expect(error?.kind == .corrupted)
        #expect(error?.description == "\(model.path): SHA-256 mismatch; the file is corrupted or partially written")

        var warnings: [String] = []
        let info = store.latestValid(warn: { warnings.append($0) })
        #expect(info?.step == 1)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(model.path) == true)
    }

    @Test func missingFilesAreNamed() throws {
        let root = try ckptTestDirectory("store-missing")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 3)
        let dir = store.directory(step: 3)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("optimizer.safetensors"))
        let missing = #expect(throws: CheckpointError.self) { try store.validate(directory: dir) }
        #expect(missing?.kind == .missingFile)
        #expect(missing?.path == dir.appendingPathComponent("optimizer.safetensors").path)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("state.json"))
        let noState = #expect(throws: CheckpointError.self) { try store.validate(directory: dir) }
        #expect(noState?.kind == .missingFile)
        #expect(noState?.path == dir.appendingPathComponent("state.json").path)
        #expect(store.latestValid(warn: { _ in }) == nil)
    }

    @Test func throwingWriterLeavesPreviousCheckpointIntact() throws {
        let root = try ckptTestDirectory("store-writerfail")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        let first = try CheckpointStoreFixture.save(store, step: 5)

        for step in [6, 5] {  // a new step, and a re-save over the existing one
            let error = #expect(throws: CheckpointError.self) {
                try store.save(step: step, files: CheckpointStoreFixture.files(step: step, failOptimizer: true),
                               state: CheckpointStoreFixture.state(step: step))
            }
            #expect(error?.kind == .writerFailed)
            #expect(error?.description.contains("optimizer.safetensors") == true)
            #expect(error?.description.contains("simulated writer failure") == true)
            #expect(store.latestName() == "step-0000005")
            #expect(try store.list().map(\.step) == [5])
            #expect(try store.validate(directory: store.directory(step: 5)) == first)
            #expect(try CheckpointStoreFixture.hiddenEntries(root).isEmpty)
        }
    }

    @Test func resavingTheSameStepReplacesIt() throws {
        let root = try ckptTestDirectory("store-resave")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 7)
        let again = try store.save(step: 7, files: [(name: "model.safetensors", write: { url in
            try Safetensors.write(tensors: [SafetensorsTensor(name: "x", shape: [1], floats: [9])], to: url)
        })], state: CheckpointStoreFixture.state(step: 7))
        #expect(try store.validate(directory: store.directory(step: 7)) == again)
        #expect(Array(again.files.keys) == ["model.safetensors"])
        #expect(!FileManager.default.fileExists(atPath: store.directory(step: 7).appendingPathComponent("optimizer.safetensors").path))
        #expect(try CheckpointStoreFixture.hiddenEntries(root).isEmpty)
    }

    @Test func leftoverTemporaryDirectoriesAreIgnoredThenRemoved() throws {
        let root = try ckptTestDirectory("store-leftover")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 1)
        let crashed = root.appendingPathComponent(".tmp-step-0000002-99999")
        try FileManager.default.createDirectory(at: crashed, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: crashed.appendingPathComponent("model.safetensors"))
        #expect(try store.list().map(\.step) == [1])
        #expect(store.latestValid(warn: { Issue.record("unexpected warning: \($0)") })?.step == 1)
        try CheckpointStoreFixture.save(store, step: 2)
        #expect(!FileManager.default.fileExists(atPath: crashed.path))
    }

    @Test func interruptedReplaceIsRestoredByTheNextSave() throws {
        let root = try ckptTestDirectory("store-oldrestore")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        let first = try CheckpointStoreFixture.save(store, step: 3)
        // As if a re-save of step 3 crashed between moving the old directory aside and moving the new one in.
        try FileManager.default.moveItem(at: store.directory(step: 3), to: root.appendingPathComponent(".old-step-0000003-99999999"))
        try CheckpointStoreFixture.save(store, step: 4)
        #expect(try store.validate(directory: store.directory(step: 3)) == first)
        #expect(try CheckpointStoreFixture.hiddenEntries(root).isEmpty)
    }

    @Test func rejectsBadArguments() throws {
        let root = try ckptTestDirectory("store-args")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        let cases: [(Int, [(name: String, write: (URL) throws -> Void)], Data)] = [
            (-1, CheckpointStoreFixture.files(step: 1), CheckpointStoreFixture.state(step: 1)),
            (10_000_000, CheckpointStoreFixture.files(step: 1), CheckpointStoreFixture.state(step: 1)),
            (1, [(name: "../escape", write: { _ in })], CheckpointStoreFixture.state(step: 1)),
            (1, [(name: "state.json", write: { _ in })], CheckpointStoreFixture.state(step: 1)),
            (1, CheckpointStoreFixture.files(step: 1), Data("[1]".utf8)),
            (1, CheckpointStoreFixture.files(step: 1), Data(#"{"files": {}}"#.utf8)),
            (1, CheckpointStoreFixture.files(step: 1), CheckpointStoreFixture.state(step: 2)),
        ]
        for (step, files, state) in cases {
            let error = #expect(throws: CheckpointError.self) { try store.save(step: step, files: files, state: state) }
            #expect(error?.kind == .invalidArgument)
        }
        #expect(try store.list().isEmpty)
    }
}
