import Foundation

/// One record of a TensorBoard event file: TensorFlow's `Event` protocol buffer
/// (tensorflow/core/util/event.proto) with the fields TensorBoard's scalar dashboard reads.
public struct Event: Sendable, Equatable {
    /// Seconds since 1970 when the event happened.
    public var wallTime: Double
    /// The training step the values belong to.
    public var step: Int64
    /// What the event holds: the file's version line or scalar values.
    public var content: Content

    /// The payload of an event.
    public enum Content: Sendable, Equatable {
        /// `file_version`, the first event of every file ("brain.Event:2").
        case fileVersion(String)
        /// A `Summary` of scalar values (`simple_value`), by tag.
        case scalars([Scalar])
        /// `session_log` START: the run restarted at this event's step, so TensorBoard drops what an
        /// earlier attempt logged at this step and later (PyTorch's SummaryWriter `purge_step`).
        case sessionStart
    }

    /// One named value of a summary.
    public struct Scalar: Sendable, Equatable {
        /// The chart the value belongs to, e.g. "train/loss".
        public var tag: String
        /// The value (TensorBoard stores scalars as 32-bit floats).
        public var value: Float
        public init(_ tag: String, _ value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    /// The version string TensorBoard expects in the first event of a file.
    public static let fileVersion = "brain.Event:2"

    public init(wallTime: Double, step: Int64, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// The protocol-buffer encoding: Event{1: wall_time, 2: step, 3: file_version | 5: summary |
    /// 7: session_log}, Summary{1: repeated value}, Summary.Value{1: tag, 2: simple_value},
    /// SessionLog{1: status (START = 1)}.
    public func encoded() -> [UInt8] {
        var event = ProtobufMessage()
        // proto3 leaves out fields that hold their default (0), as TensorFlow's own encoder does.
        if wallTime != 0 { event.double(1, wallTime) }
        if step != 0 { event.int64(2, step) }
        switch content {
        case .fileVersion(let version):
            event.string(3, version)
        case .scalars(let values):
            var summary = ProtobufMessage()
            for v in values {
                var value = ProtobufMessage()
                value.string(1, v.tag)
                value.float(2, v.value)
                summary.lengthDelimited(1, value.bytes)
            }
            event.lengthDelimited(5, summary.bytes)
        case .sessionStart:
            var log = ProtobufMessage()
            log.int64(1, 1)
            event.lengthDelimited(7, log.bytes)
        }
        return event.bytes
    }
}

/// TFRecord framing, which TensorBoard's event files use: for each record, its length (uint64
/// little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
public enum TFRecord {
    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        out += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { out += $0 }
        out += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { out += $0 }
        return out
    }

    /// The records of `bytes`, checking both CRCs of each; nil when the framing or a CRC is wrong.
    /// A trailing partial record (a writer still at work) ends the list without being an error.
    public static func records(in bytes: [UInt8]) -> [[UInt8]]? {
        var out: [[UInt8]] = []
        var i = 0
        while bytes.count - i >= 12 {
            let header = Array(bytes[i..<(i + 8)])
            let length = header.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
            guard littleEndianUInt32(bytes, at: i + 8) == CRC32C.masked(header) else { return nil }
            guard bytes.count - i >= 16, length <= UInt64(bytes.count - i - 16) else { break }
            let start = i + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard littleEndianUInt32(bytes, at: end) == CRC32C.masked(data) else { return nil }
            out.append(data)
            i = end + 4
        }
        return out
    }

    private static func littleEndianUInt32(_ bytes: [UInt8], at i: Int) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
}
