import Data
import Foundation
import Testing

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Test func writeThenRead() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("train_000000.bin")
    let tokens: [Int32] = [0, 1, 65535, 50256, 7]
    try TokenShard.write(tokens: tokens, to: url)
    let shard = try TokenShard(url: url)
    #expect(shard.count == 5)
    withExtendedLifetime(shard) { #expect(shard.tokens.map { Int32($0) } == tokens) }
    let data = try Data(contentsOf: url)
    #expect(data.count == 1024 + 10)
    #expect(data[0..<12] == Data([0x88, 0xD8, 0x34, 0x01, 1, 0, 0, 0, 5, 0, 0, 0]))  // 20240520, 1, 5 little-endian
    // Only the final file is left behind, no temporary.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["train_000000.bin"])
    // Overwriting replaces the shard.
    try TokenShard.write(tokens: [UInt16(3)], to: url)
    let rewritten = try TokenShard(url: url)
    #expect(rewritten.count == 1 && rewritten[0] == 3)
}

@Test func emptyShardIsValid() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("val_000000.bin")
    try TokenShard.write(tokens: [UInt16](), to: url)
    #expect(try TokenShard(url: url).count == 0)
}

@Test func tokensOutsideUInt16AreRejected() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: DataError.self) { try TokenShard.write(tokens: [Int32(65536)], to: directory.appendingPathComponent("x.bin")) }
    #expect(throws: DataError.self) { try TokenShard.write(tokens: [Int32(-1)], to: directory.appendingPathComponent("x.bin")) }
}

private func expectShardError(_ url: URL, mentioning words: [String]) {
    do {
        _ = try TokenShard(url: url)
        Issue.record("expected an error for \(url.path)")
    } catch let error as DataError {
        #expect(error.message.contains(url.path))
        #expect(error.message.contains("trainer prepare"))
        for word in words { #expect(error.message.contains(word), "\(error.message)") }
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Test func corruptShardsAreReported() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("train_000000.bin")
    try TokenShard.write(tokens: [UInt16](repeating: 9, count: 100), to: url)
    var data = try Data(contentsOf: url)

    var wrongMagic = data
    wrongMagic[0] = 0
    try wrongMagic.write(to: url)
    expectShardError(url, mentioning: ["magic"])

    var wrongVersion = data
    wrongVersion[4] = 2
    try wrongVersion.write(to: url)
    expectShardError(url, mentioning: ["version"])

    data.removeLast(3)
    try data.write(to: url)
    expectShardError(url, mentioning: ["truncated"])

    try Data(count: 100).write(to: url)
    expectShardError(url, mentioning: ["header"])

    expectShardError(directory.appendingPathComponent("absent.bin"), mentioning: ["cannot open"])
}

@Test func datasetJoinsShardsInNameOrder() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try TokenShard.write(tokens: [UInt16](10..<15), to: directory.appendingPathComponent("train_000001.bin"))
    try TokenShard.write(tokens: [UInt16](0..<10), to: directory.appendingPathComponent("train_000000.bin"))
    try TokenShard.write(tokens: [UInt16](), to: directory.appendingPathComponent("train_000002.bin"))
    try TokenShard.write(tokens: [UInt16](15..<18), to: directory.appendingPathComponent("train_000003.bin"))
    try TokenShard.write(tokens: [UInt16](100..<103), to: directory.appendingPathComponent("val_000000.bin"))
    let train = try TokenDataset(directory: directory, split: "train", vocabSize: 65536)
    #expect(train.count == 18)
    #expect((0..<18).map { train.token(at: $0) } == (0..<18).map { Int32($0) })
    var buffer = [Int32](repeating: -1, count: 12)
    buffer.withUnsafeMutableBufferPointer { train.copy(from: 5, count: 12, into: $0.baseAddress!) }
    #expect(buffer == (5..<17).map { Int32($0) })
    let val = try TokenDataset(directory: directory, split: "val", vocabSize: 65536)
    #expect(val.count == 3 && val.token(at: 2) == 102)
    #expect(throws: DataError.self) { try TokenDataset(directory: directory, split: "test", vocabSize: 65536) }
}
