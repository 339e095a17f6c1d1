import Foundation

/// The OS's reason inside a Foundation file error, so that no checkpoint message quotes
/// Foundation's own "The operation could not be completed" text.
enum CheckpointFileErrorText {
    /// errno's text when `error` carries one (itself or underlying), else our own description.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        let posix = ns.domain == NSPOSIXErrorDomain ? ns : ns.userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix, posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        return ns.domain == NSCocoaErrorDomain ? "the file operation failed (Foundation code \(ns.code))" : "\(error)"
    }
}
