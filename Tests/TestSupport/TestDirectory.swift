import Foundation

/// Temporary directories for tests: one helper instead of one per suite.
public enum TestDirectory {
    /// A new, empty directory under the system's temporary folder, named after `name` so that a
    /// failed test's leftovers say whose they are.
    public static func make(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-tests-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
