import Foundation
import Testing
import Checkpoints

@Suite struct CheckpointStoreErrorTests {
    /// Tests run as root, where permission bits do not stop writes; a path under a regular file does.
    @Test func unwritableRootGivesAClearError() throws {
        let dir = try ckptTestDirectory("store-unwritable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let store = CheckpointStore(root: blocker.appendingPathComponent("checkpoints"))
        let error = #expect(throws: CheckpointError.self) { try CheckpointStoreFixture.save(store, step: 1) }
        #expect(error?.kind == .io)
        #expect(error?.description.contains(blocker.path) == true)
        #expect(error?.description.contains("Not a directory") == true)
        #expect(error?.description.contains("checkpoint.dir") == true)
    }

    @Test func resolveAcceptsStepDirectoriesAndRunRoots() throws {
        let root = try ckptTestDirectory("store-resolve")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 8)
        try CheckpointStoreFixture.save(store, step: 9)
        #expect(try CheckpointStore.resolve(path: store.directory(step: 8)).step == 8)
        #expect(try CheckpointStore.resolve(path: root).step == 9)

        let missing = #expect(throws: CheckpointError.self) { try CheckpointStore.resolve(path: root.appendingPathComponent("nope")) }
        #expect(missing?.kind == .notFound)
        let file = #expect(throws: CheckpointError.self) {
            try CheckpointStore.resolve(path: store.directory(step: 8).appendingPathComponent("model.safetensors"))
        }
        #expect(file?.kind == .notFound)
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = #expect(throws: CheckpointError.self) { try CheckpointStore.resolve(path: empty) }
        #expect(none?.kind == .notFound)
    }

    @Test func garbledStateAndLatestAreReported() throws {
        let root = try ckptTestDirectory("store-garbled")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try CheckpointStoreFixture.save(store, step: 1)
        try CheckpointStoreFixture.save(store, step: 2)
        try Data("{not json".utf8).write(to: store.directory(step: 2).appendingPathComponent("state.json"))
        let bad = #expect(throws: CheckpointError.self) { try store.validate(directory: store.directory(step: 2)) }
        #expect(bad?.kind == .invalidState)
        try Data("../../etc\n".utf8).write(to: root.appendingPathComponent("latest"))
        var warnings: [String] = []
        #expect(store.latestValid(warn: { warnings.append($0) })?.step == 1)
        #expect(warnings.count == 2)  // latest unusable, then step 2's state.json
    }
}
