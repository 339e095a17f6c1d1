import Foundation

/// Finds a key that appears twice in one object of a config file: JSONSerialization keeps one of
/// them silently, so a second "training" section or a repeated "lr" would replace the first
/// without a word (issue 28, item 8). Run on text that already parsed as JSON.
enum DuplicateKeys {
    /// A repeated key: its dotted path and the line:column of both places.
    struct Repeat: Equatable {
        var path: String
        var first: String
        var second: String
    }

    /// The first key that repeats within its object, or nil.
    static func first(in bytes: Data) -> Repeat? {
        let b = [UInt8](bytes)
        // One frame per open object or array: its path, and (objects) the keys seen with their places.
        var frames: [(path: [String], isObject: Bool, keys: [String: String], pendingKey: String?)] = []
        var i = 0, line = 1, lineStart = 0
        var lastString: (text: String, place: String)?
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = i + 1
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                lastString = (String(decoding: b[(start + 1)..<min(i, b.count)], as: UTF8.self), "line \(line), column \(start - lineStart + 1)")
            case UInt8(ascii: ":"):
                guard let key = lastString, !frames.isEmpty, frames[frames.count - 1].isObject else { break }
                let path = (frames[frames.count - 1].path + [key.text]).joined(separator: ".")
                if let earlier = frames[frames.count - 1].keys[key.text] {
                    return Repeat(path: path, first: earlier, second: key.place)
                }
                frames[frames.count - 1].keys[key.text] = key.place
                frames[frames.count - 1].pendingKey = key.text
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let parent = frames.last
                let path = (parent?.path ?? []) + (parent?.isObject == true ? [parent?.pendingKey ?? "?"] : [])
                frames.append((path, c == UInt8(ascii: "{"), [:], nil))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = frames.popLast()
            default:
                break
            }
            i += 1
        }
        return nil
    }
}
