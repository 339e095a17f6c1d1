import Foundation
import Testing
import Checkpoints

@Suite struct CheckpointStoreRetentionTests {
    @Test func pruneKeepsTheNewestAndTheBest() throws {
        let root = try ckptTestDirectory("store-prune")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        for step in 1...6 { try CheckpointStoreFixture.save(store, step: step * 10) }
        let removed = try store.prune(keep: 2, bestStep: 20)
        #expect(removed.map(\.lastPathComponent) == ["step-0000010", "step-0000030", "step-0000040"])
        #expect(try store.list().map(\.step) == [20, 50, 60])
        #expect(store.latestValid(warn: { _ in })?.step == 60)
    }

    @Test func pruneNeverRemovesLatestsTarget() throws {
        let root = try ckptTestDirectory("store-prune-latest")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        for step in 1...4 { try CheckpointStoreFixture.save(store, step: step) }
        try CheckpointStoreFixture.save(store, step: 2)  // latest now names step 2
        try store.prune(keep: 1, bestStep: nil)
        #expect(try store.list().map(\.step) == [2, 4])
        #expect(store.latestName() == "step-0000002")
        #expect(try store.prune(keep: 0, bestStep: nil).map(\.lastPathComponent) == ["step-0000004"])
        #expect(throws: CheckpointError.self) { try store.prune(keep: -1, bestStep: nil) }
    }
}
