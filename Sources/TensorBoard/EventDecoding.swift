import Foundation

/// Reading back the events `Event.encoded()` writes (for tests and tools): the same fields,
/// skipping any other field by its wire type, as a protobuf reader must.
extension Event {
    /// Every event of the event file at `url`; throws when a CRC or an event is wrong.
    public static func read(file url: URL) throws -> [Event] {
        let bytes = try [UInt8](Data(contentsOf: url))
        guard let records = TFRecord.records(in: bytes) else { throw TensorBoardError("\(url.path): a record's CRC does not match") }
        return try records.map { record in
            guard let event = Event(decoding: record) else { throw TensorBoardError("\(url.path): a record is not an Event") }
            return event
        }
    }

    /// Decodes an Event; nil when the bytes are not a well-formed Event of scalars or a file version.
    public init?(decoding bytes: [UInt8]) {
        var wallTime = 0.0, step: Int64 = 0
        var content: Content? = nil
        var reader = ProtobufReader(bytes)
        while let (field, value) = reader.next() {
            switch (field, value) {
            case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (2, .varint(let v)): step = Int64(bitPattern: v)
            case (3, .bytes(let b)): content = .fileVersion(String(decoding: b, as: UTF8.self))
            case (5, .bytes(let b)): content = Self.scalars(b).map { .scalars($0) }
            case (7, .bytes(let b)) where b == [0x08, 0x01]: content = .sessionStart
            default: break
            }
        }
        guard reader.isValid, let content else { return nil }
        self.init(wallTime: wallTime, step: step, content: content)
    }

    private static func scalars(_ summary: [UInt8]) -> [Scalar]? {
        var out: [Scalar] = []
        var reader = ProtobufReader(summary)
        while let (field, value) = reader.next() {
            guard field == 1, case .bytes(let encoded) = value else { continue }
            var tag = "", number: Float? = nil
            var valueReader = ProtobufReader(encoded)
            while let (f, v) = valueReader.next() {
                if f == 1, case .bytes(let b) = v { tag = String(decoding: b, as: UTF8.self) }
                if f == 2, case .fixed32(let bits) = v { number = Float(bitPattern: bits) }
            }
            guard valueReader.isValid, let number else { return nil }
            out.append(Scalar(tag, number))
        }
        return reader.isValid ? out : nil
    }
}

/// Walks the fields of one protobuf message.
struct ProtobufReader {
    enum Value { case varint(UInt64), fixed64(UInt64), bytes([UInt8]), fixed32(UInt32) }
    private let bytes: [UInt8]
    private var i = 0
    /// False once the bytes turned out malformed.
    private(set) var isValid = true

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next (field number, value), or nil at the end or on malformed input.
    mutating func next() -> (Int, Value)? {
        guard isValid, i < bytes.count, let key = varint() else { return nil }
        let field = Int(key >> 3)
        let value: Value?
        switch key & 7 {
        case 0: value = varint().map { .varint($0) }
        case 1: value = fixed(8).map { .fixed64($0) }
        case 5: value = fixed(4).map { .fixed32(UInt32($0)) }
        case 2:
            if let n = varint(), n <= UInt64(bytes.count - i) {
                value = .bytes(Array(bytes[i..<(i + Int(n))]))
                i += Int(n)
            } else {
                value = nil
            }
        default: value = nil
        }
        guard let value else {
            isValid = false
            return nil
        }
        return (field, value)
    }

    private mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard i < bytes.count else { return nil }
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b < 0x80 { return result }
        }
        return nil
    }

    private mutating func fixed(_ n: Int) -> UInt64? {
        guard bytes.count - i >= n else { return nil }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[i + k]) << UInt64(8 * k) }
        i += n
        return v
    }
}
