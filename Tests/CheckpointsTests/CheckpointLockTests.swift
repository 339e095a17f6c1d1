import Foundation
import Testing
import Checkpoints

/// One run per checkpoint directory (issue 28, item 3): the lock, its take-over after a crash, and
/// leftovers removed only when their owner cannot be saving any more.
@Suite struct CheckpointLockTests {
    static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(cString: buffer)
    }

    @Test func secondLockIsRefusedNamingTheHolder() throws {
        let root = try ckptTestDirectory("lock-twice")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root.appendingPathComponent("run"))
        let first = try store.lock()
        #expect(first.staleHolder == nil)
        // flock belongs to the open file description: a second open() conflicts even in this process.
        do {
            _ = try store.lock()
            Issue.record("a second lock on the same directory was granted")
        } catch {
            #expect(error.kind == .locked)
            #expect(error.description.contains("host \(Self.host) pid \(getpid())"))
            #expect(error.description.contains("another checkpoint.dir") && !error.description.contains("\n"))
        }
        first.release()
        let again = try store.lock()
        #expect(again.staleHolder == nil, "a clean release must not read as a crash")
    }

    @Test func lockHeldByAnotherProcessIsRefused() throws {
        let root = try ckptTestDirectory("lock-other")
        defer { try? FileManager.default.removeItem(at: root) }
        let lockFile = root.appendingPathComponent(".lock")
        // One process that takes the lock, writes its text, and sleeps holding it (exec keeps fd 9).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>>'\(lockFile.path)'; flock 9; echo 'host elsewhere pid 4242 run 1' > '\(lockFile.path)'; exec sleep 30"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOf: lockFile, encoding: .utf8))?.contains("4242") != true, Date() < deadline { usleep(20_000) }
        do {
            _ = try CheckpointStore(root: root).lock()
            Issue.record("the lock held by another process was granted")
        } catch {
            #expect(error.kind == .locked && error.description.contains("host elsewhere pid 4242 run 1"))
        }
    }

    @Test func staleLockIsTakenOverAndSaidOnce() throws {
        let root = try ckptTestDirectory("lock-stale")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        try Data("host \(Self.host) pid 99999999 run dead\n".utf8).write(to: root.appendingPathComponent(".lock"))
        let lock = try store.lock()
        #expect(lock.staleHolder == "host \(Self.host) pid 99999999 run dead")
        #expect(lock.takeOverNotice?.contains("took over the lock") == true)
        let text = try String(contentsOf: root.appendingPathComponent(".lock"), encoding: .utf8)
        #expect(text.hasPrefix("host \(Self.host) pid \(getpid()) run "))
        lock.release()
        #expect(try store.lock().takeOverNotice == nil)
    }

    @Test func aSaveRemovesOnlyLeftoversWhoseOwnerIsGone() throws {
        let root = try ckptTestDirectory("lock-leftovers")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CheckpointStore(root: root)
        let live = ".tmp-step-0000009-\(Self.host)-\(getppid())-beef"      // another run's save in progress
        let dead = ".tmp-step-0000009-\(Self.host)-99999999-beef"          // its process is gone
        let legacyDead = ".tmp-step-0000008-99999999"                      // the old naming, dead owner
        let remote = ".tmp-step-0000009-otherhost-123-beef"                // cannot be checked from here
        for name in [live, dead, legacyDead, remote] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try CheckpointStoreFixture.save(store, step: 1)
        #expect(Set(try CheckpointStoreFixture.hiddenEntries(root)) == [live, remote])
        // Holding the directory's lock, this run knows every other owner is gone.
        let lock = try store.lock()
        try CheckpointStoreFixture.save(store, step: 2)
        #expect(try CheckpointStoreFixture.hiddenEntries(root) == [".lock"])
        lock.release()
    }
}
