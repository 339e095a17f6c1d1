import Foundation
import Testing
import TensorBoard

@Suite struct EventFileTests {
    @Test func crc32cMatchesKnownVectors() {
        // The check value of CRC-32C (RFC 3720 appendix B.4 and every CRC catalogue).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        // tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c(b"123456789"), and of
        // the 8 length bytes of a 13-byte record (reference/tensorboard_vectors.py).
        #expect(CRC32C.masked(Array("123456789".utf8)) == 0xC78A_B0E5)
        #expect(CRC32C.masked([13, 0, 0, 0, 0, 0, 0, 0]) == 0x34B8_373C)
    }

    @Test func eventEncodingMatchesTensorFlowsProtobuf() {
        // Bytes of event_pb2.Event(wall_time=1.5, step=7, summary=Summary(value=[Summary.Value(tag="a", simple_value=2.0)]))
        // .SerializeToString() and of Event(wall_time=1.5, file_version="brain.Event:2"), from reference/tensorboard_vectors.py.
        let scalar = Event(wallTime: 1.5, step: 7, content: .scalars([Event.Scalar("a", 2)]))
        #expect(hex(scalar.encoded()) == "09000000000000f83f10072a0a0a080a01611500000040")
        let version = Event(wallTime: 1.5, step: 0, content: .fileVersion(Event.fileVersion))
        #expect(hex(version.encoded()) == "09000000000000f83f1a0d627261696e2e4576656e743a32")
        // Event(wall_time=1.5, step=20, session_log=SessionLog(status=SessionLog.START))
        let start = Event(wallTime: 1.5, step: 20, content: .sessionStart)
        #expect(hex(start.encoded()) == "09000000000000f83f10143a020801")
        #expect(Event(decoding: start.encoded()) == start)
        // A negative step is a ten-byte two's-complement varint; a zero wall time is left out.
        let negative = Event(wallTime: 0, step: -1, content: .scalars([]))
        #expect(negative.encoded() == [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01, 0x2A, 0x00])
        #expect(Event(decoding: negative.encoded()) == negative)
        #expect(Event(decoding: scalar.encoded()) == scalar)
    }

    @Test func framingHasLengthDataAndMaskedCRCs() throws {
        let data = Array("hello, tensorboard".utf8)
        let record = TFRecord.frame(data)
        #expect(record.count == 8 + 4 + data.count + 4)
        #expect(Array(record[0..<8]) == [UInt8(data.count), 0, 0, 0, 0, 0, 0, 0])
        #expect(le32(record, 8) == CRC32C.masked(record[0..<8]))
        #expect(Array(record[12..<(12 + data.count)]) == data)
        #expect(le32(record, 12 + data.count) == CRC32C.masked(data))
        #expect(TFRecord.records(in: record + record) == [data, data])
        // A record still being written ends the list; a flipped bit is an error.
        #expect(TFRecord.records(in: record + Array(record.prefix(15))) == [data])
        var corrupted = record
        corrupted[14] ^= 1
        #expect(TFRecord.records(in: corrupted) == nil)
    }

    @Test func writerStartsWithFileVersionAndAppendsScalars() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try EventFileWriter(directory: dir, wallTime: 1000)
        try first.add([Event.Scalar("train/loss", 2.5), Event.Scalar("train/lr", 1e-3)], step: 3, wallTime: 1001)
        try first.add([], step: 4)
        // A second writer (a resumed run) gets its own file, starting with the restart; the first stays intact.
        let second = try EventFileWriter(directory: dir, restartStep: 3, wallTime: 1000)
        #expect(second.url != first.url)
        #expect(try Event.read(file: second.url).map(\.content) == [.fileVersion("brain.Event:2"), .sessionStart])
        #expect(try Event.read(file: second.url).map(\.step) == [0, 3])
        #expect(first.url.lastPathComponent.hasPrefix("events.out.tfevents.0000001000."))
        let records = try #require(TFRecord.records(in: Array(try Data(contentsOf: first.url))))
        #expect(records.count == 2)
        #expect(records[0] == Event(wallTime: 1000, step: 0, content: .fileVersion("brain.Event:2")).encoded())
        #expect(records[1] == Event(wallTime: 1001, step: 3, content: .scalars([Event.Scalar("train/loss", 2.5), Event.Scalar("train/lr", 1e-3)])).encoded())
        #expect(EventFileWriter.removeEventFiles(in: dir) == 2)
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    func le32<C: Collection>(_ b: C, _ i: Int) -> UInt32 where C.Element == UInt8, C.Index == Int {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
