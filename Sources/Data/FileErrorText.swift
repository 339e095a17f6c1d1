import Foundation

/// The OS's reason inside a Foundation file error ("Is a directory", "Permission denied"), so that
/// no message of ours quotes Foundation's own "The operation could not be completed" text.
enum FileErrorText {
    /// A short reason for `error`: errno's text when the error carries one, else our own description.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
        case .fileWriteOutOfSpace: return "No space left on device"
        case .fileWriteVolumeReadOnly: return "Read-only file system"
        case .fileWriteFileExists: return "File exists"
        default: return "file operation failed (Foundation code \(ns.code))"
        }
    }

    /// Why `path` could not be made a directory: a file standing where a folder must be, or a
    /// parent without write permission (Foundation's error for this often carries no errno).
    static func reason(_ error: any Error, creatingDirectory path: String) -> String {
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL
        var chain: [String] = []
        while ancestor.path != "/" {
            chain.append(ancestor.path)
            ancestor.deleteLastPathComponent()
        }
        var isDirectory: ObjCBool = false
        for candidate in chain.reversed() {
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) else {
                let parent = (candidate as NSString).deletingLastPathComponent
                return access(parent, W_OK) == 0 ? reason(error) : "Permission denied on \(parent)"
            }
            if !isDirectory.boolValue { return "Not a directory: \(candidate) is a file" }
        }
        return reason(error)
    }
}
