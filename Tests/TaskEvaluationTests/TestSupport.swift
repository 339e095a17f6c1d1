import Data
import Foundation
import GPT
import TaskEvaluation

/// The Fixtures folder's file `name`.
func fixtureURL(_ name: String) -> URL {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
}

/// A committed JSON fixture, parsed.
func fixtureJSON(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL(name)))
}

/// A byte-level tokenizer with a few merges (so words become several-byte tokens): vocab 256 + merges + 1.
let testTokenizer: BPETokenizer = {
    let byte = { (c: Character) in Int32(ByteEncoder.byteOrder.firstIndex(of: c.asciiValue!)!) }
    let merges = [BPEMerge(left: byte(" "), right: byte("t")), BPEMerge(left: byte("h"), right: byte("e")),
                  BPEMerge(left: byte("r"), right: byte("o"))]
    return try! BPETokenizer(merges: merges)
}()

/// A small GPT over `testTokenizer`'s vocabulary with seeded weights large enough to give peaked logits.
func testModel(block: Int = 24, seed: UInt64 = 7) -> GPTModel {
    let config = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 16, blockSize: block, vocabSize: testTokenizer.vocabSize)
    let model = GPTModel(config: config, maxBatch: 1, maxSequence: block)
    var rng = SplitMix64(seed: seed)
    for tensor in model.layout.tensors {
        let p = model.parameters.baseAddress! + tensor.offset
        let isNorm = tensor.name.hasSuffix("ln_1.weight") || tensor.name.hasSuffix("ln_2.weight") || tensor.name == "ln_f.weight"
        for i in 0..<tensor.count {
            let u = Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1
            p[i] = isNorm ? 1 + 0.2 * u : (tensor.shape.count == 1 ? 0.1 * u : 0.3 * u)
        }
    }
    return model
}

/// Writes `lines` to a fresh temporary file named `name` and returns its path.
func temporaryFile(_ name: String, _ lines: [String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("task-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(lines.joined(separator: "\n").utf8).write(to: url)
    return url.path
}
